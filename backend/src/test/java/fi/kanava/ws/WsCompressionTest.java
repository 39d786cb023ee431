package fi.kanava.ws;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.TestApp;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("WebSocket compression (ws.compression)")
class WsCompressionTest {

  /** What the server answers a client that asks for permessage-deflate, as browsers always do. */
  private static String extensionsAgreed(TestApp t) {
    var client = t.vertx.createWebSocketClient(new WebSocketClientOptions().setTryUsePerMessageCompression(true));
    WebSocket ws = TestApp.await(client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(t.app.port())
        .setURI("/ws").setSubProtocols(List.of(WebSocketEndpoint.PROTOCOL))));
    String agreed = ws.headers().get("sec-websocket-extensions");
    TestApp.await(ws.close());
    return agreed;
  }

  @Test
  @DisplayName("is off by default: a browser's permessage-deflate is declined, so no socket keeps zlib's state")
  void offByDefault() {
    try (TestApp t = TestApp.start()) {
      assertThat(extensionsAgreed(t)).isNull();
    }
  }

  @Test
  @DisplayName("when turned on, permessage-deflate is agreed")
  void onWhenConfigured() {
    try (TestApp t = TestApp.start(Map.of("ws.compression", "true"))) {
      assertThat(extensionsAgreed(t)).startsWith("permessage-deflate");
    }
  }
}
