package fi.kanava;

import fi.kanava.auth.Logins;
import fi.kanava.auth.Patients;
import fi.kanava.auth.Revocations;
import fi.kanava.infra.AbuseMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's slow timer: forgets sign-in failure counts and token revocations that no longer matter
 * and purges stale anonymous patients ({@code abuse.anonymous-retention}). Every node runs it; the deletes are
 * idempotent, so nodes racing each other are harmless. Tests call {@link #run} after moving the clock.
 */
public final class Maintenance {
  private static final Logger log = LoggerFactory.getLogger(Maintenance.class);
  static final Duration INTERVAL = Duration.ofMinutes(10);

  private final Vertx vertx;
  private final Logins logins;
  private final Patients patients;
  private final Revocations revocations;
  private final Duration anonymousRetention;
  private final AbuseMetrics metrics;

  Maintenance(Vertx vertx, Logins logins, Patients patients, Revocations revocations, Duration anonymousRetention,
      AbuseMetrics metrics) {
    this.vertx = vertx;
    this.logins = logins;
    this.patients = patients;
    this.revocations = revocations;
    this.anonymousRetention = anonymousRetention;
    this.metrics = metrics;
  }

  void start() {
    vertx.setPeriodic(INTERVAL.toMillis(), t -> run().onFailure(e -> log.warn("Purging stale anonymous patients failed", e)));
  }

  /** One pass; a failure of one purge does not keep the next from running. */
  public Future<Void> run() {
    return logins.purgeStale()
        .<Void>mapEmpty()
        .recover(e -> {
          log.warn("Purging stale sign-in failure counts failed", e);
          return Future.succeededFuture();
        })
        .compose(v -> revocations.purge())
        .<Void>mapEmpty()
        .recover(e -> {
          log.warn("Purging expired token revocations failed", e);
          return Future.succeededFuture();
        })
        .compose(v -> patients.purgeStale(anonymousRetention))
        .map(purged -> {
          if (purged > 0) {
            log.info("Purged {} stale anonymous patients", purged);
            metrics.purged(purged);
          }
          return null;
        });
  }
}
