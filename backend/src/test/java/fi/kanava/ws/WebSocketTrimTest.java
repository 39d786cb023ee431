package fi.kanava.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.lang.reflect.Field;
import java.util.EnumSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
@DisplayName("An open WebSocket lets go of what Vert.x keeps without needing it")
class WebSocketTrimTest {
  private static final int FRAMES = 500;

  private static Object read(Object target, String className, String field) throws ReflectiveOperationException {
    Field f = Class.forName(className).getDeclaredField(field);
    f.setAccessible(true);
    return f.get(target);
  }

  /** The upgrade factory still held by the socket's channel handler (null once released). */
  private static Object factoryOf(ServerWebSocket ws) throws ReflectiveOperationException {
    return read(((WebSocketInternal) ws).channelHandlerContext().handler(), "io.vertx.core.net.impl.VertxHandler", "connectionFactory");
  }

  /** The queue behind the socket connection's outbound message queue. */
  private static Object outboundQueueOf(ServerWebSocket ws) throws ReflectiveOperationException {
    Object conn = read(ws, "io.vertx.core.http.impl.WebSocketImplBase", "conn");
    Object outbound = read(conn, "io.vertx.core.net.impl.VertxConnection", "outboundMessageQueue");
    Object passing = read(outbound, "io.vertx.core.internal.concurrent.OutboundMessageQueue", "mqp");
    return read(passing, "io.vertx.core.streams.impl.MessagePassingQueue", "queue");
  }

  @Test
  @DisplayName("the upgrade (HTTP connection, request, token header) and the 4.7 KB outbound queue go, and the socket still"
      + " reads, writes a burst from another thread in order, and closes")
  void trimsAndKeepsWorking(Vertx vertx, VertxTestContext test) {
    HttpServer server = vertx.createHttpServer().webSocketHandshakeHandler(handshake -> handshake.accept().onSuccess(ws -> {
      test.verify(() -> {
        assertThat(factoryOf(ws)).as("Vert.x keeps the upgrade without the trim").isNotNull();
        assertThat(ws.headers().get("x-token")).isEqualTo("secret");
        Object before = outboundQueueOf(ws);
        assertThat(WebSocketTrim.trim(ws)).isEqualTo(EnumSet.allOf(WebSocketTrim.Trim.class));
        assertThat(factoryOf(ws)).isNull();
        assertThat(ws.headers().get("x-token")).isNull();
        assertThat(before).isNotInstanceOf(ConcurrentLinkedQueue.class);
        assertThat(outboundQueueOf(ws)).isInstanceOf(ConcurrentLinkedQueue.class);
      });
      ws.textMessageHandler(text -> {
        // more frames than a chunk holds, written from a thread that is not the socket's: they pass through the new queue
        new Thread(() -> {
          for (int i = 0; i < FRAMES; i++) {
            ws.writeTextMessage(text + " " + i);
          }
        }).start();
      });
      ws.closeHandler(v -> test.completeNow());
    })).webSocketHandler(ws -> { });
    WebSocketClient client = vertx.createWebSocketClient();
    AtomicInteger next = new AtomicInteger();
    server.listen(0).compose(s -> client.connect(new WebSocketConnectOptions().setPort(s.actualPort()).setHost("localhost")
        .setURI("/ws").addHeader("x-token", "secret"))).onComplete(test.succeeding(ws -> {
      ws.textMessageHandler(text -> {
        test.verify(() -> assertThat(text).isEqualTo("echo " + next.getAndIncrement()));
        if (next.get() == FRAMES) {
          ws.close();
        }
      });
      ws.writeTextMessage("echo");
    }));
  }
}
