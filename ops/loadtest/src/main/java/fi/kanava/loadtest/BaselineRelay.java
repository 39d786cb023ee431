package fi.kanava.loadtest;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bare baseline: an in-memory WebSocket relay with no persistence and no authentication.
 * A client sends {@code {"join": "<room>"}} (answered with {@code {"joined": "<room>"}}), then
 * {@code {"room": "<room>", "text": "..."}} frames, each decoded and re-encoded and written to the
 * room's other members. Two verticle instances share the port, like Kanava's HTTP verticles.
 *
 * <p>{@code java -cp kanava-loadtest.jar fi.kanava.loadtest.BaselineRelay <port>}
 */
public final class BaselineRelay extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(BaselineRelay.class);
  static final String LISTENING = "relay listening on";
  private static final Map<String, Set<ServerWebSocket>> ROOMS = new ConcurrentHashMap<>();

  private final int port;

  BaselineRelay(int port) {
    this.port = port;
  }

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("Usage: java -cp kanava-loadtest.jar fi.kanava.loadtest.BaselineRelay <port>");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    Vertx vertx = Vertx.vertx();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await(), "relay-shutdown"));
    vertx.deployVerticle(() -> new BaselineRelay(port), new DeploymentOptions().setInstances(2))
        .onSuccess(id -> log.info("{} 127.0.0.1:{}", LISTENING, port))
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
      String out = new JsonObject().put("room", to).put("text", frame.getString("text")).encode();
      for (ServerWebSocket member : members) {
        if (member != ws) {
          member.writeTextMessage(out);
        }
      }
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
}
