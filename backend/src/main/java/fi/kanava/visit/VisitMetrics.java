package fi.kanava.visit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The visit feature's meters (docs/metrics.md): visits by final outcome and by channel booked, and
 * the wait from arrival in the waiting room to admission. Every label value starts at zero.
 */
public final class VisitMetrics {
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<String, Counter> booked = new ConcurrentHashMap<>();
  private final Timer admissionWait;

  public VisitMetrics(MeterRegistry registry) {
    for (String outcome : new String[] {"completed", "cancelled", "no_show"}) {
      outcomes.put(outcome, Counter.builder("kanava.visits").description("Visits that ended, by outcome: completed, cancelled, no_show")
          .tags("outcome", outcome).register(registry));
    }
    for (String channel : VisitRequests.CHANNELS) {
      booked.put(channel, Counter.builder("kanava.visits.booked").description("Visits booked, by channel: video or chat")
          .tags("channel", channel).register(registry));
    }
    admissionWait = Timer.builder("kanava.visit.admission.wait")
        .description("From a patient-side member's arrival in the waiting room to their admission")
        .serviceLevelObjectives(Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1))
        .register(registry);
  }

  void ended(VisitState outcome) {
    Counter counter = outcomes.get(outcome.code());
    if (counter != null) {
      counter.increment();
    }
  }

  void booked(String channel) {
    booked.get(channel).increment();
  }

  void admitted(Duration waited) {
    admissionWait.record(waited.isNegative() ? Duration.ZERO : waited);
  }
}
