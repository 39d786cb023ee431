package fi.kanava.rtc;

import java.util.Locale;

/**
 * The states of a call and its pure transitions (docs/protocol.md, "Calls"): pending (the room, no
 * media yet; also a chat call answered and still connecting), ringing (offered from a chat, not yet
 * answered), active (media flows), reconnecting (a peer lost its connection and is restarting ICE),
 * ended. Messages after the end are rejected with {@code call_ended}; ending twice is harmless.
 */
public enum CallState {
  PENDING, RINGING, ACTIVE, RECONNECTING, ENDED;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static CallState fromCode(String code) {
    return valueOf(code.toUpperCase(Locale.ROOT));
  }

  /** What happens to a call. */
  public sealed interface Event {
    /** A member joined; {@code answers} is true for someone other than the caller joining a ringing chat call. */
    record Joined(boolean answers) implements Event {}

    /** A member reports its ICE state ({@code rtc.status}). */
    record Reported(Status status) implements Event {}

    /** Signalling or a media change: allowed while the call is not over, changes nothing. */
    record Signalled() implements Event {}

    /** The invited patient declines a ringing chat call. */
    record Declined() implements Event {}

    /**
     * A member left (hung up, or dropped and did not come back in time): {@code remaining} members
     * are still in the call, {@code professionalsRemaining} of them professionals; a chat call ends
     * when its last professional leaves.
     */
    record Left(int remaining, int professionalsRemaining, boolean chat, String reason) implements Event {}

    /** The call ends for a reason of its own (its visit or its chat closed, say). */
    record End(String reason) implements Event {}

    /** A chat call rang for {@code rtc.ring-timeout}: it ends {@code no_answer} if it still rings, and is left alone once answered. */
    record RingTimedOut() implements Event {}
  }

  /** A client's ICE state as {@code rtc.status} reports it. */
  public enum Status {
    CONNECTED, RECONNECTING, FAILED;

    public static Status fromCode(String code) {
      return switch (code) {
        case "connected" -> CONNECTED;
        case "reconnecting" -> RECONNECTING;
        case "failed" -> FAILED;
        default -> null;
      };
    }
  }

  /** The outcome of one event. */
  public sealed interface Result {
    /** The event is taken: the call is now in {@code state} ({@code endReason} set when this event ended it). */
    record Accepted(CallState state, boolean changed, String endReason) implements Result {
      public boolean ended() {
        return endReason != null;
      }
    }

    /** The event is refused with this error code; nothing changes. */
    record Rejected(String code) implements Result {}
  }

  /** Applies an event to a call in this state. */
  public Result on(Event event) {
    if (this == ENDED) {
      // ending twice is harmless; anything else after the end is refused
      return event instanceof Event.End || event instanceof Event.Left || event instanceof Event.RingTimedOut ? same()
          : new Result.Rejected("call_ended");
    }
    if (event instanceof Event.Joined j) {
      return this == RINGING && j.answers() ? to(PENDING) : same();
    }
    if (event instanceof Event.Reported r) {
      return r.status() == Status.CONNECTED ? to(ACTIVE) : this == ACTIVE ? to(RECONNECTING) : same();
    }
    if (event instanceof Event.Declined) {
      return this == RINGING ? end("declined") : new Result.Rejected("not_ringing");
    }
    if (event instanceof Event.Left l) {
      return l.remaining() == 0 || (l.chat() && l.professionalsRemaining() == 0) ? end(l.reason()) : same();
    }
    if (event instanceof Event.End e) {
      return end(e.reason());
    }
    if (event instanceof Event.RingTimedOut) {
      return this == RINGING ? end("no_answer") : same();
    }
    return same();
  }

  private Result same() {
    return new Result.Accepted(this, false, null);
  }

  private Result to(CallState next) {
    return new Result.Accepted(next, next != this, null);
  }

  private static Result end(String reason) {
    return new Result.Accepted(ENDED, true, reason);
  }
}
