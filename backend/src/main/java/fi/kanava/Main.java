package fi.kanava;

import fi.kanava.infra.ClusterNode;
import fi.kanava.infra.ConfigException;
import fi.kanava.infra.ConfigLoader;
import fi.kanava.infra.Database;
import fi.kanava.infra.EmbeddedDatabase;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.infra.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a Kanava node: configuration, database (embedded unless one is configured), migrations,
 * then the verticles. {@code --demo} loads demo data and turns the development login on.
 */
public final class Main {
  static {
    System.setProperty("vertx.logger-delegate-factory-class-name", "io.vertx.core.logging.SLF4JLogDelegateFactory");
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    Map<String, String> overrides = new HashMap<>();
    Optional<Path> configFile = Optional.empty();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--demo" -> {
          overrides.put("demo.load", "true");
          overrides.put("identity.dev-login.enabled", "true");
        }
        case "--config" -> {
          if (i + 1 >= args.length) {
            exit("--config needs a file name");
          }
          configFile = Optional.of(Path.of(args[++i]));
        }
        default -> exit("Unknown option " + args[i] + ". Usage: java -jar kanava.jar [--demo] [--config FILE]");
      }
    }
    KanavaConfig config;
    try {
      config = ConfigLoader.load(System.getenv(), configFile, overrides);
    } catch (ConfigException e) {
      exit("Configuration error: " + e.getMessage());
      return;
    }
    ConfigLoader.describe(config).forEach((key, value) -> log.info("config {} = {}", key, value));

    // The hook is in place before anything starts, so whatever did start is stopped on Ctrl-C.
    AtomicReference<EmbeddedDatabase> embedded = new AtomicReference<>();
    AtomicReference<Vertx> vertxRef = new AtomicReference<>();
    AtomicReference<Application> appRef = new AtomicReference<>();
    java.time.Duration drainTime = config.http().drainTime();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      drain(appRef.get(), drainTime);
      shutdown(vertxRef.get(), embedded.get());
    }, "kanava-shutdown"));

    Database db;
    try {
      if (config.db().embedded()) {
        embedded.set(EmbeddedDatabase.start(config.db().embeddedDataDir(), config.db().embeddedPort(), config.db().embeddedStartTimeout()));
        db = embedded.get().database();
      } else {
        db = Database.external(config.db());
      }
    } catch (Exception e) {
      log.error("Cannot start the embedded database", e);
      System.exit(1);
      return;
    }

    PrometheusMeterRegistry registry = Metrics.createRegistry();
    VertxOptions options = new VertxOptions()
        .setMaxEventLoopExecuteTime(config.vertx().maxEventLoopExecuteTime().toNanos())
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.NANOSECONDS);
    Vertx vertx;
    try {
      // alone unless cluster.enabled: then this joins the other members first (from this thread, not an event loop)
      vertx = ClusterNode.vertx(Metrics.builder(options, registry), options, config.cluster());
    } catch (Exception e) {
      log.error("Cannot join the cluster", e);
      shutdown(null, embedded.get());
      System.exit(1);
      return;
    }
    vertxRef.set(vertx);

    try {
      Application app = Application.start(vertx, config, db, Clock.systemUTC(), registry).await();
      if (config.demo().load()) {
        DemoData.load(app.services()).await();
      }
      appRef.set(app);
    } catch (Throwable e) {
      ConfigException mismatch = configCause(e);
      if (mismatch != null) {
        // a setting that does not fit what is stored (a wrong key-encryption key): say which, without a stack
        exit("Configuration error: " + mismatch.getMessage());
      }
      log.error("Kanava failed to start", e);
      System.exit(1);
    }
  }

  /**
   * A started node reports not ready for {@code drainTime} before it stops, so a load balancer takes
   * it out of rotation while its sockets still work (docs/operations.md, "Rolling restart").
   */
  private static void drain(Application app, java.time.Duration drainTime) {
    if (app == null || drainTime.isZero()) {
      return;
    }
    app.drain();
    log.info("Draining for {} before stopping", drainTime);
    try {
      // the shutdown hook's own thread, not an event loop: it waits out the drain
      app.vertx().timer(drainTime.toMillis(), TimeUnit.MILLISECONDS).await();
    } catch (Exception e) {
      log.warn("The drain was cut short", e);
    }
  }

  private static void shutdown(Vertx vertx, EmbeddedDatabase embedded) {
    log.info("Shutting down");
    if (vertx != null) {
      try {
        vertx.close().await(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        log.warn("Vert.x did not close cleanly", e);
      }
    }
    if (embedded != null) {
      try {
        embedded.close();
      } catch (Exception e) {
        log.warn("The embedded database did not stop cleanly", e);
      }
    }
  }

  private static ConfigException configCause(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConfigException config) {
        return config;
      }
    }
    return null;
  }

  private static void exit(String message) {
    log.error(message);
    System.exit(2);
  }
}
