package fi.kanava.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.rtc.CallState.Event;
import fi.kanava.rtc.CallState.Result;
import fi.kanava.rtc.CallState.Status;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The call state machine")
class CallStateTest {

  private static Result.Accepted accepted(Result result) {
    assertThat(result).isInstanceOf(Result.Accepted.class);
    return (Result.Accepted) result;
  }

  @Nested
  @DisplayName("a chat call")
  class Chat {
    @Test
    @DisplayName("rings, is answered by the patient joining, and becomes active when a peer connects")
    void rings_then_answered_then_active() {
      assertThat(accepted(CallState.RINGING.on(new Event.Joined(false))).state()).isEqualTo(CallState.RINGING);
      Result.Accepted answered = accepted(CallState.RINGING.on(new Event.Joined(true)));
      assertThat(answered.state()).isEqualTo(CallState.PENDING);
      assertThat(answered.changed()).isTrue();
      assertThat(accepted(CallState.PENDING.on(new Event.Reported(Status.CONNECTED))).state()).isEqualTo(CallState.ACTIVE);
    }

    @Test
    @DisplayName("a decline ends a ringing call, and is refused once it was answered")
    void decline() {
      Result.Accepted declined = accepted(CallState.RINGING.on(new Event.Declined()));
      assertThat(declined.state()).isEqualTo(CallState.ENDED);
      assertThat(declined.endReason()).isEqualTo("declined");
      assertThat(CallState.ACTIVE.on(new Event.Declined())).isEqualTo(new Result.Rejected("not_ringing"));
    }

    @Test
    @DisplayName("ends when its last professional leaves, even with the patient still in it")
    void ends_without_professional() {
      Result.Accepted left = accepted(CallState.ACTIVE.on(new Event.Left(1, 0, true, "hung_up")));
      assertThat(left.state()).isEqualTo(CallState.ENDED);
      assertThat(left.endReason()).isEqualTo("hung_up");
      assertThat(accepted(CallState.ACTIVE.on(new Event.Left(1, 1, true, "hung_up"))).state()).isEqualTo(CallState.ACTIVE);
    }

    @Test
    @DisplayName("the ring timeout ends a call still ringing as no_answer, and leaves an answered or ended call alone")
    void ring_timeout() {
      Result.Accepted unanswered = accepted(CallState.RINGING.on(new Event.RingTimedOut()));
      assertThat(unanswered.state()).isEqualTo(CallState.ENDED);
      assertThat(unanswered.endReason()).isEqualTo("no_answer");
      for (CallState state : new CallState[] {CallState.PENDING, CallState.ACTIVE, CallState.RECONNECTING, CallState.ENDED}) {
        Result.Accepted kept = accepted(state.on(new Event.RingTimedOut()));
        assertThat(kept.state()).isEqualTo(state);
        assertThat(kept.changed()).isFalse();
        assertThat(kept.ended()).isFalse();
      }
    }
  }

  @Nested
  @DisplayName("a visit call")
  class Visit {
    @Test
    @DisplayName("stays while someone is in it and ends when no one is left")
    void ends_when_empty() {
      assertThat(accepted(CallState.ACTIVE.on(new Event.Left(1, 0, false, "hung_up"))).state()).isEqualTo(CallState.ACTIVE);
      Result.Accepted empty = accepted(CallState.ACTIVE.on(new Event.Left(0, 0, false, "dropped")));
      assertThat(empty.ended()).isTrue();
      assertThat(empty.endReason()).isEqualTo("dropped");
    }

    @Test
    @DisplayName("reconnects when a peer loses its connection and is active again when it reconnects")
    void reconnects() {
      assertThat(accepted(CallState.ACTIVE.on(new Event.Reported(Status.RECONNECTING))).state()).isEqualTo(CallState.RECONNECTING);
      assertThat(accepted(CallState.ACTIVE.on(new Event.Reported(Status.FAILED))).state()).isEqualTo(CallState.RECONNECTING);
      assertThat(accepted(CallState.RECONNECTING.on(new Event.Reported(Status.CONNECTED))).state()).isEqualTo(CallState.ACTIVE);
      // before it ever connected, a failure is not a reconnect
      assertThat(accepted(CallState.PENDING.on(new Event.Reported(Status.FAILED))).state()).isEqualTo(CallState.PENDING);
    }

    @Test
    @DisplayName("a signal or a new offer (an ICE restart) changes nothing")
    void signals_keep_state() {
      Result.Accepted signalled = accepted(CallState.ACTIVE.on(new Event.Signalled()));
      assertThat(signalled.state()).isEqualTo(CallState.ACTIVE);
      assertThat(signalled.changed()).isFalse();
    }
  }

  @Nested
  @DisplayName("after the end")
  class AfterEnd {
    @Test
    @DisplayName("messages are rejected with call_ended")
    void rejected() {
      assertThat(CallState.ENDED.on(new Event.Joined(true))).isEqualTo(new Result.Rejected("call_ended"));
      assertThat(CallState.ENDED.on(new Event.Reported(Status.CONNECTED))).isEqualTo(new Result.Rejected("call_ended"));
      assertThat(CallState.ENDED.on(new Event.Signalled())).isEqualTo(new Result.Rejected("call_ended"));
      assertThat(CallState.ENDED.on(new Event.Declined())).isEqualTo(new Result.Rejected("call_ended"));
    }

    @Test
    @DisplayName("ending twice is harmless: accepted, nothing changes, no second end reason")
    void ending_twice() {
      Result.Accepted first = accepted(CallState.ACTIVE.on(new Event.End("visit_cancelled")));
      assertThat(first.ended()).isTrue();
      Result.Accepted second = accepted(first.state().on(new Event.End("visit_cancelled")));
      assertThat(second.state()).isEqualTo(CallState.ENDED);
      assertThat(second.changed()).isFalse();
      assertThat(second.ended()).isFalse();
      assertThat(accepted(CallState.ENDED.on(new Event.Left(0, 0, false, "hung_up"))).changed()).isFalse();
    }
  }

  @Test
  @DisplayName("states have the codes of the call table")
  void codes() {
    for (CallState state : CallState.values()) {
      assertThat(CallState.fromCode(state.code())).isEqualTo(state);
    }
    assertThat(CallState.RECONNECTING.code()).isEqualTo("reconnecting");
  }
}
