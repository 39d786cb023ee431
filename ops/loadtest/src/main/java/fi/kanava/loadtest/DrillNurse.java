package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A nurse of the fault drill: goes available, accepts every offer and answers each patient message
 * with one of its own. After a reconnect it goes available again and reopens every conversation it
 * serves after the last sequence number it holds ({@link ResumingClient}).
 */
final class DrillNurse extends ResumingClient {
  private final Promise<Void> available = Promise.promise();
  private final Set<String> conversations = new LinkedHashSet<>();
  private final Set<String> closing = new LinkedHashSet<>();
  private Promise<Void> closed;
  private int next;

  DrillNurse(Loops loops, int port, int textLength, PhaseStats stats, Faults faults) {
    super(loops, port, textLength, stats, faults);
  }

  /** Connects and completes once the nurse is available. */
  Future<Void> start(String token) {
    return Loops.on(context, () -> {
      connect(token);
      return available.future();
    });
  }

  /** How many conversations this nurse serves (read on its context). */
  Future<Integer> serving() {
    return Loops.on(context, () -> Future.succeededFuture(conversations.size()));
  }

  /** Closes every conversation this nurse serves (outcome resolved); completes when the server has confirmed each. */
  Future<Void> closeAll() {
    return Loops.on(context, () -> {
      closed = Promise.promise();
      closing.addAll(conversations);
      closing.forEach(id -> ws.writeTextMessage(new JsonObject().put("type", "conversation.close").put("ref", "close:" + id)
          .put("conversationId", id).put("outcome", "resolved").encode()));
      settleClosing();
      return closed.future();
    });
  }

  private void closedOne(String id) {
    if (closing.remove(id)) {
      conversations.remove(id);
      forget(id);
      settleClosing();
    }
  }

  private void settleClosing() {
    if (closed != null && closing.isEmpty()) {
      closed.tryComplete();
    }
  }

  @Override
  protected String kind() {
    return "nurse";
  }

  @Override
  protected int side() {
    return Ledger.NURSE;
  }

  @Override
  protected Ledger ledger(String id) {
    return conversations.contains(id) ? stats.ledger(id) : null;
  }

  @Override
  protected void onReady() {
    goAvailable();
    conversations.forEach(this::open);
  }

  private void goAvailable() {
    if (ws != null) {
      ws.writeTextMessage(new JsonObject().put("type", "presence").put("ref", "presence").put("status", "available").encode());
    }
  }

  @Override
  protected void onRetry(String ref) {
    if (ref.equals("presence")) {
      goAvailable();
    }
  }

  @Override
  protected void onMessage(String id, JsonObject f, int frameChars) {
    if (!"text".equals(f.getString("kind")) || !"patient".equals(f.getJsonObject("sender").getString("kind"))) {
      return;
    }
    Payload p = Payload.parse(f.getString("text"));
    if (p != null && stats.ledger(id).received(Ledger.PATIENT, p.number())) {
      // the answer is counted as sent before the delivery that causes it, so that the drain (delivered >= sent) cannot
      // complete while the answer is still to be written
      send(id, new Payload(Payload.NURSE, next++, System.nanoTime(), false));
      stats.delivered(p.sentNanos(), frameChars);
    }
  }

  @Override
  protected void onOther(JsonObject f) {
    switch (f.getString("type", "")) {
      case "presence" -> available.tryComplete();
      case "conversation.offer" -> {
        String id = f.getJsonObject("conversation").getString("id");
        // also one served before: it went back to the queue while this nurse was away, and is offered again
        conversations.add(id);
        watching(id);
        ws.writeTextMessage(new JsonObject().put("type", "conversation.accept").put("ref", "accept:" + id).put("conversationId", id).encode());
      }
      case "conversation.closed" -> closedOne(f.getString("conversationId"));
      case "error" -> {
        String ref = f.getString("ref", "");
        if (ref.startsWith("close:")) {
          closedOne(ref.substring(6));
        }
      }
      case "conversation.withdrawn" -> stats.error("conversation withdrawn from nurse (" + f.getString("reason") + ")");
      case "conversation.revoked" -> stats.error("conversation revoked from nurse (" + f.getString("cause") + ")");
      default -> {
        // conversation, conversation.state, read, typing: nothing to do
      }
    }
  }
}
