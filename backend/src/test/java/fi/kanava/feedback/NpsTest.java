package fi.kanava.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("NPS arithmetic")
class NpsTest {
  @Test
  void scores_fall_into_categories_at_the_model_boundaries() {
    assertThat(Nps.category(0)).isEqualTo(Nps.DETRACTOR);
    assertThat(Nps.category(6)).isEqualTo(Nps.DETRACTOR);
    assertThat(Nps.category(7)).isEqualTo(Nps.PASSIVE);
    assertThat(Nps.category(8)).isEqualTo(Nps.PASSIVE);
    assertThat(Nps.category(9)).isEqualTo(Nps.PROMOTER);
    assertThat(Nps.category(10)).isEqualTo(Nps.PROMOTER);
    assertThatThrownBy(() -> Nps.category(11)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Nps.category(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void the_score_is_promoters_minus_detractors_in_points() {
    // the regions' figures: 58 from 70 promoters, 18 passives, 12 detractors
    assertThat(Nps.score(70, 18, 12)).isEqualTo(58.0);
    assertThat(Nps.score(10, 0, 0)).isEqualTo(100.0);
    assertThat(Nps.score(0, 0, 4)).isEqualTo(-100.0);
    assertThat(Nps.score(1, 2, 1)).isEqualTo(0.0);
    assertThat(Nps.score(0, 0, 0)).isNaN();
  }
}
