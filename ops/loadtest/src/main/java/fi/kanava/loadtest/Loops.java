package fi.kanava.loadtest;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The harness's event loops and its WebSocket clients (one per source address, {@code --source-addresses}).
 * Each simulated party is pinned to one
 * loop (round robin), and its socket is opened from that loop, so the socket's handlers, its
 * timers and its state all live on one thread.
 */
final class Loops {
  private final List<Context> contexts;
  private final AtomicInteger next = new AtomicInteger();
  /** One client per loopback source address (127.0.0.1, .2, ...), taken in turn. */
  private final List<WebSocketClient> clients;
  private final AtomicInteger nextClient = new AtomicInteger();

  private Loops(List<Context> contexts, List<WebSocketClient> clients) {
    this.contexts = contexts;
    this.clients = clients;
  }

  /** One do-nothing verticle per loop: each deployment instance gets its own event-loop context. */
  private static final class Loop extends VerticleBase {
    private final List<Context> out;

    Loop(List<Context> out) {
      this.out = out;
    }

    @Override
    public Future<?> start() {
      out.add(context);
      return Future.succeededFuture();
    }
  }

  static Loops start(Vertx vertx, int count, int sourceAddresses) throws Exception {
    if (sourceAddresses < 1 || sourceAddresses > 254) {
      throw new IllegalArgumentException("--source-addresses is 1 to 254");
    }
    List<Context> contexts = new CopyOnWriteArrayList<>();
    vertx.deployVerticle(() -> new Loop(contexts), new DeploymentOptions().setInstances(count)).await(30, TimeUnit.SECONDS);
    List<WebSocketClient> clients = new java.util.ArrayList<>();
    for (int i = 1; i <= sourceAddresses; i++) {
      WebSocketClientOptions options = new WebSocketClientOptions()
          .setMaxConnections(200_000)
          .setConnectTimeout(20_000)
          .setMaxFrameSize(65_536)
          .setMaxMessageSize(262_144);
      if (sourceAddresses > 1) {
        // all of 127.0.0.0/8 is loopback on Linux: each address has its own ephemeral ports
        options.setLocalAddress("127.0.0." + i);
      }
      clients.add(vertx.createWebSocketClient(options));
    }
    return new Loops(List.copyOf(contexts), List.copyOf(clients));
  }

  Context next() {
    return contexts.get(Math.floorMod(next.getAndIncrement(), contexts.size()));
  }

  /** Runs {@code work} on {@code context} and hands back its result (from any thread). */
  static <T> Future<T> on(Context context, Supplier<Future<T>> work) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        work.get().onComplete(promise);
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  /** Opens a WebSocket to 127.0.0.1 (from the next source address); call it on the context the socket should live on. */
  Future<WebSocket> connect(int port, String uri, List<String> subprotocols) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI(uri)
        .setTimeout(30_000).setAllowOriginHeader(false);
    if (!subprotocols.isEmpty()) {
      options.setSubProtocols(subprotocols);
    }
    return clients.get(Math.floorMod(nextClient.getAndIncrement(), clients.size())).connect(options);
  }
}
