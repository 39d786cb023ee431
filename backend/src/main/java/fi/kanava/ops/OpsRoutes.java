package fi.kanava.ops;

import fi.kanava.infra.Http;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.SystemAction;
import fi.kanava.auth.Authenticator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Operations endpoints. Health probes are open (they carry no data); {@code /metrics} needs the
 * configured scrape token or the access token of someone allowed to read figures.
 */
public final class OpsRoutes {
  private final Pool pool;
  private final PrometheusMeterRegistry registry;
  private final Optional<String> scrapeToken;
  private final Authenticator authenticator;
  private final AccessGuard guard;
  private final java.time.Duration readyTimeout;
  private final BooleanSupplier databaseRestarting;
  private final Drain drain;

  /**
   * {@code databaseRestarting}: true while the supervised embedded database is being restarted;
   * {@code drain}: the node's drain, begun when it is being stopped.
   */
  public OpsRoutes(Pool pool, PrometheusMeterRegistry registry, Optional<String> scrapeToken, Authenticator authenticator, AccessGuard guard,
      java.time.Duration readyTimeout, BooleanSupplier databaseRestarting, Drain drain) {
    this.drain = drain;
    this.readyTimeout = readyTimeout;
    this.databaseRestarting = databaseRestarting;
    this.pool = pool;
    this.registry = registry;
    this.scrapeToken = scrapeToken;
    this.authenticator = authenticator;
    this.guard = guard;
  }

  public void mount(Router router) {
    router.get("/health/live").handler(Http.json(ctx -> Future.succeededFuture(new JsonObject().put("status", "up"))));
    router.get("/health/ready").handler(this::ready);
    router.get("/metrics").handler(this::metrics);
  }

  /**
   * Up when the database answers within db.ready-check-timeout; down (503) otherwise, answered
   * within that bound whatever the database does, and at once while the embedded database is
   * being restarted or the node drains before stopping.
   */
  private void ready(RoutingContext ctx) {
    if (drain.draining()) {
      Http.write(ctx, 503, new JsonObject().put("status", "draining"));
      return;
    }
    if (databaseRestarting.getAsBoolean()) {
      Http.write(ctx, 503, new JsonObject().put("status", "down").put("database", "restarting"));
      return;
    }
    java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
    long timer = ctx.vertx().setTimer(readyTimeout.toMillis(), t -> {
      if (answered.compareAndSet(false, true)) {
        Http.write(ctx, 503, new JsonObject().put("status", "down").put("database", "not answering"));
      }
    });
    pool.query("select 1").execute().onComplete(ar -> {
      ctx.vertx().cancelTimer(timer);
      if (answered.compareAndSet(false, true)) {
        Http.write(ctx, ar.succeeded() ? 200 : 503, new JsonObject().put("status", ar.succeeded() ? "up" : "down")
            .put("database", ar.succeeded() ? "up" : "down"));
      }
    });
  }

  private void metrics(RoutingContext ctx) {
    String header = ctx.request().getHeader("authorization");
    String token = Authenticator.bearerToken(header);
    Future<Void> allowed =
        token != null && scrapeToken.isPresent() && constantTimeEquals(token, scrapeToken.get())
            ? Future.succeededFuture()
            : authenticator.authenticate(header).compose(p -> guard.require(p, SystemAction.READ_FIGURES, "metrics"));
    // the exposition of a few hundred meters with their histogram buckets takes tens of milliseconds (hundreds
    // on a busy machine): it is written on a worker, never on an event loop
    allowed
        .compose(v -> ctx.vertx().executeBlocking(registry::scrape, false))
        .onSuccess(text -> ctx.response()
            .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
            .putHeader("cache-control", "no-store")
            .end(text))
        .onFailure(ctx::fail);
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
