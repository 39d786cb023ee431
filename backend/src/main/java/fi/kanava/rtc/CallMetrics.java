package fi.kanava.rtc;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The call feature's meters (docs/metrics.md): set-up time from join to first connection by kind
 * of call, calls by result (each primed at zero), and calls with media flowing now. No ids in labels.
 */
public final class CallMetrics {
  static final List<String> KINDS = List.of("visit", "chat");
  static final List<String> RESULTS = List.of("connected", "failed", "relayed", "audio_only", "no_answer");

  private final Map<String, Timer> setup = new ConcurrentHashMap<>();
  private final Map<String, Counter> results = new ConcurrentHashMap<>();
  private final AtomicLong active = new AtomicLong();

  public CallMetrics(MeterRegistry registry) {
    for (String kind : KINDS) {
      setup.put(kind, Timer.builder("kanava.call.setup")
          .description("From a peer joining a call to the call's first connection (a client reporting ICE connected), by kind of call")
          .serviceLevelObjectives(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5),
              Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5))
          .tags("kind", kind)
          .register(registry));
    }
    for (String result : RESULTS) {
      results.put(result, Counter.builder("kanava.calls")
          .description("Calls by result: connected (media flowed), failed (two or more joined, never connected), relayed (through TURN),"
              + " audio_only (a peer dropped video), no_answer (a chat call rang for rtc.ring-timeout unanswered)")
          .tags("result", result)
          .register(registry));
    }
    Gauge.builder("kanava.calls.active", active, AtomicLong::get)
        .description("Calls active or reconnecting now (read from the database: the same on every node)")
        .register(registry);
  }

  void setUp(String kind, Duration afterJoin) {
    setup.get(kind).record(afterJoin.isNegative() ? Duration.ZERO : afterJoin);
  }

  void counted(String result) {
    results.get(result).increment();
  }

  void active(long calls) {
    active.set(calls);
  }
}
