package fi.kanava.support;

import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A real WebSocket client of /ws for tests. Every frame received is kept; {@link #await} waits
 * (on the arrival of frames, never by sleeping) for the next unconsumed frame that matches.
 */
public final class WsClient implements AutoCloseable {
  private static final long TIMEOUT_MS = 15_000;
  private static final AtomicInteger REFS = new AtomicInteger();

  private final WebSocketClient client;
  private final WebSocket socket;
  private final List<JsonObject> received = new ArrayList<>();
  private final List<Boolean> consumed = new ArrayList<>();
  private volatile boolean closed;
  private volatile Short closeCode;

  private WsClient(WebSocketClient client, WebSocket socket) {
    this.client = client;
    this.socket = socket;
    socket.textMessageHandler(text -> {
      synchronized (received) {
        received.add(new JsonObject(text));
        consumed.add(false);
        received.notifyAll();
      }
    });
    socket.closeHandler(v -> {
      closeCode = socket.closeStatusCode();
      closed = true;
      synchronized (received) {
        received.notifyAll();
      }
    });
  }

  /** Connects with the token in the subprotocol header and waits for {@code ready}. */
  public static WsClient connect(TestApp t, String accessToken) {
    return connect(t, t.app.port(), accessToken);
  }

  /** As {@link #connect(TestApp, String)}, to another node listening on {@code port} (one sharing the test's Vert.x). */
  public static WsClient connect(TestApp t, int port, String accessToken) {
    WsClient ws = openWith(t, port, List.of("kanava.v1", "kanava.auth." + accessToken), java.util.Map.of());
    ws.await(f -> f.getString("type").equals("ready"));
    return ws;
  }

  /** Connects with the token as {@link #connect(TestApp, String)} does, sending the given headers (an X-Forwarded-For, say). */
  public static WsClient connect(TestApp t, String accessToken, java.util.Map<String, String> headers) {
    WsClient ws = openWith(t, t.app.port(), List.of("kanava.v1", "kanava.auth." + accessToken), headers);
    ws.await(f -> f.getString("type").equals("ready"));
    return ws;
  }

  /** Connects offering only kanava.v1 (authenticate with an auth frame), optionally with an Origin header. */
  public static WsClient open(TestApp t, List<String> protocols, String origin) {
    return openWith(t, t.app.port(), protocols, origin == null ? java.util.Map.of() : java.util.Map.of("origin", origin));
  }

  private static WsClient openWith(TestApp t, int port, List<String> protocols, java.util.Map<String, String> headers) {
    WebSocketClient client = t.vertx.createWebSocketClient();
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/ws")
        .setSubProtocols(protocols);
    headers.forEach(options::addHeader);
    // handlers are set on the event loop as the connection completes, so no early frame is missed
    return TestApp.await(client.connect(options).map(socket -> new WsClient(client, socket)));
  }

  public void send(JsonObject frame) {
    TestApp.await(socket.writeTextMessage(frame.encode()));
  }

  public void sendText(String text) {
    TestApp.await(socket.writeTextMessage(text));
  }

  /** Sends with a fresh ref and waits for the reply (or the error) carrying it. */
  public JsonObject request(JsonObject frame) {
    String ref = "r" + REFS.incrementAndGet();
    send(frame.copy().put("ref", ref));
    return await(f -> ref.equals(f.getString("ref")));
  }

  /** The next not yet consumed frame that matches, waiting for it to arrive. */
  public JsonObject await(Predicate<JsonObject> match) {
    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
    synchronized (received) {
      while (true) {
        for (int i = 0; i < received.size(); i++) {
          if (!consumed.get(i) && match.test(received.get(i))) {
            consumed.set(i, true);
            return received.get(i);
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (closed || left <= 0) {
          throw new AssertionError((closed ? "socket closed" : "timed out") + " waiting for a frame; got " + received);
        }
        try {
          received.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  public JsonObject awaitType(String type) {
    return await(f -> type.equals(f.getString("type")));
  }

  /** Waits until the server has closed the socket; returns the close code. */
  public Short awaitClose() {
    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
    synchronized (received) {
      while (!closed) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("the socket did not close");
        }
        try {
          received.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
    return closeCode;
  }

  /** Every frame received so far of a type, consumed or not. */
  public List<JsonObject> all(String type) {
    synchronized (received) {
      return received.stream().filter(f -> type.equals(f.getString("type"))).toList();
    }
  }

  /** Every frame received so far, consumed or not, in arrival order. */
  public List<JsonObject> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      TestApp.await(socket.close().recover(e -> io.vertx.core.Future.succeededFuture()));
    }
    TestApp.await(client.close());
  }
}
