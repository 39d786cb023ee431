package fi.kanava.ws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** The WebSocket layer's meters (docs/metrics.md): open connections and error frames by code. */
public final class SocketMetrics {
  private final MeterRegistry registry;
  private final AtomicLong connections = new AtomicLong();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();

  public SocketMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("kanava.ws.connections", connections, AtomicLong::get)
        .description("Open WebSocket connections on this node").register(registry);
  }

  void opened() {
    connections.incrementAndGet();
  }

  void closed() {
    connections.decrementAndGet();
  }

  void error(String code) {
    errors.computeIfAbsent(code, c -> Counter.builder("kanava.ws.errors").description("Error frames sent, by code").tag("code", c)
        .register(registry)).increment();
  }
}
