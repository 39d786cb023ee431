package fi.kanava.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * One anonymous patient: opens a session, connects, enters the load-test queue, waits to be
 * accepted, sends messages at a fixed pace, and finally sends a last message and waits for the
 * nurse to close the conversation. Everything runs on the patient's event loop.
 */
final class PatientSim implements Pair {
  static final String QUEUE = "loadtest";

  private final Context context;
  private final Loops loops;
  private final KanavaApi api;
  private final int port;
  private final int textLength;
  private final long timeoutMs;
  private final PhaseStats stats;
  private final Promise<Void> ready = Promise.promise();
  private final Promise<Void> accepted = Promise.promise();
  private final Promise<Void> closed = Promise.promise();
  private WebSocket ws;
  private Ledger ledger;
  private String conversationId;
  private long enterNanos;
  private int next;
  private long timer = -1;
  private boolean finishing;

  PatientSim(Loops loops, KanavaApi api, int port, int textLength, long timeoutMs, PhaseStats stats) {
    this.context = loops.next();
    this.loops = loops;
    this.api = api;
    this.port = port;
    this.textLength = textLength;
    this.timeoutMs = timeoutMs;
    this.stats = stats;
  }

  /**
   * The chat phase's patient: open, enter, then {@code chatMs / intervalMs} messages, one every
   * {@code intervalMs} starting at acceptance, the last one marked; the nurse answers it and closes.
   */
  Future<Void> chat(long intervalMs, long chatMs) {
    int messages = (int) Math.max(1, chatMs / intervalMs);
    return open().compose(v -> enter()).compose(v -> Loops.on(context, () -> {
      send(messages == 1);
      if (messages > 1) {
        timer = context.owner().setPeriodic(intervalMs, t -> {
          boolean last = next >= messages - 1;
          send(last);
          if (last) {
            cancelTimer();
          }
        });
      }
      return timed(closed, chatMs + timeoutMs, "conversation not closed");
    })).eventually(this::close).recover(e -> abandon());
  }

  /** Session, socket and {@code ready}; the set-up time is connect to {@code ready}. */
  Future<Void> open() {
    return Loops.on(context, () -> api.patientSession()
        .recover(e -> {
          stats.error("patient session failed");
          return Future.failedFuture(e);
        })
        .compose(token -> {
          long started = System.nanoTime();
          return loops.connect(port, "/ws", List.of("kanava.v1", "kanava.auth." + token))
              .recover(e -> {
                stats.error("connect failed: " + e.getClass().getSimpleName());
                return Future.failedFuture(e);
              })
              .compose(socket -> {
                ws = socket;
                ws.textMessageHandler(this::onText);
                ws.closeHandler(v -> onClosedByServer());
                return timed(ready, "no ready frame").onSuccess(x -> stats.setup.recordNanos(System.nanoTime() - started));
              });
        }));
  }

  /** Sends {@code queue.enter} and waits for the conversation to be accepted by a nurse. */
  Future<Void> enter() {
    return Loops.on(context, () -> {
      enterNanos = System.nanoTime();
      write(new JsonObject().put("type", "queue.enter").put("ref", "enter").put("queueId", QUEUE).put("language", "fi")
          .put("answers", new JsonObject().put("topic", "other")));
      return timed(accepted, "not accepted");
    });
  }

  @Override
  public void startSending(long intervalMs, long initialDelayMs) {
    context.runOnContext(v -> {
      cancelTimer();
      if (finishing) {
        return;
      }
      timer = context.owner().setTimer(Math.max(1, initialDelayMs), t -> {
        timer = context.owner().setPeriodic(Math.max(1, intervalMs), p -> send(false));
        send(false);
      });
    });
  }

  @Override
  public void stopSending() {
    context.runOnContext(v -> cancelTimer());
  }

  /** Stops sending, sends the last message and waits for the nurse's close; then closes the socket. */
  @Override
  public Future<Void> finish() {
    return Loops.on(context, () -> {
      cancelTimer();
      finishing = true;
      send(true);
      return timed(closed, "conversation not closed");
    }).eventually(this::close).recover(e -> Future.succeededFuture());
  }

  /** Gives up: stops sending and closes the socket without ending the conversation. */
  Future<Void> abandon() {
    return Loops.on(context, () -> {
      cancelTimer();
      finishing = true;
      return close();
    }).recover(e -> Future.succeededFuture());
  }

  private Future<Void> close() {
    if (ws == null || ws.isClosed()) {
      return Future.succeededFuture();
    }
    ws.closeHandler(null);
    return ws.close();
  }

  private void send(boolean last) {
    if (conversationId == null || ws == null || ws.isClosed()) {
      return;
    }
    Payload p = new Payload(Payload.PATIENT, next++, System.nanoTime(), last);
    ledger.sent(Ledger.PATIENT, p.number());
    stats.sent.increment();
    write(new JsonObject().put("type", "message.send").put("ref", p.id()).put("conversationId", conversationId)
        .put("clientMsgId", p.id()).put("text", p.text(textLength)));
  }

  private void onText(String text) {
    JsonObject f = new JsonObject(text);
    switch (f.getString("type", "")) {
      case "ready" -> ready.tryComplete();
      case "queue.entered" -> onEntered(f.getJsonObject("conversation"));
      case "conversation.state" -> {
        if (f.getJsonObject("conversation").getValue("acceptedAt") != null) {
          onAccepted();
        }
      }
      case "message" -> onMessage(f, text.length());
      case "message.ack" -> {
        ledger.acked(Ledger.PATIENT, Integer.parseInt(f.getString("clientMsgId").substring(1)));
        stats.acked.increment();
      }
      case "conversation.closed" -> {
        if (ledger != null) {
          ledger.completed();
        }
        stats.completed.increment();
        closed.tryComplete();
      }
      case "emergency" -> {
        stats.error("unexpected emergency reply");
        accepted.tryFail("emergency");
      }
      case "error" -> {
        String ref = f.getString("ref", "");
        stats.error("error frame to patient: " + f.getString("code") + (ref.equals("enter") ? " on queue.enter" : ref.isEmpty() ? "" : " on send"));
        if (ref.equals("enter")) {
          accepted.tryFail(f.getString("code"));
        }
      }
      default -> {
        // queue.position, conversation.synced, read, typing: nothing to do
      }
    }
  }

  private void onEntered(JsonObject view) {
    conversationId = view.getString("id");
    ledger = stats.ledger(conversationId);
    stats.conversations.increment();
    if (view.getValue("acceptedAt") != null) {
      onAccepted();
    }
  }

  private void onAccepted() {
    if (!accepted.future().isComplete()) {
      stats.assignment.recordNanos(System.nanoTime() - enterNanos);
      accepted.tryComplete();
    }
  }

  private void onMessage(JsonObject f, int frameChars) {
    if (ledger == null) {
      return;
    }
    ledger.seq(Ledger.PATIENT, f.getLong("seq"));
    if (!"text".equals(f.getString("kind")) || !"professional".equals(f.getJsonObject("sender").getString("kind"))) {
      return;
    }
    Payload p = Payload.parse(f.getString("text"));
    if (p != null && ledger.received(Ledger.NURSE, p.number())) {
      stats.delivered(p.sentNanos(), frameChars);
    }
  }

  private void onClosedByServer() {
    stats.error("patient socket closed by server (" + ws.closeStatusCode() + ")");
    cancelTimer();
    ready.tryFail("closed");
    accepted.tryFail("closed");
    closed.tryFail("closed");
  }

  /** The promise's future, failed (and counted) if it has not completed within the time limit. */
  private Future<Void> timed(Promise<Void> promise, String what) {
    return timed(promise, timeoutMs, what);
  }

  private Future<Void> timed(Promise<Void> promise, long limitMs, String what) {
    long t = context.owner().setTimer(limitMs, x -> {
      if (promise.tryFail("timeout: " + what)) {
        stats.error("timeout: " + what);
      }
    });
    return promise.future().onComplete(ar -> context.owner().cancelTimer(t));
  }

  private void cancelTimer() {
    if (timer >= 0) {
      context.owner().cancelTimer(timer);
      timer = -1;
    }
  }

  private void write(JsonObject frame) {
    ws.writeTextMessage(frame.encode()).onFailure(e -> stats.error("patient write failed"));
  }
}
