package fi.kanava.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("An account's status is the most available of its devices")
class MostAvailableTest {
  @Test
  @DisplayName("available beats busy beats away beats offline")
  void ranking() {
    assertThat(Presence.mostAvailable(List.of("offline", "available"))).isEqualTo("available");
    assertThat(Presence.mostAvailable(List.of("away", "busy", "offline"))).isEqualTo("busy");
    assertThat(Presence.mostAvailable(List.of("offline", "away"))).isEqualTo("away");
    assertThat(Presence.mostAvailable(List.of("offline"))).isEqualTo("offline");
  }

  @Test
  @DisplayName("no device at all is offline")
  void none() {
    assertThat(Presence.mostAvailable(List.of())).isEqualTo("offline");
  }
}
