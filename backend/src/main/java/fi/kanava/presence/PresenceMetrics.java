package fi.kanava.presence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Presence's meters (docs/metrics.md): nodes found dead because their lease ran out. */
public final class PresenceMetrics {
  private final Counter nodesExpired;

  public PresenceMetrics(MeterRegistry registry) {
    nodesExpired = Counter.builder("kanava.presence.nodes.expired")
        .description("Nodes whose presence lease ran out (killed, or cut off from the database), whose devices this node forgot")
        .register(registry);
  }

  void nodesExpired(int count) {
    nodesExpired.increment(count);
  }
}
