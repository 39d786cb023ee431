package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import fi.kanava.support.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Token buckets per client address")
class AddressLimiterTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-02T08:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private AddressLimiter limiter(int burst, Duration interval, int capacity) {
    return new AddressLimiter("test", new KanavaConfig.Abuse.Bucket(burst, interval), capacity, clock, new AbuseMetrics(registry));
  }

  @Test
  void an_address_gets_its_burst_then_one_more_per_interval_with_the_wait_in_the_refusal() {
    AddressLimiter limiter = limiter(3, Duration.ofSeconds(10), 100);
    for (int i = 0; i < 3; i++) {
      limiter.acquire("192.0.2.1");
    }
    ApiError refused = catchThrowableOfType(ApiError.class, () -> limiter.acquire("192.0.2.1"));
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.code()).isEqualTo("rate_limited");
    assertThat(refused.retryAfterSeconds()).isEqualTo(10);
    assertThat(refused.toJson().getLong("retryAfterSeconds")).isEqualTo(10);
    // another address has its own bucket
    limiter.acquire("192.0.2.2");
    clock.advance(Duration.ofSeconds(4));
    assertThat(catchThrowableOfType(ApiError.class, () -> limiter.acquire("192.0.2.1")).retryAfterSeconds()).isEqualTo(6);
    clock.advance(Duration.ofSeconds(6));
    limiter.acquire("192.0.2.1");
    assertThatThrownBy(() -> limiter.acquire("192.0.2.1")).isInstanceOf(ApiError.class);
    assertThat(registry.get("kanava.abuse.refusals").tag("limit", "test").counter().count()).isEqualTo(3);
  }

  @Test
  void a_refund_gives_back_the_token_of_a_request_that_did_not_count() {
    AddressLimiter limiter = limiter(1, Duration.ofMinutes(1), 100);
    limiter.acquire("192.0.2.1");
    limiter.refund("192.0.2.1");
    limiter.acquire("192.0.2.1");
    assertThatThrownBy(() -> limiter.acquire("192.0.2.1")).isInstanceOf(ApiError.class);
  }

  @Test
  void a_flood_of_distinct_addresses_stays_within_the_bound_and_the_busy_flooder_stays_limited() {
    AddressLimiter limiter = limiter(5, Duration.ofMinutes(1), 1000);
    for (int i = 0; i < 5; i++) {
      limiter.acquire("203.0.113.66");
    }
    for (int i = 0; i < 100_000; i++) {
      limiter.acquire("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
      if (i % 100 == 0) {
        // the flooder keeps knocking in between: it is the address seen most often
        assertThatThrownBy(() -> limiter.acquire("203.0.113.66")).isInstanceOf(ApiError.class);
      }
    }
    assertThat(limiter.tracked()).isLessThanOrEqualTo(1000);
    assertThatThrownBy(() -> limiter.acquire("203.0.113.66")).isInstanceOf(ApiError.class);
  }

  @Test
  void a_bucket_that_would_be_full_again_is_forgotten() {
    AddressLimiter limiter = limiter(2, Duration.ofSeconds(30), 100);
    limiter.acquire("192.0.2.1");
    assertThat(limiter.tracked()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1).plusSeconds(1));
    assertThat(limiter.tracked()).isZero();
  }
}
