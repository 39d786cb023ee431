package fi.kanava.consult;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The consultation feature's meters (docs/metrics.md): consultations by target queue and urgency
 * (a named colleague counts as {@code named}, so no account id is a label), the time from request
 * to acceptance, and breaches of the response target.
 */
public final class ConsultMetrics {
  static final String NAMED = "named";

  private final MeterRegistry registry;
  private final Map<String, Counter> opened = new ConcurrentHashMap<>();
  private final Map<String, Timer> responses = new ConcurrentHashMap<>();
  private final Map<String, Counter> breaches = new ConcurrentHashMap<>();

  public ConsultMetrics(MeterRegistry registry) {
    this.registry = registry;
    known(NAMED);
  }

  /** Every urgency of the queue starts at zero, so a rate or a quantile over it is defined from the first consultation. */
  void known(String queue) {
    for (ConsultFrames.Urgency urgency : ConsultFrames.Urgency.values()) {
      counter(queue, urgency.code());
      timer(queue, urgency.code());
    }
    breachCounter(queue);
  }

  void opened(String queue, String urgency) {
    known(queue);
    counter(queue, urgency).increment();
  }

  void responded(String queue, String urgency, Duration afterRequest) {
    known(queue);
    timer(queue, urgency).record(afterRequest.isNegative() ? Duration.ZERO : afterRequest);
  }

  void breached(String queue) {
    known(queue);
    breachCounter(queue).increment();
  }

  private Counter counter(String queue, String urgency) {
    return opened.computeIfAbsent(queue + '\n' + urgency, k -> Counter.builder("kanava.consultations")
        .description("Consultations opened, by target consult queue (named: a named colleague) and urgency")
        .tags("queue", queue, "urgency", urgency)
        .register(registry));
  }

  private Timer timer(String queue, String urgency) {
    return responses.computeIfAbsent(queue + '\n' + urgency, k -> Timer.builder("kanava.consultation.response")
        .description("From a consultation request to a consultant accepting it, by target queue and urgency")
        .publishPercentileHistogram(false)
        .serviceLevelObjectives(Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(4), Duration.ofHours(12), Duration.ofDays(1),
            Duration.ofDays(2), Duration.ofDays(4))
        .tags("queue", queue, "urgency", urgency)
        .register(registry));
  }

  private Counter breachCounter(String queue) {
    return breaches.computeIfAbsent(queue, k -> Counter.builder("kanava.consultation.breaches")
        .description("Non-urgent consultations not answered within their response target, by target queue (named: a named colleague)")
        .tags("queue", queue)
        .register(registry));
  }
}
