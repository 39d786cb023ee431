package fi.kanava.rtc;

import fi.kanava.auth.Principal;
import io.vertx.core.Future;
import java.util.UUID;

/**
 * The roster wired until the visit feature provides its own: no visit has members, so a visit's
 * call admits nobody ({@code not_in_call}); chat calls do not use a roster.
 */
public final class NoVisitRoster implements CallRoster {
  @Override
  public Future<Admission> admission(UUID visitId, Principal principal) {
    return Future.succeededFuture(new Admission.NotMember());
  }

  @Override
  public Future<Void> callStarted(UUID visitId, UUID callId) {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> callEnded(UUID visitId, UUID callId, boolean connected) {
    return Future.succeededFuture();
  }
}
