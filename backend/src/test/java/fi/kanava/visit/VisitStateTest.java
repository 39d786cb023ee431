package fi.kanava.visit;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.visit.VisitState.Event;
import fi.kanava.visit.VisitState.Transition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("The visit state machine")
class VisitStateTest {

  private static Transition.Next next(VisitState from, Event event) {
    Transition t = from.on(event);
    assertThat(t).as(from + " on " + event).isInstanceOf(Transition.Next.class);
    return (Transition.Next) t;
  }

  private static String refused(VisitState from, Event event) {
    Transition t = from.on(event);
    assertThat(t).as(from + " on " + event).isInstanceOf(Transition.Rejected.class);
    return ((Transition.Rejected) t).code();
  }

  @Test
  @DisplayName("booked → waiting → admitted → completed")
  void the_happy_path() {
    assertThat(next(VisitState.BOOKED, new Event.Arrive())).isEqualTo(new Transition.Next(VisitState.WAITING, true));
    assertThat(next(VisitState.WAITING, new Event.Admit())).isEqualTo(new Transition.Next(VisitState.ADMITTED, true));
    assertThat(next(VisitState.ADMITTED, new Event.Complete())).isEqualTo(new Transition.Next(VisitState.COMPLETED, true));
  }

  @Test
  @DisplayName("a second arrival and a late notice change nothing")
  void arrivals_again_change_nothing() {
    assertThat(next(VisitState.WAITING, new Event.Arrive()).changed()).isFalse();
    assertThat(next(VisitState.ADMITTED, new Event.Arrive())).isEqualTo(new Transition.Next(VisitState.ADMITTED, false));
    assertThat(next(VisitState.WAITING, new Event.Late()).changed()).isFalse();
  }

  @Test
  @DisplayName("only a waiting member is admitted: nobody waits in a booked visit")
  void admit_needs_someone_waiting() {
    assertThat(refused(VisitState.BOOKED, new Event.Admit())).isEqualTo("not_waiting");
  }

  @Test
  @DisplayName("rescheduling only before the visit starts")
  void reschedule_only_before_start() {
    assertThat(next(VisitState.BOOKED, new Event.Reschedule()).state()).isEqualTo(VisitState.BOOKED);
    assertThat(next(VisitState.WAITING, new Event.Reschedule()).state()).isEqualTo(VisitState.WAITING);
    assertThat(refused(VisitState.ADMITTED, new Event.Reschedule())).isEqualTo("visit_started");
    assertThat(refused(VisitState.COMPLETED, new Event.Reschedule())).isEqualTo("visit_closed");
  }

  @Test
  @DisplayName("a no-show only when nobody arrived")
  void no_show_only_from_booked() {
    assertThat(next(VisitState.BOOKED, new Event.NoShow()).state()).isEqualTo(VisitState.NO_SHOW);
    assertThat(next(VisitState.WAITING, new Event.NoShow())).isEqualTo(new Transition.Next(VisitState.WAITING, false));
  }

  @Test
  @DisplayName("a call lost before it connected sends the admitted back to the room, or to booked if nobody had arrived")
  void call_lost_goes_back() {
    assertThat(next(VisitState.ADMITTED, new Event.CallLost(true)).state()).isEqualTo(VisitState.WAITING);
    assertThat(next(VisitState.ADMITTED, new Event.CallLost(false)).state()).isEqualTo(VisitState.BOOKED);
    assertThat(next(VisitState.WAITING, new Event.CallLost(true)).changed()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(value = VisitState.class, names = {"BOOKED", "WAITING", "ADMITTED"})
  @DisplayName("any open visit may be cancelled")
  void cancel_from_open(VisitState from) {
    assertThat(next(from, new Event.Cancel())).isEqualTo(new Transition.Next(VisitState.CANCELLED, true));
  }

  @ParameterizedTest
  @EnumSource(value = VisitState.class, names = {"COMPLETED", "CANCELLED", "NO_SHOW"})
  @DisplayName("after the end every message is rejected")
  void nothing_after_the_end(VisitState from) {
    assertThat(from.isFinal()).isTrue();
    for (Event e : new Event[] {new Event.Arrive(), new Event.Admit(), new Event.Late(), new Event.Reschedule()}) {
      assertThat(refused(from, e)).isEqualTo("visit_closed");
    }
  }

  @Test
  @DisplayName("ending twice is harmless; ending differently after the end is refused")
  void ending_twice_is_harmless() {
    assertThat(next(VisitState.CANCELLED, new Event.Cancel())).isEqualTo(new Transition.Next(VisitState.CANCELLED, false));
    assertThat(next(VisitState.COMPLETED, new Event.Complete())).isEqualTo(new Transition.Next(VisitState.COMPLETED, false));
    assertThat(next(VisitState.COMPLETED, new Event.CallLost(true)).changed()).isFalse();
    assertThat(next(VisitState.NO_SHOW, new Event.NoShow()).changed()).isFalse();
    assertThat(refused(VisitState.COMPLETED, new Event.Cancel())).isEqualTo("visit_closed");
    assertThat(refused(VisitState.NO_SHOW, new Event.Cancel())).isEqualTo("visit_closed");
    assertThat(refused(VisitState.CANCELLED, new Event.Complete())).isEqualTo("visit_closed");
  }
}
