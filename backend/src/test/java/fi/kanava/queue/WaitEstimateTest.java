package fi.kanava.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import fi.kanava.queue.WaitEstimate.Estimate;
import fi.kanava.queue.WaitEstimate.NoEstimate;
import fi.kanava.queue.WaitEstimate.Rate;
import fi.kanava.queue.WaitEstimate.Shown;
import fi.kanava.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Wait estimates")
class WaitEstimateTest {
  private static final Instant START = Instant.parse("2026-03-02T08:00:00Z");

  /** One assignment every {@code every}, for the hour before {@code now}. */
  private static List<Instant> steady(Instant now, Duration every) {
    List<Instant> out = new ArrayList<>();
    for (Instant at = now; !at.isBefore(now.minus(WaitEstimate.WINDOW)); at = at.minus(every)) {
      out.add(at);
    }
    return out;
  }

  @Nested
  @DisplayName("The service rate")
  class Rates {
    @Test
    @DisplayName("A steady pace of one conversation every five minutes by one professional is about 0.2 a minute")
    void a_steady_pace_is_measured() {
      Rate rate = WaitEstimate.rate(steady(START, Duration.ofMinutes(5)), 1, START);
      assertThat(rate.perProfessionalPerMinute()).isCloseTo(0.2, within(0.03));
    }

    @Test
    @DisplayName("The pace is per professional: the same assignments by two professionals are half the rate each")
    void the_rate_is_per_professional() {
      List<Instant> times = steady(START, Duration.ofMinutes(5));
      assertThat(WaitEstimate.rate(times, 2, START).perProfessionalPerMinute())
          .isCloseTo(WaitEstimate.rate(times, 1, START).perProfessionalPerMinute() / 2, within(1e-9));
    }

    @Test
    @DisplayName("Assignments older than the window or after now do not count")
    void only_the_window_counts() {
      Rate rate = WaitEstimate.rate(List.of(START.minus(Duration.ofMinutes(61)), START.plusSeconds(1)), 1, START);
      assertThat(rate).isEqualTo(Rate.NONE);
    }

    @Test
    @DisplayName("An assignment fades out as the clock moves instead of dropping out of the window at once")
    void an_assignment_fades() {
      MutableClock clock = new MutableClock(START);
      List<Instant> times = List.of(START);
      double before = WaitEstimate.rate(times, 1, clock.instant()).weight();
      for (int minute = 1; minute <= 60; minute++) {
        clock.advance(Duration.ofMinutes(1));
        double now = WaitEstimate.rate(times, 1, clock.instant()).weight();
        assertThat(now).isLessThan(before).isGreaterThan(before * 0.9);
        before = now;
      }
    }
  }

  @Nested
  @DisplayName("No estimate")
  class None {
    @Test
    @DisplayName("Nobody available who can serve the conversation: no estimate, whatever the history")
    void nobody_available() {
      Rate busy = WaitEstimate.rate(steady(START, Duration.ofMinutes(2)), 3, START);
      Estimate e = WaitEstimate.estimate(1, 0, busy, new Shown(1, 600));
      assertThat(e.known()).isFalse();
      assertThat(e.none()).isEqualTo(NoEstimate.NOBODY_AVAILABLE);
      assertThat(e.lowSeconds()).isNull();
      assertThat(e.highSeconds()).isNull();
      assertThat(e.centreSeconds()).isNull();
    }

    @Test
    @DisplayName("Someone available but nobody taken lately (or only long ago): no estimate yet, not a guess")
    void no_history() {
      assertThat(WaitEstimate.estimate(1, 2, Rate.NONE, null).none()).isEqualTo(NoEstimate.NO_HISTORY);
      Rate faded = WaitEstimate.rate(List.of(START.minus(Duration.ofMinutes(50))), 1, START);
      assertThat(faded.weight()).isPositive();
      assertThat(WaitEstimate.estimate(1, 2, faded, null).none()).isEqualTo(NoEstimate.NO_HISTORY);
    }
  }

  @Nested
  @DisplayName("The range")
  class Ranges {
    @Test
    @DisplayName("Position over available professionals times their pace: position 2, one nurse taking one in 5 min, about 10 min")
    void the_centre_is_position_over_throughput() {
      Rate rate = WaitEstimate.rate(steady(START, Duration.ofMinutes(5)), 1, START);
      Estimate e = WaitEstimate.estimate(2, 1, rate, null);
      assertThat(e.centreSeconds()).isBetween(500L, 700L);
      assertThat(e.lowSeconds()).isLessThan(e.centreSeconds());
      assertThat(e.highSeconds()).isGreaterThan(e.centreSeconds());
      assertThat(e.lowSeconds() % 60).isZero();
      assertThat(e.highSeconds() % 60).isZero();
      // two nurses available halve it
      assertThat(WaitEstimate.estimate(2, 2, rate, null).centreSeconds()).isCloseTo(e.centreSeconds() / 2, within(1L));
    }

    @Test
    @DisplayName("Little history or a short line ahead gives a wide range; more of both narrows it")
    void the_range_narrows_with_evidence() {
      Rate thin = WaitEstimate.rate(List.of(START.minus(Duration.ofMinutes(5))), 1, START);
      Rate rich = WaitEstimate.rate(steady(START, Duration.ofMinutes(1)), 10, START);
      assertThat(relativeWidth(WaitEstimate.estimate(1, 1, thin, null)))
          .isGreaterThan(relativeWidth(WaitEstimate.estimate(8, 1, rich, null)));
      assertThat(relativeWidth(WaitEstimate.estimate(1, 1, rich, null)))
          .isGreaterThan(relativeWidth(WaitEstimate.estimate(8, 1, rich, null)));
      // never narrower than ±25 %, never wider than half to double
      Estimate widest = WaitEstimate.estimate(1, 1, thin, null);
      assertThat((double) widest.highSeconds() / widest.lowSeconds()).isLessThanOrEqualTo(4.2);
    }

    private static double relativeWidth(Estimate e) {
      return (double) (e.highSeconds() - e.lowSeconds()) / e.centreSeconds();
    }
  }

  @Nested
  @DisplayName("Damping between updates")
  class Damping {
    @Test
    @DisplayName("For the same position, consecutive updates never differ by more than half an hour, however the pace swings")
    void no_jumps_by_hours() {
      // thin history and a swinging number of nurses, position 3 throughout, updated every minute: one conversation
      // taken at the start; another after 13 minutes, just as the first has nearly faded; four nurses for minutes 30 to 33
      MutableClock clock = new MutableClock(START);
      List<Instant> times = new ArrayList<>(List.of(START));
      Estimate last = null;
      Long lastRaw = null;
      long largestRawJump = 0;
      for (int minute = 0; minute <= 35; minute++) {
        if (minute == 13) {
          times.add(clock.instant());
        }
        int available = minute >= 30 && minute <= 33 ? 4 : 1;
        Rate rate = WaitEstimate.rate(times, 1, clock.instant());
        Estimate raw = WaitEstimate.estimate(3, available, rate, null);
        Estimate e = WaitEstimate.estimate(3, available, rate, last == null ? null : new Shown(3, last.centreSeconds()));
        assertThat(e.known()).as("minute %d", minute).isTrue();
        if (lastRaw != null) {
          largestRawJump = Math.max(largestRawJump, Math.abs(raw.centreSeconds() - lastRaw));
        }
        if (last != null) {
          assertThat(Math.abs(e.centreSeconds() - last.centreSeconds())).as("minute %d", minute)
              .isLessThanOrEqualTo(WaitEstimate.MAX_STEP.toSeconds());
          // the range moves with the centre: neither end jumps by an hour either
          assertThat(Math.abs(e.highSeconds() - last.highSeconds())).as("minute %d", minute).isLessThan(3600L);
          assertThat(Math.abs(e.lowSeconds() - last.lowSeconds())).as("minute %d", minute).isLessThan(3600L);
        }
        last = e;
        lastRaw = raw.centreSeconds();
        clock.advance(Duration.ofMinutes(1));
      }
      // without damping the same inputs did jump by more than an hour: the test can fail
      assertThat(largestRawJump).isGreaterThan(3600);
    }

    @Test
    @DisplayName("A small change moves at most a quarter (or two minutes) per update, and settles on the new value")
    void small_changes_settle() {
      Rate rate = WaitEstimate.rate(steady(START, Duration.ofMinutes(5)), 1, START);
      long raw = WaitEstimate.estimate(2, 1, rate, null).centreSeconds();
      Estimate e = WaitEstimate.estimate(2, 1, rate, new Shown(2, 3600));
      assertThat(e.centreSeconds()).isEqualTo(3600 - 900);
      for (int i = 0; i < 20; i++) {
        e = WaitEstimate.estimate(2, 1, rate, new Shown(2, e.centreSeconds()));
      }
      assertThat(e.centreSeconds()).isCloseTo(raw, within(1L));
    }

    @Test
    @DisplayName("When someone ahead is served, the estimate shrinks with the position at once")
    void the_estimate_follows_the_position() {
      Rate rate = WaitEstimate.rate(steady(START, Duration.ofMinutes(5)), 1, START);
      Estimate atTwo = WaitEstimate.estimate(2, 1, rate, null);
      Estimate atOne = WaitEstimate.estimate(1, 1, rate, new Shown(2, atTwo.centreSeconds()));
      assertThat(atOne.centreSeconds()).isCloseTo(atTwo.centreSeconds() / 2, within(1L));
    }
  }
}
