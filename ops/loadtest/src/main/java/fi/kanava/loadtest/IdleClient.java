package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

/**
 * An idle, authenticated patient socket (its own anonymous session, no conversation) that
 * reconnects through the load balancer when its socket ends: the reconnect storm's client. It
 * counts as resumed when the new socket is {@code ready}.
 */
final class IdleClient extends ResumingClient {
  private final KanavaApi api;
  private final Promise<Void> ready = Promise.promise();

  IdleClient(Loops loops, KanavaApi api, int port, PhaseStats stats, Faults faults) {
    super(loops, port, 0, stats, faults);
    this.api = api;
  }

  /** Session and socket; completes at the first {@code ready}. */
  Future<Void> open(long timeoutMs) {
    return Loops.on(context, () -> api.patientSession().compose(token -> {
      connect(token);
      context.owner().setTimer(timeoutMs, t -> ready.tryFail("no ready frame"));
      return ready.future();
    }));
  }

  @Override
  protected String kind() {
    return "idle patient";
  }

  @Override
  protected int side() {
    return Ledger.PATIENT;
  }

  @Override
  protected Ledger ledger(String conversationId) {
    return null;
  }

  @Override
  protected void onReady() {
    ready.tryComplete();
    resumed();
  }

  @Override
  protected void onMessage(String conversationId, JsonObject f, int frameChars) {
    // holds no conversation
  }

  @Override
  protected void onOther(JsonObject f) {
    // nothing to do
  }
}
