package fi.kanava.transfer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The transfer feature's meters (docs/metrics.md): transfers by source and target queue and
 * outcome (a named professional's personal queue counts as {@code personal}, so no id is a label),
 * and the time from a transfer to its pick-up.
 */
public final class TransferMetrics {
  static final String PERSONAL = "personal";
  /** The outcomes of a transfer. */
  static final List<String> OUTCOMES = List.of("requested", "accepted", "declined", "lapsed");

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer pickup;

  public TransferMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.pickup = Timer.builder("kanava.transfer.pickup")
        .description("From a transfer to the receiver taking the conversation")
        .publishPercentileHistogram(false)
        .serviceLevelObjectives(Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(5),
            Duration.ofMinutes(10), Duration.ofMinutes(30), Duration.ofHours(1))
        .register(registry);
  }

  /** Every outcome of the source and target starts at zero, so a rate over it is defined from the first transfer. */
  void known(String sourceQueue, String targetQueue) {
    OUTCOMES.forEach(outcome -> counter(sourceQueue, targetQueue, outcome));
  }

  void counted(String sourceQueue, String targetQueue, String outcome) {
    known(sourceQueue, targetQueue);
    counter(sourceQueue, targetQueue, outcome).increment();
  }

  void pickedUp(Duration afterTransfer) {
    pickup.record(afterTransfer.isNegative() ? Duration.ZERO : afterTransfer);
  }

  private Counter counter(String source, String target, String outcome) {
    return counters.computeIfAbsent(source + '\n' + target + '\n' + outcome, k -> Counter.builder("kanava.transfers")
        .description("Transfers of conversations by source queue, target queue (personal: a named professional) and outcome")
        .tags("source_queue", source, "target_queue", target, "outcome", outcome)
        .register(registry));
  }
}
