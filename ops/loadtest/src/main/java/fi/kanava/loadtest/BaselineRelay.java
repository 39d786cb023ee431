package fi.kanava.loadtest;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The baselines: a WebSocket relay with no authentication and no access check. A client sends
 * {@code {"join": "<room>"}} (answered with {@code {"joined": "<room>"}}), then
 * {@code {"room": "<room>", "text": "..."}} frames, each decoded and re-encoded and written to the
 * room's other members. Two verticle instances share the port, like Kanava's HTTP verticles.
 *
 * <p>The bare relay keeps rooms in memory and stores nothing. The durable relay ({@code --durable})
 * first inserts each message into PostgreSQL with group commit ({@link RelayStore}) and forwards it
 * only once its insert has committed; a message whose insert failed is answered
 * {@code {"error": "not_stored"}} and not forwarded. It connects as the PG* environment variables say.
 *
 * <p>{@code java -cp kanava-loadtest.jar fi.kanava.loadtest.BaselineRelay <port> [--durable]}
 */
public final class BaselineRelay extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(BaselineRelay.class);
  static final String LISTENING = "relay listening on";
  static final String DURABLE = "--durable";
  private static final int INSTANCES = 2;
  private static final Map<String, Set<ServerWebSocket>> ROOMS = new ConcurrentHashMap<>();

  private final int port;
  /** Null for the bare relay. */
  private final RelayStore store;

  BaselineRelay(int port, RelayStore store) {
    this.port = port;
    this.store = store;
  }

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 2 || args.length == 2 && !args[1].equals(DURABLE)) {
      System.err.println("Usage: java -cp kanava-loadtest.jar fi.kanava.loadtest.BaselineRelay <port> [" + DURABLE + "]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await(), "relay-shutdown"));
    Future<RelayStore> store = Future.succeededFuture();
    if (args.length == 2) {
      // one connection per instance: each event loop has at most one batch at the database
      Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(INSTANCES).setName("durable-relay"))
          .connectingTo(PgConnectOptions.fromEnv().setCachePreparedStatements(true)).using(vertx).build();
      store = pool.query("select 1").execute().map(ok -> new RelayStore(pool));
    }
    store.compose(s -> vertx.deployVerticle(() -> new BaselineRelay(port, s), new DeploymentOptions().setInstances(INSTANCES)))
        .onSuccess(id -> log.info("{} {} 127.0.0.1:{}", args.length == 2 ? "durable" : "bare", LISTENING, port))
        .onFailure(e -> {
          log.error("The relay did not start", e);
          System.exit(1);
        });
  }

  @Override
  public Future<?> start() {
    HttpServer server = vertx.createHttpServer()
        .webSocketHandler(this::connected)
        .requestHandler(request -> request.response().end("relay"));
    return server.listen(port, "127.0.0.1");
  }

  private void connected(ServerWebSocket ws) {
    String[] room = new String[1];
    ws.textMessageHandler(text -> {
      JsonObject frame;
      try {
        frame = new JsonObject(text);
      } catch (DecodeException e) {
        ws.writeTextMessage("{\"error\":\"malformed\"}");
        return;
      }
      String join = frame.getString("join");
      if (join != null) {
        room[0] = join;
        ROOMS.computeIfAbsent(join, r -> ConcurrentHashMap.newKeySet()).add(ws);
        ws.writeTextMessage(new JsonObject().put("joined", join).encode());
        return;
      }
      String to = frame.getString("room");
      Set<ServerWebSocket> members = to == null ? null : ROOMS.get(to);
      if (members == null) {
        ws.writeTextMessage("{\"error\":\"no_such_room\"}");
        return;
      }
      String body = frame.getString("text");
      String out = new JsonObject().put("room", to).put("text", body).encode();
      if (store == null) {
        forward(ws, members, out);
        return;
      }
      store.append(to, body == null ? "" : body).onComplete(stored -> {
        if (stored.succeeded()) {
          forward(ws, members, out);
        } else {
          ws.writeTextMessage("{\"error\":\"not_stored\"}");
        }
      });
    });
    ws.closeHandler(v -> {
      if (room[0] != null) {
        Set<ServerWebSocket> members = ROOMS.get(room[0]);
        if (members != null) {
          members.remove(ws);
        }
      }
    });
  }

  private static void forward(ServerWebSocket from, Set<ServerWebSocket> members, String frame) {
    for (ServerWebSocket member : members) {
      if (member != from) {
        member.writeTextMessage(frame);
      }
    }
  }
}
