package fi.kanava.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * Two clients of the baseline relay in one room, driven exactly like a patient and a nurse: the
 * first sends at a pace, the second answers each message. The relay acknowledges nothing, so a
 * message counts as lost when it was sent and never arrived.
 */
final class RelayPair implements Pair {
  private final String room = UUID.randomUUID().toString();
  private final PhaseStats stats;
  private final Ledger ledger;
  private final Side first;
  private final Side second;

  RelayPair(Loops loops, int port, int textLength, PhaseStats stats) {
    this.stats = stats;
    this.ledger = stats.ledger(room);
    this.first = new Side(loops, port, textLength, Ledger.PATIENT);
    this.second = new Side(loops, port, textLength, Ledger.NURSE);
  }

  /** Both sides connect and join the room. */
  Future<Void> open() {
    return Future.all(first.open(), second.open()).onSuccess(v -> stats.conversations.increment()).mapEmpty();
  }

  @Override
  public void startSending(long intervalMs, long initialDelayMs) {
    first.context.runOnContext(v -> first.start(intervalMs, initialDelayMs));
  }

  @Override
  public void stopSending() {
    first.context.runOnContext(v -> first.cancel());
  }

  @Override
  public Future<Void> finish() {
    stopSending();
    ledger.completed();
    stats.completed.increment();
    return Future.join(first.close(), second.close()).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  /** One client: the first side sends on a timer, the second answers what it receives. */
  private final class Side {
    final Context context;
    final Loops loops;
    final int port;
    final int textLength;
    final int side;
    final Promise<Void> joined = Promise.promise();
    WebSocket ws;
    int next;
    long timer = -1;

    Side(Loops loops, int port, int textLength, int side) {
      this.context = loops.next();
      this.loops = loops;
      this.port = port;
      this.textLength = textLength;
      this.side = side;
    }

    Future<Void> open() {
      return Loops.on(context, () -> {
        long started = System.nanoTime();
        return loops.connect(port, "/", List.of()).recover(e -> {
          stats.error("relay connect failed: " + e.getClass().getSimpleName());
          return Future.failedFuture(e);
        }).compose(socket -> {
          ws = socket;
          ws.textMessageHandler(this::onText);
          ws.closeHandler(v -> {
            stats.error("relay socket closed by the relay");
            joined.tryFail("closed");
          });
          ws.writeTextMessage(new JsonObject().put("join", room).encode());
          return joined.future().onSuccess(v -> stats.setup.recordNanos(System.nanoTime() - started));
        });
      });
    }

    void start(long intervalMs, long initialDelayMs) {
      cancel();
      timer = context.owner().setTimer(Math.max(1, initialDelayMs), t -> {
        timer = context.owner().setPeriodic(Math.max(1, intervalMs), p -> send());
        send();
      });
    }

    void cancel() {
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
        timer = -1;
      }
    }

    void send() {
      if (ws == null || ws.isClosed()) {
        return;
      }
      Payload p = new Payload(side == Ledger.PATIENT ? Payload.PATIENT : Payload.NURSE, next++, System.nanoTime(), false);
      ledger.sent(side, p.number());
      stats.sent.increment();
      ws.writeTextMessage(new JsonObject().put("room", room).put("text", p.text(textLength)).encode())
          .onFailure(e -> stats.error("relay write failed"));
    }

    void onText(String text) {
      JsonObject f = new JsonObject(text);
      if (f.containsKey("joined")) {
        joined.tryComplete();
        return;
      }
      if (f.containsKey("error")) {
        stats.error("relay error frame: " + f.getString("error"));
        return;
      }
      Payload p = Payload.parse(f.getString("text"));
      if (p == null) {
        return;
      }
      if (ledger.received(Ledger.side(p.side()), p.number())) {
        stats.delivered(p.sentNanos(), text.length());
        if (side == Ledger.NURSE) {
          send();
        }
      }
    }

    Future<Void> close() {
      return Loops.on(context, () -> {
        cancel();
        if (ws == null || ws.isClosed()) {
          return Future.succeededFuture();
        }
        ws.closeHandler(null);
        return ws.close();
      });
    }
  }
}
