package fi.kanava.visit;

import fi.kanava.auth.Principal;
import fi.kanava.rtc.CallRoster;
import io.vertx.core.Future;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The visit's side of its call (fi.kanava.rtc asks; see {@link CallRoster}). Who may join: the
 * visit's professionals and invited colleagues always while the visit is open; the patient, an
 * interpreter or a relative once admitted, and straight back in while the visit is still admitted
 * (their call is on); everyone else waits or is not a member; nobody once the visit is over. When
 * the call ends after media flowed the visit is completed; when it ends without ever connecting,
 * those admitted go back to the waiting room ({@link Visits#callEnded}).
 */
public final class VisitRoster implements CallRoster {
  private static final Logger log = LoggerFactory.getLogger(VisitRoster.class);

  private final Visits visits;

  public VisitRoster(Visits visits) {
    this.visits = visits;
  }

  @Override
  public Future<Admission> admission(UUID visitId, Principal principal) {
    return visits.admission(visitId, principal);
  }

  /** Nothing to record: the call row holds when it connected, and the visit's view shows the open call. */
  @Override
  public Future<Void> callStarted(UUID visitId, UUID callId) {
    log.info("Visit {}: call {} connected", visitId, callId);
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> callEnded(UUID visitId, UUID callId, boolean connected) {
    return visits.callEnded(visitId, callId, connected);
  }
}
