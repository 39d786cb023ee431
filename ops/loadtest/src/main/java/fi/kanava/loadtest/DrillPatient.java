package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

/**
 * A patient of the fault drill: an anonymous session, one conversation in the load-test queue,
 * then a message every interval for as long as the drill runs, whatever happens to its socket
 * (unsent messages wait in the outbox, as in the web client). It resumes as {@link ResumingClient} does.
 */
final class DrillPatient extends ResumingClient {
  private final KanavaApi api;
  private final Promise<Void> accepted = Promise.promise();
  private String conversationId;
  private long enterNanos;
  private int next;
  private long timer = -1;

  DrillPatient(Loops loops, KanavaApi api, int port, int textLength, PhaseStats stats, Faults faults) {
    super(loops, port, textLength, stats, faults);
    this.api = api;
  }

  /** Session, socket, queue.enter; completes when a nurse has accepted the conversation. */
  Future<Void> enter(long timeoutMs) {
    return Loops.on(context, () -> api.patientSession().compose(token -> {
      connect(token);
      context.owner().setTimer(timeoutMs, t -> accepted.tryFail("not accepted"));
      return accepted.future();
    }));
  }

  /** Sends a message every {@code intervalMs}, starting after {@code delayMs}. */
  void startSending(long intervalMs, long delayMs) {
    context.runOnContext(v -> timer = context.owner().setTimer(Math.max(1, delayMs), t -> {
      timer = context.owner().setPeriodic(intervalMs, p -> send(conversationId, new Payload(Payload.PATIENT, next++, System.nanoTime(), false)));
    }));
  }

  void stopSending() {
    context.runOnContext(v -> {
      if (timer >= 0) {
        context.owner().cancelTimer(timer);
        timer = -1;
      }
    });
  }

  @Override
  protected String kind() {
    return "patient";
  }

  @Override
  protected int side() {
    return Ledger.PATIENT;
  }

  @Override
  protected Ledger ledger(String id) {
    return stats.ledger(id);
  }

  @Override
  protected void onReady() {
    if (conversationId == null) {
      enterNanos = System.nanoTime();
      ws.writeTextMessage(new JsonObject().put("type", "queue.enter").put("ref", "enter").put("queueId", PatientSim.QUEUE)
          .put("language", "fi").put("answers", new JsonObject().put("topic", "other")).encode());
    } else {
      open(conversationId);
    }
  }

  @Override
  protected void onMessage(String id, JsonObject f, int frameChars) {
    if (!"text".equals(f.getString("kind")) || !"professional".equals(f.getJsonObject("sender").getString("kind"))) {
      return;
    }
    Payload p = Payload.parse(f.getString("text"));
    if (p != null && stats.ledger(id).received(Ledger.NURSE, p.number())) {
      stats.delivered(p.sentNanos(), frameChars);
    }
  }

  @Override
  protected void onOther(JsonObject f) {
    switch (f.getString("type", "")) {
      case "queue.entered" -> {
        JsonObject view = f.getJsonObject("conversation");
        conversationId = view.getString("id");
        watching(conversationId);
        stats.conversations.increment();
        if (view.getValue("acceptedAt") != null) {
          onAccepted();
        }
      }
      case "conversation.state" -> {
        if (f.getJsonObject("conversation").getValue("acceptedAt") != null) {
          onAccepted();
        }
      }
      case "error" -> {
        if ("enter".equals(f.getString("ref"))) {
          accepted.tryFail(f.getString("code"));
        }
      }
      default -> {
        // conversation, queue.position, read, typing: nothing to do
      }
    }
  }

  private void onAccepted() {
    if (!accepted.future().isComplete()) {
      stats.assignment.recordNanos(System.nanoTime() - enterNanos);
      accepted.tryComplete();
    }
  }
}
