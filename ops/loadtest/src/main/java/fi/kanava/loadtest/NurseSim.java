package fi.kanava.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One nurse's console socket: sets itself available, accepts every {@code conversation.offer},
 * answers each patient message with a message of its own, and closes the conversation (outcome
 * resolved) once the patient's last message has been answered and the answer acknowledged.
 * All state lives on the nurse's event loop; only the ledgers are shared with the patients.
 */
final class NurseSim {
  private final String username;
  private final Context context;
  private final Loops loops;
  private final int port;
  private final int textLength;
  private final Map<String, Conversation> conversations = new HashMap<>();
  /** New offers are counted in this phase's statistics. */
  private volatile PhaseStats phase;
  private final Promise<Void> available = Promise.promise();
  private WebSocket ws;

  /** One conversation as this nurse serves it, counted in the phase in which it was offered. */
  private static final class Conversation {
    final String id;
    final PhaseStats stats;
    final Ledger ledger;
    int next;
    int outstanding;
    boolean finishing;
    boolean closeSent;

    Conversation(String id, PhaseStats stats) {
      this.id = id;
      this.stats = stats;
      this.ledger = stats.ledger(id);
    }
  }

  NurseSim(String username, Loops loops, int port, int textLength, PhaseStats phase) {
    this.username = username;
    this.loops = loops;
    this.context = loops.next();
    this.port = port;
    this.textLength = textLength;
    this.phase = phase;
  }

  void phase(PhaseStats stats) {
    this.phase = stats;
  }

  /** Connects with the token, waits for {@code ready}, goes available and waits for the presence reply. */
  Future<Void> start(String token) {
    return Loops.on(context, () -> {
      long started = System.nanoTime();
      return loops.connect(port, "/ws", List.of("kanava.v1", "kanava.auth." + token)).compose(socket -> {
        ws = socket;
        ws.textMessageHandler(this::onText);
        ws.closeHandler(v -> {
          available.tryFail(username + ": socket closed before going available");
          phase.error("nurse socket closed by server (" + ws.closeStatusCode() + ")");
        });
        return available.future().onSuccess(v -> phase.setup.recordNanos(System.nanoTime() - started));
      });
    });
  }

  Future<Void> stop() {
    return Loops.on(context, () -> {
      if (ws == null || ws.isClosed()) {
        return Future.succeededFuture();
      }
      ws.closeHandler(null);
      return ws.close();
    });
  }

  private void onText(String text) {
    JsonObject f = new JsonObject(text);
    switch (f.getString("type", "")) {
      case "ready" -> write(new JsonObject().put("type", "presence").put("ref", "presence").put("status", "available"), phase);
      case "presence" -> available.tryComplete();
      case "conversation.offer" -> onOffer(f.getJsonObject("conversation").getString("id"));
      case "message" -> onMessage(f, text.length());
      case "message.ack" -> onAck(f);
      case "conversation.closed" -> conversations.remove(f.getString("conversationId"));
      case "conversation.withdrawn" -> phase.error("conversation withdrawn from nurse (" + f.getString("reason") + ")");
      case "error" -> onError(f);
      default -> {
        // conversation.state, conversation.synced, read, typing: nothing to do
      }
    }
  }

  private void onOffer(String conversationId) {
    conversations.put(conversationId, new Conversation(conversationId, phase));
    write(new JsonObject().put("type", "conversation.accept").put("ref", "accept@" + conversationId).put("conversationId", conversationId),
        phase);
  }

  private void onMessage(JsonObject f, int frameChars) {
    Conversation c = conversations.get(f.getString("conversationId"));
    if (c == null) {
      return;
    }
    c.ledger.seq(Ledger.NURSE, f.getLong("seq"));
    if (!"text".equals(f.getString("kind")) || !"patient".equals(f.getJsonObject("sender").getString("kind"))) {
      return;
    }
    Payload p = Payload.parse(f.getString("text"));
    if (p == null) {
      return;
    }
    if (c.ledger.received(Ledger.PATIENT, p.number())) {
      c.stats.delivered(p.sentNanos(), frameChars);
      reply(c);
    }
    if (p.last()) {
      c.finishing = true;
    }
  }

  private void reply(Conversation c) {
    Payload p = new Payload(Payload.NURSE, c.next++, System.nanoTime(), false);
    c.ledger.sent(Ledger.NURSE, p.number());
    c.stats.sent.increment();
    c.outstanding++;
    write(new JsonObject().put("type", "message.send").put("ref", p.id() + "@" + c.id).put("conversationId", c.id)
        .put("clientMsgId", p.id()).put("text", p.text(textLength)), c.stats);
  }

  private void onAck(JsonObject f) {
    Conversation c = conversations.get(f.getString("conversationId"));
    if (c == null) {
      return;
    }
    c.ledger.acked(Ledger.NURSE, Integer.parseInt(f.getString("clientMsgId").substring(1)));
    c.stats.acked.increment();
    c.outstanding--;
    closeIfDone(c);
  }

  private void closeIfDone(Conversation c) {
    if (c.finishing && c.outstanding <= 0 && !c.closeSent) {
      c.closeSent = true;
      write(new JsonObject().put("type", "conversation.close").put("ref", "close@" + c.id).put("conversationId", c.id)
          .put("outcome", "resolved"), c.stats);
    }
  }

  private void onError(JsonObject f) {
    String ref = f.getString("ref", "");
    int at = ref.indexOf('@');
    Conversation c = at < 0 ? null : conversations.get(ref.substring(at + 1));
    PhaseStats stats = c == null ? phase : c.stats;
    String on = ref.startsWith("accept") ? " on accept" : ref.startsWith("close") ? " on close" : ref.startsWith("n") ? " on send" : "";
    stats.error("error frame to nurse: " + f.getString("code") + on);
    if (c != null && ref.startsWith("n")) {
      c.outstanding--;
      closeIfDone(c);
    }
  }

  private void write(JsonObject frame, PhaseStats stats) {
    ws.writeTextMessage(frame.encode()).onFailure(e -> stats.error("nurse write failed"));
  }
}
