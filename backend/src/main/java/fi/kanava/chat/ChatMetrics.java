package fi.kanava.chat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chat feature's meters, all registered here with their help texts (docs/metrics.md lists
 * them). Labels are queue ids, urgency classes, outcomes and kinds: never user or conversation ids.
 */
public final class ChatMetrics {
  private static final Duration[] WAIT_BUCKETS = {
      Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
      Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4)};
  private static final Duration[] DELIVERY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)};

  private final MeterRegistry registry;
  private final Map<String, AtomicInteger> queueLengths = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> activeCounts = new ConcurrentHashMap<>();
  private final AtomicLong connections = new AtomicLong();
  private final Map<String, Counter> messageCounters = new ConcurrentHashMap<>();
  private final Timer delivery;
  private final DistributionSummary sendBatches;

  public ChatMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("kanava.ws.connections", connections, AtomicLong::get)
        .description("Open WebSocket connections on this node").register(registry);
    this.delivery = Timer.builder("kanava.message.delivery")
        .description("From a message's commit to its write on a receiving socket")
        .serviceLevelObjectives(DELIVERY_BUCKETS).register(registry);
    this.sendBatches = DistributionSummary.builder("kanava.message.batch.size")
        .description("Messages stored together in one database round trip (group commit)")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128).register(registry);
  }

  public void queueWait(String queue, String urgency, Duration wait) {
    Timer.builder("kanava.queue.wait").description("From entering the queue to the first assignment")
        .tags("queue", queue, "urgency", urgency).serviceLevelObjectives(WAIT_BUCKETS).register(registry).record(wait);
  }

  public void firstResponse(String queue, String urgency, Duration wait) {
    Timer.builder("kanava.first.response").description("From entering the queue to the first message of a professional")
        .tags("queue", queue, "urgency", urgency).serviceLevelObjectives(WAIT_BUCKETS).register(registry).record(wait);
  }

  public void message(String kind, String sender) {
    // looked up once per kind and sender: this runs for every message
    messageCounters.computeIfAbsent(kind + '/' + sender, key -> Counter.builder("kanava.messages").description("Messages stored")
        .tags("kind", kind, "sender", sender).register(registry)).increment();
  }

  public void sendBatch(int size) {
    sendBatches.record(size);
  }

  public void delivered(long committedAtMillis) {
    delivery.record(Math.max(0, System.currentTimeMillis() - committedAtMillis), TimeUnit.MILLISECONDS);
  }

  public void entered(String queue, String urgency) {
    Counter.builder("kanava.queue.entries").description("Patients who entered a queue (immediate ones are redirected, not queued)")
        .tags("queue", queue, "urgency", urgency).register(registry).increment();
  }

  public void refused(String queue, String reason) {
    Counter.builder("kanava.queue.refusals").description("Queue entries refused: closed, full, municipality or language not served...")
        .tags("queue", queue, "reason", reason).register(registry).increment();
  }

  /** Every closed conversation, by outcome (abandoned and expired included). */
  public void closed(String queue, String outcome) {
    Counter.builder("kanava.conversation.outcomes").description("Conversations closed, by outcome")
        .tags("queue", queue, "outcome", outcome).register(registry).increment();
    if (Outcome.ABANDONED.equals(outcome)) {
      Counter.builder("kanava.conversations.abandoned").description("Patients who left the queue").tag("queue", queue)
          .register(registry).increment();
    } else if (Outcome.EXPIRED.equals(outcome)) {
      Counter.builder("kanava.conversations.expired").description("Conversations closed by the idle timeout").tag("queue", queue)
          .register(registry).increment();
    }
  }

  public void requeued(String queue, String reason) {
    Counter.builder("kanava.conversations.requeued").description("Conversations returned to the queue")
        .tags("queue", queue, "reason", reason).register(registry).increment();
  }

  public void socketError(String code) {
    Counter.builder("kanava.ws.errors").description("Error frames sent, by code").tag("code", code).register(registry).increment();
  }

  public void connectionOpened() {
    connections.incrementAndGet();
  }

  public void connectionClosed() {
    connections.decrementAndGet();
  }

  /** Sets the waiting count of a queue (read from the database by the sweeper, so every node agrees). */
  public void queueLength(String queue, int waiting) {
    queueLengths.computeIfAbsent(queue, q -> {
      AtomicInteger holder = new AtomicInteger();
      Gauge.builder("kanava.queue.length", holder, AtomicInteger::get).description("Conversations waiting in the queue")
          .tag("queue", q).register(registry);
      return holder;
    }).set(waiting);
  }

  public void activeConversations(String queue, int active) {
    activeCounts.computeIfAbsent(queue, q -> {
      AtomicInteger holder = new AtomicInteger();
      Gauge.builder("kanava.conversations.active", holder, AtomicInteger::get).description("Conversations being handled")
          .tag("queue", q).register(registry);
      return holder;
    }).set(active);
  }
}
