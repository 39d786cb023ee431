package fi.kanava.infra;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the embedded PostgreSQL running. Every {@code db.embedded.watch-interval} it looks whether
 * the postmaster lives; when it has died, the node reports not-ready ({@link #restarting()}) and
 * the supervisor starts it again, retrying with a growing pause until it runs. The pool needs
 * nothing: connections to the dead server are gone, and new ones reach the new one. The looking
 * and the restarting run on a worker of their own, never on an event loop.
 */
public final class DatabaseSupervisor {
  private static final Logger log = LoggerFactory.getLogger(DatabaseSupervisor.class);
  private static final long FIRST_RETRY_MS = 200;
  private static final long MAX_RETRY_MS = 5_000;

  private final Vertx vertx;
  private final EmbeddedDatabase database;
  private final WorkerExecutor worker;
  private final Counter restarted;
  private final Counter failed;
  /** A look or a restart is under way: the next tick does nothing. */
  private final AtomicBoolean busy = new AtomicBoolean();
  private volatile boolean restarting;

  private DatabaseSupervisor(Vertx vertx, EmbeddedDatabase database, MeterRegistry registry, Duration startTimeout) {
    this.vertx = vertx;
    this.database = database;
    // one restart may wait startTimeout for crash recovery: longer than a worker is normally allowed to run
    this.worker = vertx.createSharedWorkerExecutor("kanava-db-supervisor", 1, startTimeout.plusSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    this.restarted = Counter.builder("kanava.db.restarts").tag("outcome", "restarted")
        .description("Restarts of the embedded PostgreSQL after it died, by outcome of the attempt").register(registry);
    this.failed = Counter.builder("kanava.db.restarts").tag("outcome", "failed")
        .description("Restarts of the embedded PostgreSQL after it died, by outcome of the attempt").register(registry);
    Gauge.builder("kanava.db.embedded.up", this, s -> s.restarting ? 0 : 1)
        .description("1 while the embedded PostgreSQL runs, 0 from when it was found dead until it runs again").register(registry);
  }

  public static DatabaseSupervisor start(Vertx vertx, EmbeddedDatabase database, MeterRegistry registry, Duration watchInterval,
      Duration startTimeout) {
    DatabaseSupervisor supervisor = new DatabaseSupervisor(vertx, database, registry, startTimeout);
    vertx.setPeriodic(watchInterval.toMillis(), timer -> supervisor.look());
    return supervisor;
  }

  /** True from when the postmaster was found dead until it accepts connections again. */
  public boolean restarting() {
    return restarting;
  }

  private void look() {
    if (!busy.compareAndSet(false, true)) {
      return;
    }
    onWorker(() -> database.postmaster().isPresent()).onComplete(alive -> {
      if (alive.failed() || alive.result()) {
        busy.set(false);
        return;
      }
      restarting = true;
      log.warn("The embedded PostgreSQL in {} is not running (its postmaster died): the node is not ready; restarting it",
          database.dataDirectory());
      restart(1, System.nanoTime());
    });
  }

  /** A task on the supervisor's own worker; failed, not thrown, once Vert.x has closed the worker. */
  private <T> Future<T> onWorker(Callable<T> task) {
    try {
      return worker.executeBlocking(task, false);
    } catch (RejectedExecutionException e) {
      return Future.failedFuture(e);
    }
  }

  private void restart(int attempt, long since) {
    onWorker(() -> {
      database.restart();
      return null;
    }).onComplete(done -> {
      if (done.failed() && done.cause() instanceof RejectedExecutionException) {
        return; // Vert.x is closing, and the database with it
      }
      if (done.succeeded()) {
        restarted.increment();
        restarting = false;
        busy.set(false);
        log.info("The embedded PostgreSQL runs again (attempt {}, {} ms after it was found dead): the node is ready", attempt,
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
        return;
      }
      failed.increment();
      long pause = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(attempt - 1, 5));
      log.warn("Restarting the embedded PostgreSQL failed (attempt {}), trying again in {} ms: {}", attempt, pause, done.cause().getMessage());
      vertx.setTimer(pause, t -> restart(attempt + 1, since));
    });
  }
}
