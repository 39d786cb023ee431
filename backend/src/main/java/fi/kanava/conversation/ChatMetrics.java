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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The chat feature's meters, all registered here with their help texts (docs/metrics.md lists
 * them). Labels are queue ids, urgency classes, languages, outcomes and kinds: never user or conversation ids.
 */
public final class ChatMetrics {
  /** Waits and handling times: from seconds to hours, so both a chat answered at once and a day's wait for a callback fit. */
  private static final Duration[] WAIT_BUCKETS = {
      Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
      Duration.ofMinutes(10), Duration.ofMinutes(20), Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4),
      Duration.ofHours(8)};
  private static final Duration[] DELIVERY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(20),
      Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)};

  private final MeterRegistry registry;
  /** Gauges by name and tags, each holding the value last set. */
  private final Map<List<String>, AtomicLong> gauges = new ConcurrentHashMap<>();
  /** Queues whose known label sets are registered (at zero). */
  private final Set<String> primed = ConcurrentHashMap.newKeySet();
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

  private static final String QUEUE_WAIT = "From entering the queue to the first assignment";
  private static final String FIRST_RESPONSE = "From entering the queue to the first message of a professional";
  private static final String HANDLING = "From a professional's acceptance to the close, by outcome";
  /** The refusal reasons primed at zero: the common ones (others appear with their first refusal). */
  private static final List<String> KNOWN_REFUSALS = List.of("queue_closed", "queue_full", "municipality_not_served", "language_not_served",
      "identification_required", "already_in_queue");
  private static final List<String> REQUEUE_REASONS = List.of("not_accepted", "declined", "offline");

  public void queueWait(String queue, String urgency, Duration wait) {
    waitTimer("kanava.queue.wait", QUEUE_WAIT, "queue", queue, "urgency", urgency).record(nonNegative(wait));
  }

  /** A conversation a professional had accepted closed: how long it was in their hands. */
  public void handled(String queue, String outcome, Duration handling) {
    waitTimer("kanava.conversation.handling", HANDLING, "queue", queue, "outcome", outcome).record(nonNegative(handling));
  }

  /** A wait measured against a time read before a concurrent entry committed can come out a few milliseconds negative: it is zero. */
  private static Duration nonNegative(Duration wait) {
    return wait.isNegative() ? Duration.ZERO : wait;
  }

  public void firstResponse(String queue, String urgency, Duration wait) {
    waitTimer("kanava.first.response", FIRST_RESPONSE, "queue", queue, "urgency", urgency).record(nonNegative(wait));
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
    entries(queue, urgency).increment();
  }

  private Counter entries(String queue, String urgency) {
    return counter("kanava.queue.entries", "Patients who entered a queue (immediate ones are redirected, not queued)", "queue", queue,
        "urgency", urgency);
  }

  public void refused(String queue, String reason) {
    refusals(queue, reason).increment();
  }

  private Counter refusals(String queue, String reason) {
    return counter("kanava.queue.refusals", "Queue entries refused: closed, full, municipality or language not served...", "queue", queue,
        "reason", reason);
  }

  /** Every closed conversation, by outcome (abandoned and expired included). */
  public void closed(String queue, String outcome) {
    outcomes(queue, outcome).increment();
    if (Outcome.ABANDONED.equals(outcome)) {
      abandoned(queue).increment();
    } else if (Outcome.EXPIRED.equals(outcome)) {
      expired(queue).increment();
    }
  }

  private Counter outcomes(String queue, String outcome) {
    return counter("kanava.conversation.outcomes", "Conversations closed, by outcome", "queue", queue, "outcome", outcome);
  }

  private Counter abandoned(String queue) {
    return counter("kanava.conversations.abandoned", "Patients who left the queue", "queue", queue);
  }

  private Counter expired(String queue) {
    return counter("kanava.conversations.expired", "Conversations closed by the idle timeout", "queue", queue);
  }

  public void requeued(String queue, String reason) {
    requeues(queue, reason).increment();
  }

  private Counter requeues(String queue, String reason) {
    return counter("kanava.conversations.requeued", "Conversations returned to the queue", "queue", queue, "reason", reason);
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

  /** The figures of one queue now, read from the database by the sweeper (so every node agrees). */
  public record QueueNow(String queue, int waiting, int active, Map<String, Duration> oldestWaitByUrgency, int available, boolean open) {}

  /**
   * Sets a queue's gauges: waiting, being handled, the oldest wait of each urgency class (0 when
   * none waits), available professionals and whether it is open; and registers its known label sets
   * at zero on the first sight of the queue.
   */
  public void queueNow(QueueNow q) {
    prime(q.queue());
    gauge("kanava.queue.length", "Conversations waiting in the queue", "queue", q.queue()).set(q.waiting());
    gauge("kanava.conversations.active", "Conversations being handled", "queue", q.queue()).set(q.active());
    for (Urgency urgency : Urgency.values()) {
      gauge("kanava.queue.oldest.wait.seconds", "How long the longest-waiting conversation of the queue and urgency has waited (0: none)",
          "queue", q.queue(), "urgency", urgency.code())
          .set(q.oldestWaitByUrgency().getOrDefault(urgency.code(), Duration.ZERO).toSeconds());
    }
    gauge("kanava.professionals.available", "Professionals of the queue whose status is available (on a live device)", "queue", q.queue())
        .set(q.available());
    gauge("kanava.queue.open", "1 while the queue is open by its opening hours, else 0", "queue", q.queue()).set(q.open() ? 1 : 0);
  }

  /**
   * Registers the queue's counters and histograms for every known label value at zero, so that
   * {@code rate()} and {@code increase()} see the first event of each series (a series that appears
   * with its first event hides that event from them).
   */
  public void prime(String queue) {
    if (!primed.add(queue)) {
      return;
    }
    for (Urgency urgency : Urgency.values()) {
      entries(queue, urgency.code());
      waitTimer("kanava.queue.wait", QUEUE_WAIT, "queue", queue, "urgency", urgency.code());
      waitTimer("kanava.first.response", FIRST_RESPONSE, "queue", queue, "urgency", urgency.code());
    }
    for (String reason : KNOWN_REFUSALS) {
      refusals(queue, reason);
    }
    for (String outcome : Outcome.ALL) {
      outcomes(queue, outcome);
      waitTimer("kanava.conversation.handling", HANDLING, "queue", queue, "outcome", outcome);
    }
    abandoned(queue);
    expired(queue);
    for (String reason : REQUEUE_REASONS) {
      requeues(queue, reason);
    }
  }

  private AtomicLong gauge(String name, String description, String... tags) {
    return gauges.computeIfAbsent(key(name, tags), k -> {
      AtomicLong holder = new AtomicLong();
      Gauge.builder(name, holder, AtomicLong::get).description(description).tags(tags).register(registry);
      return holder;
    });
  }

  /**
   * Sets the conversations waiting in each language that no available professional of their queue
   * speaks (read from the database by the sweeper). Every language of {@link fi.kanava.auth.Language} is reported,
   * zero when met, so a gap that closes shows as zero rather than as a stale figure.
   */
  public void unservedLanguages(Map<String, Integer> waitingByLanguage) {
    for (fi.kanava.auth.Language language : fi.kanava.auth.Language.values()) {
      gauge("kanava.queue.language.unserved", "Conversations waiting in a language that no available professional of their queue speaks",
          "language", language.code()).set(waitingByLanguage.getOrDefault(language.code(), 0));
    }
  }
}
