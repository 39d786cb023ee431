package fi.kanava.infra;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/**
 * The Prometheus registry behind {@code GET /metrics}. Kanava's own meters are named
 * {@code kanava.*} (exported as {@code kanava_*}); the JVM's, the process's and Vert.x's keep their
 * standard names ({@code jvm_*}, {@code process_*}, {@code system_*}, {@code vertx_*}), so standard
 * dashboards find them.
 */
public final class Metrics {
  private Metrics() {}

  /**
   * A Vert.x builder with its Micrometer metrics (HTTP server, pool, event bus) reporting to the registry;
   * {@link ClusterNode} builds it, alone or clustered.
   */
  public static io.vertx.core.VertxBuilder builder(VertxOptions options, PrometheusMeterRegistry registry) {
    return Vertx.builder()
        .with(options.setMetricsOptions(new MicrometerMetricsOptions()
            .setEnabled(true)
            // event-bus addresses and request paths carry conversation and account ids: never labels
            .setLabels(java.util.EnumSet.of(Label.HTTP_METHOD, Label.HTTP_CODE, Label.HTTP_ROUTE, Label.EB_SIDE, Label.EB_FAILURE,
                Label.POOL_TYPE, Label.POOL_NAME, Label.CLIENT_NAME, Label.NAMESPACE))))
        .withMetrics(new MicrometerMetricsFactory(registry));
  }

  public static PrometheusMeterRegistry createRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    return registry;
  }
}
