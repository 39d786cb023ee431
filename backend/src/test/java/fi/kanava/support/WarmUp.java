package fi.kanava.support;

import fi.kanava.infra.DbTarget;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;

/**
 * Loads the reactive PostgreSQL client's classes once per test JVM on a Vert.x with the default
 * (lenient) blocked-thread limit. Class loading on a cold JVM can take a few hundred milliseconds
 * on a busy two-core machine; it happens once per process and says nothing about the code under
 * test, which then runs with the strict limit.
 */
final class WarmUp {
  private static boolean done;

  private WarmUp() {}

  static synchronized void once(DbTarget db) {
    if (done) {
      return;
    }
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = PgBuilder.pool().connectingTo(db.connectOptions()).using(vertx).build();
      TestApp.await(pool.query("select 1").execute());
      TestApp.await(pool.close());
    } finally {
      TestApp.await(vertx.close());
    }
    done = true;
  }
}
