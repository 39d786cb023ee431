package fi.kanava.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.rtc.NetworkCheckOutcome.Observed;
import fi.kanava.rtc.NetworkCheckOutcome.Result;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("What a network check found")
class NetworkCheckOutcomeTest {

  @Test
  @DisplayName("no connection is failed, with no figures")
  void failed() {
    NetworkCheckOutcome o = NetworkCheckOutcome.of(new Observed(false, false, 0.05, 40, Set.of(), 20));
    assertThat(o).isEqualTo(new NetworkCheckOutcome(Result.FAILED, null, null));
  }

  @Test
  @DisplayName("a relay on the selected pair is relayed; the stats' round trip wins over the browser's")
  void relayed() {
    NetworkCheckOutcome o = NetworkCheckOutcome.of(new Observed(true, true, 0.0424, 90, pings(0, 20), 20));
    assertThat(o).isEqualTo(new NetworkCheckOutcome(Result.RELAYED, 42, 0.0));
  }

  @Test
  @DisplayName("without the stats' round trip the browser's echo is used")
  void client_rtt() {
    assertThat(NetworkCheckOutcome.of(new Observed(true, false, null, 90, pings(0, 20), 20)).rttMs()).isEqualTo(90);
  }

  @Test
  @DisplayName("loss counts pings that never arrived, the last ones too when the browser says how many it sent")
  void loss() {
    assertThat(NetworkCheckOutcome.loss(pings(0, 15), 20)).isEqualTo(25.0);
    assertThat(NetworkCheckOutcome.loss(Set.of(0, 2), null)).isEqualTo(33.33);
    assertThat(NetworkCheckOutcome.loss(Set.of(), 20)).isEqualTo(100.0);
    assertThat(NetworkCheckOutcome.loss(Set.of(), null)).isNull();
    assertThat(NetworkCheckOutcome.loss(pings(0, 30), 20)).as("more than said: the highest seen counts").isEqualTo(0.0);
  }

  private static Set<Integer> pings(int from, int to) {
    return IntStream.range(from, to).boxed().collect(Collectors.toSet());
  }
}
