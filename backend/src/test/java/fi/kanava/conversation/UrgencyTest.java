package fi.kanava.conversation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Urgency classes")
class UrgencyTest {

  @Test
  void codes_are_the_snake_case_names_used_in_json() {
    assertThat(Urgency.IMMEDIATE.code()).isEqualTo("immediate");
    assertThat(Urgency.SAME_DAY.code()).isEqualTo("same_day");
    assertThat(Urgency.NON_URGENT.code()).isEqualTo("non_urgent");
  }

  @ParameterizedTest
  @EnumSource(Urgency.class)
  void every_urgency_is_found_by_its_code(Urgency urgency) {
    assertThat(Urgency.fromCode(urgency.code())).isSameAs(urgency);
  }

  @Test
  void an_unknown_or_missing_code_is_refused() {
    assertThatThrownBy(() -> Urgency.fromCode("urgent")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("urgent");
    assertThatThrownBy(() -> Urgency.fromCode("IMMEDIATE")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Urgency.fromCode(null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rank_is_lower_for_the_more_urgent() {
    assertThat(Urgency.IMMEDIATE.rank()).isZero();
    assertThat(Urgency.SAME_DAY.rank()).isEqualTo(1);
    assertThat(Urgency.NON_URGENT.rank()).isEqualTo(2);
  }

  @Test
  void the_most_urgent_of_two_wins_whichever_order_they_come_in() {
    assertThat(Urgency.mostUrgent(Urgency.SAME_DAY, Urgency.IMMEDIATE)).isEqualTo(Urgency.IMMEDIATE);
    assertThat(Urgency.mostUrgent(Urgency.IMMEDIATE, Urgency.NON_URGENT)).isEqualTo(Urgency.IMMEDIATE);
    assertThat(Urgency.mostUrgent(Urgency.NON_URGENT, Urgency.SAME_DAY)).isEqualTo(Urgency.SAME_DAY);
    assertThat(Urgency.mostUrgent(Urgency.NON_URGENT, Urgency.NON_URGENT)).isEqualTo(Urgency.NON_URGENT);
  }

  @Test
  void most_urgent_refuses_null() {
    assertThatThrownBy(() -> Urgency.mostUrgent(null, Urgency.SAME_DAY)).isInstanceOf(NullPointerException.class);
  }
}
