package fi.kanava.loadtest;

import io.vertx.core.Context;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A chat client that resumes as docs/protocol.md says ("Sequence numbers, resync and retries"):
 * when its socket ends it connects again (with the same token, through the load balancer), reopens
 * each of its conversations after the last sequence number it holds, and keeps every message it has
 * sent and not yet seen acknowledged in an outbox, sending it again with the same client message id
 * once the conversation is open again. A send answered with a retryable error is sent again after a
 * growing wait. Everything runs on the client's event loop; only the ledgers and counters are shared.
 */
abstract class ResumingClient {
  /**
   * Answers after which the same frame is sent again: the protocol's retryable codes, and
   * {@code not_joined}, which a patient gets while its conversation is back in the queue (its
   * nurse went offline for longer than routing.offline-grace) until a nurse has accepted it again.
   */
  static final Set<String> RETRYABLE = Set.of("database_busy", "retry", "internal_error", "rate_limited", "not_joined");
  private static final long FIRST_BACKOFF_MS = 250;
  private static final long MAX_BACKOFF_MS = 4_000;

  protected final Context context;
  protected final PhaseStats stats;
  protected final Faults faults;
  protected final int textLength;
  private final Loops loops;
  private final int port;
  private String token;

  protected WebSocket ws;
  private boolean stopped;
  private int connections;
  private long reconnectBackoffMs = FIRST_BACKOFF_MS;
  /** The fault under which this client's current trouble began; null while all is well. */
  private Faults.Fault trouble;

  /** Per conversation: the highest sequence number held. */
  protected final Map<String, Long> lastSeq = new HashMap<>();
  /** Conversations opened on this socket and not yet synced: their outbox waits. */
  private final Set<String> syncing = new HashSet<>();
  /** Conversation id → (client message id → the send frame), in order of sending. */
  private final Map<String, LinkedHashMap<String, JsonObject>> outbox = new HashMap<>();
  private final Map<String, Integer> attempts = new HashMap<>();
  /** Conversations being resynchronised: the replay up to this number is what the client holds already. */
  private final Map<String, Long> resyncHeld = new HashMap<>();

  ResumingClient(Loops loops, int port, int textLength, PhaseStats stats, Faults faults) {
    this.context = loops.next();
    this.loops = loops;
    this.port = port;
    this.textLength = textLength;
    this.stats = stats;
    this.faults = faults;
  }

  /** Connects with {@code token}; called on the client's context. Reconnects on its own until {@link #stop}. */
  protected void connect(String accessToken) {
    this.token = accessToken;
    connect();
  }

  private void connect() {
    if (stopped) {
      return;
    }
    long started = System.nanoTime();
    loops.connect(port, "/ws", List.of("kanava.v1", "kanava.auth." + token)).onComplete(ar -> {
      if (ar.failed()) {
        stats.error(kind() + " connect failed: " + reason(ar.cause()));
        troubled();
        reconnectLater();
        return;
      }
      WebSocket socket = ar.result();
      if (stopped) {
        socket.close();
        return;
      }
      ws = socket;
      connections++;
      socket.textMessageHandler(text -> {
        JsonObject f = new JsonObject(text);
        if ("ready".equals(f.getString("type"))) {
          stats.setup.recordNanos(System.nanoTime() - started);
          reconnectBackoffMs = FIRST_BACKOFF_MS;
        }
        frame(f, text.length());
      });
      socket.exceptionHandler(e -> { /* the close handler follows */ });
      socket.closeHandler(v -> {
        if (ws != socket) {
          return;
        }
        ws = null;
        syncing.clear();
        if (!stopped) {
          troubled();
          reconnectLater();
        }
      });
    });
  }

  /** Why a connect failed, without anything variable (counted by kind): the exception, and a refused upgrade's status. */
  static String reason(Throwable e) {
    if (e instanceof UpgradeRejectedException u) {
      return "upgrade refused " + u.getStatus();
    }
    String message = String.valueOf(e.getMessage()).replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}|[0-9]+", "N");
    return e.getClass().getSimpleName() + ": " + message.substring(0, Math.min(80, message.length()));
  }

  private void reconnectLater() {
    long wait = reconnectBackoffMs;
    reconnectBackoffMs = Math.min(MAX_BACKOFF_MS, reconnectBackoffMs * 2);
    context.owner().setTimer(wait, t -> connect());
  }

  private void troubled() {
    if (trouble == null) {
      trouble = faults.troubled();
    }
  }

  /** Stops reconnecting and closes the socket. */
  void stop() {
    context.runOnContext(v -> {
      stopped = true;
      if (ws != null) {
        ws.closeHandler(null);
        ws.close();
      }
    });
  }

  int connections() {
    return connections;
  }

  /** "patient" or "nurse", for error counts. */
  protected abstract String kind();

  /** {@code ready}: the socket is authenticated; open what the client watches. */
  protected abstract void onReady();

  /** A {@code message} frame about conversation {@code id}, not a duplicate by sequence number. */
  protected abstract void onMessage(String conversationId, JsonObject f, int frameChars);

  /** Any other frame. */
  protected abstract void onOther(JsonObject f);

  /** The ledger side this client sends as. */
  protected abstract int side();

  protected abstract Ledger ledger(String conversationId);

  /** Starts watching a conversation this client knows from before: its outbox is sent once it is synced. */
  protected void open(String conversationId) {
    if (ws == null) {
      return;
    }
    syncing.add(conversationId);
    ws.writeTextMessage(new JsonObject().put("type", "conversation.open").put("ref", "open:" + conversationId)
        .put("conversationId", conversationId).put("afterSeq", lastSeq.getOrDefault(conversationId, 0L)).encode());
  }

  /** A conversation that this socket watches from now on without an open (queue.enter, accept). */
  protected void watching(String conversationId) {
    lastSeq.putIfAbsent(conversationId, 0L);
    outbox.computeIfAbsent(conversationId, k -> new LinkedHashMap<>());
  }

  /** Sends a new message (now, or when the conversation is open again). */
  protected void send(String conversationId, Payload p) {
    ledger(conversationId).sent(side(), p.number());
    stats.sent.increment();
    JsonObject frame = new JsonObject().put("type", "message.send").put("ref", "m:" + conversationId + ":" + p.id())
        .put("conversationId", conversationId).put("clientMsgId", p.id()).put("text", p.text(textLength));
    outbox.computeIfAbsent(conversationId, k -> new LinkedHashMap<>()).put(p.id(), frame);
    write(conversationId, frame);
  }

  private void write(String conversationId, JsonObject frame) {
    if (ws != null && !syncing.contains(conversationId)) {
      ws.writeTextMessage(frame.encode());
    }
  }

  private void frame(JsonObject f, int frameChars) {
    switch (f.getString("type", "")) {
      case "ready" -> onReady();
      case "message" -> {
        String id = f.getString("conversationId");
        long seq = f.getLong("seq", -1L);
        Long held = resyncHeld.get(id);
        if (held != null && seq <= held) {
          // conversation.resync replays the whole store: a number held already is matched, not delivered again
          return;
        }
        if (seq > lastSeq.getOrDefault(id, 0L)) {
          lastSeq.put(id, seq);
        }
        Ledger ledger = ledger(id);
        if (ledger != null && ledger.seq(receiverSide(), seq)) {
          onMessage(id, f, frameChars);
        }
      }
      case "message.ack" -> onAck(f);
      case "conversation.synced" -> onSynced(f.getString("conversationId"));
      case "conversation.resync" -> {
        String id = f.getString("conversationId");
        stats.error(kind() + " resynchronised by the server (conversation.resync)");
        resyncHeld.put(id, lastSeq.getOrDefault(id, 0L));
      }
      case "error" -> onError(f);
      default -> onOther(f);
    }
  }

  private int receiverSide() {
    return side() == Ledger.PATIENT ? Ledger.NURSE : Ledger.PATIENT;
  }

  private void onSynced(String conversationId) {
    resyncHeld.remove(conversationId);
    if (conversationId == null || !syncing.remove(conversationId)) {
      return;
    }
    LinkedHashMap<String, JsonObject> waiting = outbox.get(conversationId);
    if (waiting != null && ws != null) {
      waiting.values().forEach(frame -> ws.writeTextMessage(frame.encode()));
    }
  }

  private void onAck(JsonObject f) {
    String conversationId = f.getString("conversationId");
    String clientMsgId = f.getString("clientMsgId");
    LinkedHashMap<String, JsonObject> waiting = outbox.get(conversationId);
    if (waiting == null || waiting.remove(clientMsgId) == null) {
      return;
    }
    attempts.remove(conversationId + ":" + clientMsgId);
    ledger(conversationId).acked(side(), Integer.parseInt(clientMsgId.substring(1)));
    stats.acked.increment();
    resumed();
    onAcked(conversationId);
  }

  /** The client works again: if it had trouble, the time since its fault began is recorded. */
  protected void resumed() {
    if (trouble != null) {
      Faults.resumed(trouble);
      trouble = null;
    }
  }

  /** A message of this client's in {@code conversationId} was acknowledged. */
  protected void onAcked(String conversationId) {}

  private void onError(JsonObject f) {
    String code = f.getString("code", "");
    String ref = f.getString("ref", "");
    stats.error("error frame to " + kind() + ": " + code + (ref.startsWith("m:") ? " on send" : ref.startsWith("open:") ? " on open" : ""));
    if (!RETRYABLE.contains(code)) {
      onOther(f);
      return;
    }
    troubled();
    if (ref.startsWith("m:")) {
      int at = ref.lastIndexOf(':');
      String conversationId = ref.substring(2, at);
      String clientMsgId = ref.substring(at + 1);
      later(conversationId + ":" + clientMsgId, () -> {
        LinkedHashMap<String, JsonObject> waiting = outbox.get(conversationId);
        JsonObject frame = waiting == null ? null : waiting.get(clientMsgId);
        if (frame != null) {
          write(conversationId, frame);
        }
      });
    } else if (ref.startsWith("open:")) {
      String conversationId = ref.substring(5);
      later("open:" + conversationId, () -> {
        if (ws != null) {
          open(conversationId);
        }
      });
    } else {
      later(ref, () -> onRetry(ref));
    }
  }

  /** Another retryable request (by its ref) failed and its wait is over. */
  protected void onRetry(String ref) {}

  /** Runs {@code action} after 0.5 s doubling per attempt of {@code key}, at most {@link #MAX_BACKOFF_MS}. */
  private void later(String key, Runnable action) {
    int n = attempts.merge(key, 1, Integer::sum);
    long wait = Math.min(MAX_BACKOFF_MS, 500L << Math.min(10, n - 1));
    context.owner().setTimer(wait, t -> action.run());
  }

  /** Drops the outbox entries of a conversation that ended for good. */
  protected void forget(String conversationId) {
    outbox.remove(conversationId);
    for (Iterator<String> i = attempts.keySet().iterator(); i.hasNext(); ) {
      if (i.next().startsWith(conversationId + ":")) {
        i.remove();
      }
    }
  }
}
