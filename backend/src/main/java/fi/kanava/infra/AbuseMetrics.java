package fi.kanava.infra;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The abuse limits' meters (docs/metrics.md): refusals by limit, and stale anonymous patients purged. No addresses in labels. */
public final class AbuseMetrics {
  private final MeterRegistry registry;
  private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
  private final Counter purged;

  public AbuseMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.purged = Counter.builder("kanava.anonymous.patients.purged")
        .description("Stale anonymous patients removed after abuse.anonymous-retention").register(registry);
  }

  /** One refusal by a limit: {@code anonymous_session}, {@code queue_entry}, {@code open_conversations}, {@code login}, {@code sockets_per_principal}. */
  public void refused(String limit) {
    refusals.computeIfAbsent(limit, l -> Counter.builder("kanava.abuse.refusals")
        .description("Requests refused (or sockets closed) by an abuse limit, by limit").tag("limit", l).register(registry)).increment();
  }

  public void purged(long patients) {
    purged.increment(patients);
  }
}
