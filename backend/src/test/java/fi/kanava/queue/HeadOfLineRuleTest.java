package fi.kanava.queue;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.queue.Routing.Attempt;
import fi.kanava.queue.Routing.Available;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Head-of-line rules")
class HeadOfLineRuleTest {
  static final UUID FI_NURSE = UUID.fromString("00000000-0000-0000-0000-00000000000f");
  static final UUID SV_NURSE = UUID.fromString("00000000-0000-0000-0000-00000000000e");
  static final UUID BILINGUAL = UUID.fromString("00000000-0000-0000-0000-00000000000b");

  @Nested
  @DisplayName("Choosing what routing tries next")
  class FirstServable {
    @Test
    @DisplayName("A language nobody available speaks is passed over for the next one someone does")
    void an_unspoken_language_is_passed_over() {
      assertThat(Routing.firstServable(List.of("sv", "fi"), List.of(new Available(FI_NURSE, List.of("fi")))))
          .contains(new Attempt("fi", List.of(FI_NURSE)));
    }

    @Test
    @DisplayName("The first language in routing order that someone speaks wins, whatever comes after it")
    void the_first_servable_language_wins() {
      List<Available> both = List.of(new Available(FI_NURSE, List.of("fi")), new Available(SV_NURSE, List.of("sv")));
      assertThat(Routing.firstServable(List.of("sv", "fi"), both)).contains(new Attempt("sv", List.of(SV_NURSE)));
      assertThat(Routing.firstServable(List.of("fi", "sv"), both)).contains(new Attempt("fi", List.of(FI_NURSE)));
    }

    @Test
    @DisplayName("The candidates keep the order they came in (least loaded, then longest idle) and include only speakers")
    void candidates_keep_their_order() {
      List<Available> available = List.of(new Available(BILINGUAL, List.of("fi", "sv")), new Available(SV_NURSE, List.of("sv")),
          new Available(FI_NURSE, List.of("fi")));
      assertThat(Routing.firstServable(List.of("sv"), available)).contains(new Attempt("sv", List.of(BILINGUAL, SV_NURSE)));
      assertThat(Routing.firstServable(List.of("fi"), available)).contains(new Attempt("fi", List.of(BILINGUAL, FI_NURSE)));
    }

    @Test
    @DisplayName("Nothing to try when nobody available speaks any language waiting, or nothing waits")
    void nothing_servable_means_nothing_to_try() {
      assertThat(Routing.firstServable(List.of("sv", "smn"), List.of(new Available(FI_NURSE, List.of("fi"))))).isEmpty();
      assertThat(Routing.firstServable(List.of("sv"), List.of())).isEmpty();
      assertThat(Routing.firstServable(List.of(), List.of(new Available(FI_NURSE, List.of("fi"))))).isEmpty();
    }
  }

  @Nested
  @DisplayName("Positions (estimates: WaitEstimateTest)")
  class Positions {
    @Test
    @DisplayName("A position counts only those ahead in the same language")
    void positions_count_the_same_language() {
      assertThat(WaitEstimate.positions(List.of("sv", "fi", "fi", "sv", "en", "fi"))).containsExactly(1, 1, 2, 2, 1, 3);
      assertThat(WaitEstimate.positions(List.of())).isEmpty();
    }
  }
}
