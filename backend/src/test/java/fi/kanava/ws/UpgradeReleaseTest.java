package fi.kanava.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.lang.reflect.Field;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("An open WebSocket lets go of its HTTP upgrade")
class UpgradeReleaseTest {

  /** The upgrade factory still held by the socket's channel handler (null once released). */
  private static Object factoryOf(ServerWebSocket ws) throws ReflectiveOperationException {
    Object handler = ((WebSocketInternal) ws).channelHandlerContext().handler();
    Field f = Class.forName("io.vertx.core.net.impl.VertxHandler").getDeclaredField("connectionFactory");
    f.setAccessible(true);
    return f.get(handler);
  }

  @Test
  @DisplayName("the handler's upgrade factory (which holds the HTTP connection, the request and the token header) is cleared,"
      + " and the socket goes on reading, writing and closing as before")
  void releasesTheUpgradeAndKeepsWorking(Vertx vertx, VertxTestContext test) {
    assertThat(UpgradeRelease.available()).as("this Vert.x has the field UpgradeRelease clears: see its comment").isTrue();
    HttpServer server = vertx.createHttpServer().webSocketHandshakeHandler(handshake -> handshake.accept().onSuccess(ws -> {
      test.verify(() -> {
        assertThat(factoryOf(ws)).as("Vert.x keeps the upgrade without the release").isNotNull();
        assertThat(UpgradeRelease.release(ws)).isTrue();
        assertThat(factoryOf(ws)).isNull();
      });
      ws.textMessageHandler(text -> ws.writeTextMessage("echo " + text));
      ws.closeHandler(v -> test.completeNow());
    })).webSocketHandler(ws -> { });
    WebSocketClient client = vertx.createWebSocketClient();
    server.listen(0).compose(s -> client.connect(s.actualPort(), "localhost", "/ws")).onComplete(test.succeeding(ws -> {
      ws.textMessageHandler(text -> {
        test.verify(() -> assertThat(text).isEqualTo("echo hello"));
        ws.close();
      });
      ws.writeTextMessage("hello");
    }));
  }
}
