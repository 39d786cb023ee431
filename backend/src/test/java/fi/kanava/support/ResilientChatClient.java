package fi.kanava.support;

import io.vertx.core.Context;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A chat client for fault drills that behaves as the web client does: when its socket ends it
 * connects again, reopens its conversation after the last message it has, and keeps every message
 * that is not yet acknowledged in an outbox, resending it with the same client message id until it
 * is acknowledged or refused for good. It counts how often each message reached it, so a drill can
 * show each was delivered exactly once.
 *
 * <p>Everything runs on one Vert.x context. State changes are published under this object's
 * monitor; the test thread waits on them with {@link #awaitState}, never by sleeping. The only
 * timers are the client's own back-off before reconnecting or resending, as a real client has.
 */
public final class ResilientChatClient implements AutoCloseable {
  /** Answers after which the same send (same client message id) is tried again. */
  public static final Set<String> RETRYABLE = Set.of("database_busy", "retry", "internal_error", "rate_limited");
  private static final long BACKOFF_MS = 200;
  private static final long RATE_LIMIT_BACKOFF_MS = 1_000;
  private static final long WAIT_MS = 60_000;
  private static final String OPEN_REF = "open";

  private final TestApp t;
  private final String name;
  private final String token;
  private final String conversationId;
  private final Context context;
  private final WebSocketClient client;

  // all fields below: written on the context, under this monitor
  private WebSocket socket;
  private boolean synced;
  private boolean closed;
  private long lastSeq;
  private long sendTimer = -1;
  private int sent;
  private int connections;
  private final Map<Long, Integer> deliveries = new HashMap<>();
  private final Map<Long, JsonObject> messages = new HashMap<>();
  private final LinkedHashMap<String, String> outbox = new LinkedHashMap<>();
  private final Map<String, Long> acked = new LinkedHashMap<>();
  private final Map<String, String> refused = new LinkedHashMap<>();
  private final Map<String, Integer> errorCodes = new HashMap<>();
  /** Sends answered with a retryable error, resent together after the back-off. */
  private final Set<String> toRetry = new java.util.LinkedHashSet<>();

  public ResilientChatClient(TestApp t, String name, String token, String conversationId) {
    this.t = t;
    this.name = name;
    this.token = token;
    this.conversationId = conversationId;
    this.context = t.vertx.getOrCreateContext();
    this.client = t.vertx.createWebSocketClient();
    context.runOnContext(v -> connect());
  }

  /** Sends one message now (or as soon as the conversation is open again). */
  public void send() {
    context.runOnContext(v -> sendNext());
  }

  /** Sends a message every {@code periodMs} until {@link #stopSending}. */
  public void startSending(long periodMs) {
    context.runOnContext(v -> {
      synchronized (this) {
        sendTimer = t.vertx.setPeriodic(periodMs, id -> sendNext());
      }
    });
  }

  public void stopSending() {
    context.runOnContext(v -> {
      synchronized (this) {
        if (sendTimer >= 0) {
          t.vertx.cancelTimer(sendTimer);
          sendTimer = -1;
        }
        notifyAll();
      }
    });
  }

  private synchronized void sendNext() {
    if (closed) {
      return;
    }
    String clientMsgId = name + "-" + (++sent);
    outbox.put(clientMsgId, "Viesti " + clientMsgId);
    if (synced) {
      write(clientMsgId);
    }
    notifyAll();
  }

  private synchronized void write(String clientMsgId) {
    String text = outbox.get(clientMsgId);
    if (socket == null || text == null) {
      return;
    }
    socket.writeTextMessage(ChatFixtures.send(conversationId, clientMsgId, text).put("ref", clientMsgId).encode());
  }

  private void connect() {
    synchronized (this) {
      if (closed) {
        return;
      }
    }
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(t.app.port()).setURI("/ws")
        .setSubProtocols(List.of("kanava.v1", "kanava.auth." + token));
    client.connect(options).onComplete(ar -> {
      if (ar.failed()) {
        reconnectLater();
        return;
      }
      WebSocket ws = ar.result();
      synchronized (this) {
        if (closed) {
          ws.close();
          return;
        }
        socket = ws;
        synced = false;
        connections++;
        notifyAll();
      }
      ws.textMessageHandler(text -> onFrame(ws, new JsonObject(text)));
      ws.exceptionHandler(e -> { /* the close handler follows */ });
      ws.closeHandler(v -> {
        synchronized (this) {
          if (socket != ws) {
            return;
          }
          socket = null;
          synced = false;
          notifyAll();
        }
        reconnectLater();
      });
    });
  }

  private void reconnectLater() {
    t.vertx.setTimer(BACKOFF_MS, id -> connect());
  }

  private synchronized void onFrame(WebSocket ws, JsonObject frame) {
    if (socket != ws) {
      return;
    }
    String ref = frame.getString("ref");
    switch (frame.getString("type")) {
      case "ready" -> open(ws);
      case "message" -> {
        long seq = frame.getLong("seq");
        deliveries.merge(seq, 1, Integer::sum);
        messages.put(seq, frame);
        lastSeq = Math.max(lastSeq, seq);
      }
      case "conversation.synced" -> {
        synced = true;
        toRetry.clear();
        List.copyOf(outbox.keySet()).forEach(this::write);
      }
      case "message.ack" -> {
        String clientMsgId = frame.getString("clientMsgId");
        outbox.remove(clientMsgId);
        acked.put(clientMsgId, frame.getLong("seq"));
      }
      case "error" -> {
        String code = frame.getString("code");
        errorCodes.merge(code, 1, Integer::sum);
        if (ref == null && "rate_limited".equals(code)) {
          // the refusal does not say which frame it answers: everything unanswered goes again once the bucket refills
          if (toRetry.isEmpty()) {
            t.vertx.setTimer(RATE_LIMIT_BACKOFF_MS, id -> retry(ws));
          }
          toRetry.addAll(outbox.keySet());
        } else if (OPEN_REF.equals(ref)) {
          t.vertx.setTimer(BACKOFF_MS, id -> open(ws));
        } else if (ref != null && outbox.containsKey(ref)) {
          if (RETRYABLE.contains(code)) {
            if (toRetry.isEmpty()) {
              t.vertx.setTimer(BACKOFF_MS, id -> retry(ws));
            }
            toRetry.add(ref);
          } else {
            outbox.remove(ref);
            refused.put(ref, code);
          }
        }
      }
      default -> { /* state, typing, read: not this client's business */ }
    }
    notifyAll();
  }

  private synchronized void retry(WebSocket ws) {
    List<String> again = List.copyOf(toRetry);
    toRetry.clear();
    if (socket == ws && synced) {
      again.forEach(this::write);
    }
  }

  private synchronized void open(WebSocket ws) {
    if (socket == ws) {
      ws.writeTextMessage(new JsonObject().put("type", "conversation.open").put("conversationId", conversationId)
          .put("afterSeq", lastSeq).put("ref", OPEN_REF).encode());
    }
  }

  /** Loses the connection as a phone going through a tunnel does: the client reconnects by itself. */
  public void dropConnection() {
    context.runOnContext(v -> {
      WebSocket ws;
      synchronized (this) {
        ws = socket;
      }
      if (ws != null) {
        ws.close();
      }
    });
  }

  /** Waits until the client's state satisfies the condition; fails with the client's state after a minute. */
  public void awaitState(String what, Predicate<ResilientChatClient> condition) {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    synchronized (this) {
      while (!condition.test(this)) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError(name + ": timed out waiting until " + what + "; " + this);
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  public synchronized int ackCount() {
    return acked.size();
  }

  public synchronized boolean outboxEmpty() {
    return outbox.isEmpty();
  }

  public synchronized long lastSeq() {
    return lastSeq;
  }

  public synchronized int connections() {
    return connections;
  }

  public synchronized boolean sawError(String code) {
    return errorCodes.containsKey(code);
  }

  public synchronized Map<String, Long> acked() {
    return Map.copyOf(acked);
  }

  public synchronized Map<String, String> refused() {
    return Map.copyOf(refused);
  }

  /** How many times each sequence number was delivered to this client. */
  public synchronized Map<Long, Integer> deliveries() {
    return Map.copyOf(deliveries);
  }

  @Override
  public synchronized String toString() {
    return name + "[connections=" + connections + ", synced=" + synced + ", sent=" + sent + ", acked=" + acked.size()
        + ", outbox=" + outbox.size() + " " + outbox.keySet().stream().limit(3).toList() + ", refused=" + refused + ", errors=" + errorCodes + ", lastSeq=" + lastSeq + "]";
  }

  @Override
  public void close() {
    WebSocket last;
    synchronized (this) {
      closed = true;
      if (sendTimer >= 0) {
        t.vertx.cancelTimer(sendTimer);
      }
      last = socket;
      socket = null;
    }
    if (last != null) {
      TestApp.await(last.close().recover(e -> io.vertx.core.Future.succeededFuture()));
    }
    TestApp.await(client.close());
  }
}
