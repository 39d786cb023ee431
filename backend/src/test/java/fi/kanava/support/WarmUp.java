package fi.kanava.support;

import fi.kanava.infra.DbTarget;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;

/**
 * Loads the reactive PostgreSQL client's classes, and binds an HTTP server and opens a WebSocket to
 * it (Vert.x links the lambdas of its server bind on the event loop the first time), once per test
 * JVM on a Vert.x with the default (lenient) blocked-thread limit. Class loading on a cold JVM can take a few hundred milliseconds
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
      HttpServer server = TestApp.await(vertx.createHttpServer()
          .requestHandler(request -> request.response().end("ok"))
          .webSocketHandler(ws -> ws.writeTextMessage("{}").onComplete(done -> ws.close()))
          .listen(0, "127.0.0.1"));
      HttpClient client = vertx.createHttpClient();
      TestApp.await(client.request(HttpMethod.GET, server.actualPort(), "127.0.0.1", "/")
          .compose(request -> request.send())
          .compose(response -> response.body()));
      TestApp.await(vertx.createWebSocketClient().connect(server.actualPort(), "127.0.0.1", "/").compose(ws -> ws.close()));
      TestApp.await(server.close());
    } finally {
      TestApp.await(vertx.close());
    }
    done = true;
  }
}
