package fi.kanava.feedback;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The feedback feature's meters (docs/metrics.md): requests (patients asked, by the close of a
 * conversation they had with a professional), responses by NPS category, and skips; all by queue,
 * channel and unit, never by person or event. A queue's series start at zero when it is first asked,
 * so NPS and the response rate are defined from its first response.
 */
public final class FeedbackMetrics {
  private static final List<String> CATEGORIES = List.of(Nps.PROMOTER, Nps.PASSIVE, Nps.DETRACTOR);

  private final MeterRegistry registry;
  private final Map<List<String>, Counter> counters = new ConcurrentHashMap<>();

  public FeedbackMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /** A patient was asked (the conversation closed after a professional had accepted it). */
  void requested(String queue, String channel, String unit) {
    known(queue, channel, unit);
    counter("kanava.feedback.requests", "Patients asked for feedback as a service event closed", queue, channel, unit, null).increment();
  }

  /** A response with a score, counted in its NPS category. */
  void responded(String queue, String channel, String unit, int score) {
    known(queue, channel, unit);
    counter("kanava.feedback.responses", "Feedback responses by NPS category (promoter 9-10, passive 7-8, detractor 0-6)", queue, channel,
        unit, Nps.category(score)).increment();
  }

  void skipped(String queue, String channel, String unit) {
    known(queue, channel, unit);
    counter("kanava.feedback.skipped", "Patients who skipped the feedback (one click)", queue, channel, unit, null).increment();
  }

  /** Registers every series of the queue, channel and unit at zero. */
  void known(String queue, String channel, String unit) {
    counter("kanava.feedback.requests", "Patients asked for feedback as a service event closed", queue, channel, unit, null);
    counter("kanava.feedback.skipped", "Patients who skipped the feedback (one click)", queue, channel, unit, null);
    for (String category : CATEGORIES) {
      counter("kanava.feedback.responses", "Feedback responses by NPS category (promoter 9-10, passive 7-8, detractor 0-6)", queue, channel,
          unit, category);
    }
  }

  private Counter counter(String name, String description, String queue, String channel, String unit, String category) {
    String unitLabel = unit == null ? "" : unit;
    List<String> key = category == null ? List.of(name, queue, channel, unitLabel) : List.of(name, queue, channel, unitLabel, category);
    return counters.computeIfAbsent(key, k -> {
      Counter.Builder builder = Counter.builder(name).description(description).tags("queue", queue, "channel", channel, "unit", unitLabel);
      if (category != null) {
        builder.tag("category", category);
      }
      return builder.register(registry);
    });
  }
}
