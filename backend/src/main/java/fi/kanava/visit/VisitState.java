package fi.kanava.visit;

import java.util.Locale;

/**
 * The life of a visit as a pure state machine (docs/protocol.md, "Visits"). A visit's room exists from
 * booking: {@code booked} (nobody waiting) → {@code waiting} (a patient-side member arrived) →
 * {@code admitted} (let into the call) → {@code completed}; or {@code cancelled} by a professional, or
 * {@code no_show} when the patient never arrived. Anything after the end is rejected with
 * {@code visit_closed}, except ending the same way again, which is harmless.
 */
public enum VisitState {
  BOOKED,
  WAITING,
  ADMITTED,
  COMPLETED,
  CANCELLED,
  NO_SHOW;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static VisitState fromCode(String code) {
    return valueOf(code.toUpperCase(Locale.ROOT));
  }

  public boolean isFinal() {
    return this == COMPLETED || this == CANCELLED || this == NO_SHOW;
  }

  /** What happens to a visit. */
  public sealed interface Event {
    /** A patient-side member (patient, interpreter, relative) arrives in the waiting room. */
    record Arrive() implements Event {}

    /** A professional of the visit lets a waiting member in. */
    record Admit() implements Event {}

    /** A professional tells those waiting that they are running late. */
    record Late() implements Event {}

    /** A professional moves the visit (only before it has started: booked or waiting). */
    record Reschedule() implements Event {}

    /** A professional cancels the visit. */
    record Cancel() implements Event {}

    /** The sweep: the patient never arrived by the start plus {@code visit.no-show-after} (only from booked). */
    record NoShow() implements Event {}

    /** The call ended after media flowed: the visit took place. */
    record Complete() implements Event {}

    /** The call ended without the visit taking place: those admitted go back to the room (or booked, if nobody arrived). */
    record CallLost(boolean anyoneArrived) implements Event {}
  }

  /** The outcome of an event: the next state (perhaps the same: nothing to do), or a refusal with its code. */
  public sealed interface Transition {
    record Next(VisitState state, boolean changed) implements Transition {}

    record Rejected(String code) implements Transition {}
  }

  public Transition on(Event event) {
    if (isFinal()) {
      // ending the same way twice is harmless; everything else after the end is refused
      boolean again = (this == CANCELLED && event instanceof Event.Cancel)
          || (this == COMPLETED && (event instanceof Event.Complete || event instanceof Event.CallLost))
          || (this == NO_SHOW && event instanceof Event.NoShow);
      return again ? same() : new Transition.Rejected("visit_closed");
    }
    if (event instanceof Event.Arrive) {
      return this == BOOKED ? to(WAITING) : same();
    }
    if (event instanceof Event.Admit) {
      return this == BOOKED ? new Transition.Rejected("not_waiting") : to(ADMITTED);
    }
    if (event instanceof Event.Reschedule) {
      return this == ADMITTED ? new Transition.Rejected("visit_started") : same();
    }
    if (event instanceof Event.Cancel) {
      return to(CANCELLED);
    }
    if (event instanceof Event.NoShow) {
      return this == BOOKED ? to(NO_SHOW) : same();
    }
    if (event instanceof Event.Complete) {
      return to(COMPLETED);
    }
    if (event instanceof Event.CallLost lost) {
      return this == ADMITTED ? to(lost.anyoneArrived() ? WAITING : BOOKED) : same();
    }
    // a late notice changes no state
    return same();
  }

  private Transition to(VisitState next) {
    return new Transition.Next(next, next != this);
  }

  private Transition same() {
    return new Transition.Next(this, false);
  }
}
