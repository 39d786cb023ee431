package fi.kanava.auth;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.infra.KanavaConfig.PasswordParams;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Password hashing and sign-in throttling")
class PasswordHasherTest {
  private final PasswordHasher hasher = new PasswordHasher(new PasswordParams(19456, 2, 1));

  @Test
  void a_hash_is_argon2id_in_phc_format_with_owasp_parameters_and_a_random_salt() {
    String a = hasher.hash("secret password 1");
    String b = hasher.hash("secret password 1");
    assertThat(a).startsWith("$argon2id$v=19$m=19456,t=2,p=1$");
    assertThat(a).isNotEqualTo(b);
    assertThat(a).doesNotContain("secret");
  }

  @Test
  void only_the_right_password_verifies() {
    String hash = hasher.hash("secret password 1");
    assertThat(hasher.verify("secret password 1", hash)).isTrue();
    assertThat(hasher.verify("secret password 2", hash)).isFalse();
    assertThat(hasher.verify("secret password 1", "$argon2i$v=19$garbage")).isFalse();
    assertThat(hasher.verifyDecoy("secret password 1")).isFalse();
  }

  @Test
  void hashes_made_with_other_parameters_still_verify() {
    String cheap = new PasswordHasher(new PasswordParams(8192, 1, 1)).hash("secret password 1");
    assertThat(hasher.verify("secret password 1", cheap)).isTrue();
  }

  @Test
  void failed_sign_ins_slow_down_doubling_up_to_the_maximum() {
    LoginThrottle throttle = new LoginThrottle(5, Duration.ofMinutes(15), Duration.ofMillis(250), Duration.ofSeconds(1));
    assertThat(throttle.delayAfter(0)).isZero();
    assertThat(throttle.delayAfter(1)).isEqualTo(Duration.ofMillis(250));
    assertThat(throttle.delayAfter(2)).isEqualTo(Duration.ofMillis(500));
    assertThat(throttle.delayAfter(3)).isEqualTo(Duration.ofSeconds(1));
    assertThat(throttle.delayAfter(40)).isEqualTo(Duration.ofSeconds(1));
  }
}
