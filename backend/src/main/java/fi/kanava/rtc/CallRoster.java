package fi.kanava.rtc;

import fi.kanava.auth.Principal;
import io.vertx.core.Future;
import java.util.UUID;

/**
 * The seam between calls (fi.kanava.rtc) and the feature that owns a call's room, a visit
 * (fi.kanava.visit): the visit decides who may join its call and learns when the call starts and
 * ends. Calls offered from a chat take their members from the conversation instead.
 */
public interface CallRoster {

  /** Whether, and as what, someone may join the call of a visit now. */
  sealed interface Admission {
    /** May join, as this role ({@code patient}, {@code professional}, {@code interpreter}, {@code relative}, {@code colleague}). */
    record Admitted(String role) implements Admission {}

    /** A member of the visit still in its waiting room ({@code not_admitted}). */
    record Waiting() implements Admission {}

    /** Not a member, or no such visit ({@code not_in_call}). */
    record NotMember() implements Admission {}

    /** The visit is over: completed, cancelled or a no-show ({@code call_ended}). */
    record Closed() implements Admission {}
  }

  /** Who the principal is in the visit's call right now. */
  Future<Admission> admission(UUID visitId, Principal principal);

  /** The visit's call connected for the first time (after commit; the visit records it). */
  Future<Void> callStarted(UUID visitId, UUID callId);

  /** The visit's call ended; {@code connected} tells whether media ever flowed (after commit). */
  Future<Void> callEnded(UUID visitId, UUID callId, boolean connected);
}
