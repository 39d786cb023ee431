package fi.kanava.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("The conversation state machine")
class ConversationStateTest {
  @ParameterizedTest(name = "{0} → {1}: {2}")
  @CsvSource({
    "QUEUED, ACTIVE, true",
    "QUEUED, CLOSED, true",
    "QUEUED, QUEUED, false",
    "ACTIVE, QUEUED, true",
    "ACTIVE, CLOSED, true",
    "ACTIVE, ACTIVE, false",
    "CLOSED, QUEUED, false",
    "CLOSED, ACTIVE, false",
    "CLOSED, CLOSED, false"
  })
  void moves(ConversationState from, ConversationState to, boolean allowed) {
    assertThat(from.canBecome(to)).isEqualTo(allowed);
  }

  @Test
  @DisplayName("a closed conversation never changes again")
  void closed_is_final() {
    for (ConversationState next : ConversationState.values()) {
      assertThat(ConversationState.CLOSED.canBecome(next)).isFalse();
    }
  }

  @Test
  @DisplayName("codes are what the database and the protocol write")
  void codes() {
    for (ConversationState state : ConversationState.values()) {
      assertThat(ConversationState.fromCode(state.code())).isEqualTo(state);
    }
    assertThat(ConversationState.ACTIVE.code()).isEqualTo("active");
  }
}
