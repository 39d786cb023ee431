package fi.kanava.rtc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The network check's meters (docs/metrics.md): checks by result (every result primed at zero),
 * the measured round trip, and the native peer connections of checks open now (a leak shows here).
 */
public final class NetworkCheckMetrics {
  private static final Duration[] RTT_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
      Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(800), Duration.ofMillis(1500)};

  private final Map<NetworkCheckOutcome.Result, Counter> results = new EnumMap<>(NetworkCheckOutcome.Result.class);
  private final Timer rtt;
  private final AtomicInteger open = new AtomicInteger();

  public NetworkCheckMetrics(MeterRegistry registry) {
    for (NetworkCheckOutcome.Result result : NetworkCheckOutcome.Result.values()) {
      results.put(result, Counter.builder("kanava.network.checks").description("Network checks by result")
          .tag("result", result.code()).register(registry));
    }
    rtt = Timer.builder("kanava.network.check.rtt").description("Round trip measured by network checks that connected")
        .serviceLevelObjectives(RTT_BUCKETS).register(registry);
    Gauge.builder("kanava.network.checks.open", open, AtomicInteger::get)
        .description("Native peer connections of network checks open now on this node").register(registry);
  }

  void finished(NetworkCheckOutcome outcome) {
    results.get(outcome.result()).increment();
    if (outcome.rttMs() != null) {
      rtt.record(Duration.ofMillis(outcome.rttMs()));
    }
  }

  /** A native peer connection was made for a check. */
  void peerOpened() {
    open.incrementAndGet();
  }

  /** A check's native peer connection was closed and freed. */
  void peerClosed() {
    open.decrementAndGet();
  }

  int open() {
    return open.get();
  }
}
