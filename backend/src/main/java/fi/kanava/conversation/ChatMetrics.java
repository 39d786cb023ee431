package fi.kanava.conversation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chat feature's meters, all registered here with their help texts (docs/metrics.md lists
 * them). Labels are queue ids, urgency classes, languages, outcomes and kinds: never user or conversation ids.
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
  private final Map<String, AtomicInteger> unservedLanguages = new ConcurrentHashMap<>();
  /** Tagged meters by name and tags: registered on first use, then found without building anything. */
  private final Map<List<String>, Meter> tagged = new ConcurrentHashMap<>();
  private final Timer delivery;
  private final DistributionSummary sendBatches;

  public ChatMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.delivery = Timer.builder("kanava.message.delivery")
        .description("From a message's commit to its write on a receiving socket")
        .serviceLevelObjectives(DELIVERY_BUCKETS).register(registry);
    this.sendBatches = DistributionSummary.builder("kanava.message.batch.size")
        .description("Messages stored together in one database round trip (group commit)")
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128).register(registry);
  }

  public void queueWait(String queue, String urgency, Duration wait) {
    waitTimer("kanava.queue.wait", "From entering the queue to the first assignment", "queue", queue, "urgency", urgency).record(nonNegative(wait));
  }

  /** A wait measured against a time read before a concurrent entry committed can come out a few milliseconds negative: it is zero. */
  private static Duration nonNegative(Duration wait) {
    return wait.isNegative() ? Duration.ZERO : wait;
  }

  public void firstResponse(String queue, String urgency, Duration wait) {
    waitTimer("kanava.first.response", "From entering the queue to the first message of a professional", "queue", queue, "urgency",
        urgency).record(nonNegative(wait));
  }

  public void message(String kind, String sender) {
    counter("kanava.messages", "Messages stored", "kind", kind, "sender", sender).increment();
  }

  public void sendBatch(int size) {
    sendBatches.record(size);
  }

  public void delivered(long committedAtMillis) {
    delivery.record(Math.max(0, System.currentTimeMillis() - committedAtMillis), TimeUnit.MILLISECONDS);
  }

  public void entered(String queue, String urgency) {
    counter("kanava.queue.entries", "Patients who entered a queue (immediate ones are redirected, not queued)", "queue", queue,
        "urgency", urgency).increment();
  }

  public void refused(String queue, String reason) {
    counter("kanava.queue.refusals", "Queue entries refused: closed, full, municipality or language not served...", "queue", queue,
        "reason", reason).increment();
  }

  /** Every closed conversation, by outcome (abandoned and expired included). */
  public void closed(String queue, String outcome) {
    counter("kanava.conversation.outcomes", "Conversations closed, by outcome", "queue", queue, "outcome", outcome).increment();
    if (Outcome.ABANDONED.equals(outcome)) {
      counter("kanava.conversations.abandoned", "Patients who left the queue", "queue", queue).increment();
    } else if (Outcome.EXPIRED.equals(outcome)) {
      counter("kanava.conversations.expired", "Conversations closed by the idle timeout", "queue", queue).increment();
    }
  }

  public void requeued(String queue, String reason) {
    counter("kanava.conversations.requeued", "Conversations returned to the queue", "queue", queue, "reason", reason).increment();
  }

  /**
   * A sequence number found going backwards: the database lost acknowledged commits. {@code detected}
   * is where: {@code store} (a new number would have been at or below one this node had
   * acknowledged or delivered), {@code socket} (a watching socket got a number it had delivered,
   * for another message) or {@code resume} (a client resumed past the store, or from a message the
   * store does not have).
   */
  public void sequenceRegression(String detected) {
    counter("kanava.sequence.regressions", "Sequence numbers found going backwards (the database lost acknowledged commits), by where",
        "detected", detected).increment();
  }

  private Counter counter(String name, String description, String... tags) {
    return (Counter) tagged.computeIfAbsent(key(name, tags), k -> Counter.builder(name).description(description).tags(tags).register(registry));
  }

  private Timer waitTimer(String name, String description, String... tags) {
    return (Timer) tagged.computeIfAbsent(key(name, tags), k -> Timer.builder(name).description(description).tags(tags)
        .serviceLevelObjectives(WAIT_BUCKETS).register(registry));
  }

  private static List<String> key(String name, String... tags) {
    List<String> key = new ArrayList<>(tags.length + 1);
    key.add(name);
    key.addAll(Arrays.asList(tags));
    return key;
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

  /**
   * Sets the conversations waiting in each language that no available professional of their queue
   * speaks (read from the database by the sweeper). Every language of {@link fi.kanava.auth.Language} is reported,
   * zero when met, so a gap that closes shows as zero rather than as a stale figure.
   */
  public void unservedLanguages(Map<String, Integer> waitingByLanguage) {
    for (fi.kanava.auth.Language language : fi.kanava.auth.Language.values()) {
      unservedLanguages.computeIfAbsent(language.code(), code -> {
        AtomicInteger holder = new AtomicInteger();
        Gauge.builder("kanava.queue.language.unserved", holder, AtomicInteger::get)
            .description("Conversations waiting in a language that no available professional of their queue speaks")
            .tag("language", code).register(registry);
        return holder;
      }).set(waitingByLanguage.getOrDefault(language.code(), 0));
    }
  }
}
