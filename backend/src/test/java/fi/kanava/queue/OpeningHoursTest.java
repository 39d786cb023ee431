package fi.kanava.queue;

import static fi.kanava.queue.JsonMaps.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Opening hours")
class OpeningHoursTest {
  private static final ZoneId HELSINKI = ZoneId.of("Europe/Helsinki");

  /** Weekdays 8-16 with lunch closed on Tuesdays; Christmas closed, New Year's Eve until noon. */
  private static OpeningHours office() {
    return OpeningHours.parse(json("""
        {'timeZone': 'Europe/Helsinki',
         'weekly': {'mon': [['08:00', '16:00']], 'tue': [['08:00', '12:00'], ['13:00', '16:00']],
                    'wed': [['08:00', '16:00']], 'thu': [['08:00', '16:00']], 'fri': [['08:00', '16:00']], 'sat': [], 'sun': []},
         'exceptions': [{'date': '2026-12-24', 'closed': true}, {'date': '2026-12-25', 'closed': true},
                        {'date': '2026-12-31', 'hours': [['08:00', '12:00']]}]}"""));
  }

  private static OpeningHours sundays(String start, String end) {
    return OpeningHours.parse(json("{'weekly': {'sun': [['" + start + "', '" + end + "']]}}"));
  }

  private static Instant local(String dateTime) {
    return LocalDateTime.parse(dateTime).atZone(HELSINKI).toInstant();
  }

  private static Instant utc(String instant) {
    return Instant.parse(instant);
  }

  @Nested
  @DisplayName("on ordinary days")
  class OrdinaryDays {
    @Test
    void in_winter_helsinki_is_two_hours_ahead_of_utc() {
      OpeningHours hours = office();
      assertThat(hours.isOpen(utc("2026-01-05T05:59:59Z"))).isFalse();
      assertThat(hours.isOpen(utc("2026-01-05T06:00:00Z"))).isTrue();
      assertThat(hours.isOpen(utc("2026-01-05T13:59:59Z"))).isTrue();
      assertThat(hours.isOpen(utc("2026-01-05T14:00:00Z"))).isFalse();
    }

    @Test
    void in_summer_helsinki_is_three_hours_ahead_of_utc() {
      OpeningHours hours = office();
      assertThat(hours.isOpen(utc("2026-06-01T04:59:59Z"))).isFalse();
      assertThat(hours.isOpen(utc("2026-06-01T05:00:00Z"))).isTrue();
      assertThat(hours.isOpen(utc("2026-06-01T12:59:59Z"))).isTrue();
      assertThat(hours.isOpen(utc("2026-06-01T13:00:00Z"))).isFalse();
    }

    @Test
    void a_split_day_is_closed_over_lunch() {
      OpeningHours hours = office();
      assertThat(hours.isOpen(local("2026-01-06T12:30"))).isFalse();
      assertThat(hours.closesAt(local("2026-01-06T09:00"))).contains(local("2026-01-06T12:00"));
      assertThat(hours.nextOpening(local("2026-01-06T12:30"))).contains(local("2026-01-06T13:00"));
    }

    @Test
    void next_opening_while_open_is_the_opening_after_the_current_one() {
      OpeningHours hours = office();
      assertThat(hours.nextOpening(local("2026-01-06T09:00"))).contains(local("2026-01-06T13:00"));
      assertThat(hours.nextOpening(local("2026-01-06T08:00"))).contains(local("2026-01-06T13:00"));
    }

    @Test
    void next_opening_from_the_closing_moment_is_the_next_morning() {
      assertThat(office().nextOpening(local("2026-01-05T16:00"))).contains(local("2026-01-06T08:00"));
    }

    @Test
    void next_opening_spans_the_weekend() {
      assertThat(office().nextOpening(local("2026-01-09T16:00"))).contains(local("2026-01-12T08:00"));
      assertThat(office().nextOpening(local("2026-01-10T12:00"))).contains(local("2026-01-12T08:00"));
    }

    @Test
    void a_closed_queue_has_no_closing_time() {
      assertThat(office().closesAt(local("2026-01-10T12:00"))).isEmpty();
      assertThat(office().closesAt(local("2026-01-05T16:00"))).isEmpty();
    }
  }

  @Nested
  @DisplayName("with exceptions")
  class Exceptions {
    @Test
    void a_closed_holiday_replaces_the_weekly_hours() {
      assertThat(office().isOpen(local("2026-12-24T10:00"))).isFalse();
      assertThat(office().isOpen(local("2026-12-23T10:00"))).isTrue();
    }

    @Test
    void next_opening_skips_closed_holidays_and_the_weekend() {
      assertThat(office().nextOpening(local("2026-12-23T16:00"))).contains(local("2026-12-28T08:00"));
    }

    @Test
    void a_shortened_day_closes_early() {
      OpeningHours hours = office();
      assertThat(hours.isOpen(local("2026-12-31T11:59"))).isTrue();
      assertThat(hours.isOpen(local("2026-12-31T12:00"))).isFalse();
      assertThat(hours.closesAt(local("2026-12-31T10:00"))).contains(local("2026-12-31T12:00"));
    }

    @Test
    void an_exception_can_open_a_day_that_is_otherwise_closed() {
      OpeningHours hours = OpeningHours.parse(json("{'exceptions': [{'date': '2026-03-07', 'hours': [['10:00', '14:00']]}]}"));
      assertThat(hours.isOpen(local("2026-03-07T12:00"))).isTrue();
      assertThat(hours.closesAt(local("2026-03-07T12:00"))).contains(local("2026-03-07T14:00"));
      assertThat(hours.nextOpening(local("2026-01-01T00:00"))).contains(local("2026-03-07T10:00"));
      assertThat(hours.nextOpening(local("2026-03-07T12:00"))).isEmpty();
    }

    @Test
    void next_opening_looks_ahead_four_hundred_days_and_no_further() {
      OpeningHours hours = OpeningHours.parse(json("{'exceptions': [{'date': '2027-12-01', 'hours': [['10:00', '14:00']]}]}"));
      assertThat(hours.nextOpening(local("2026-11-01T00:00"))).contains(local("2027-12-01T10:00"));
      assertThat(hours.nextOpening(local("2026-10-01T00:00"))).isEmpty();
    }

    @Test
    void hours_that_are_never_open_have_no_next_opening() {
      OpeningHours hours = OpeningHours.parse(json("{'weekly': {}}"));
      assertThat(hours.isOpen(local("2026-01-05T10:00"))).isFalse();
      assertThat(hours.nextOpening(local("2026-01-05T10:00"))).isEmpty();
      assertThat(hours.closesAt(local("2026-01-05T10:00"))).isEmpty();
    }
  }

  @Nested
  @DisplayName("at midnight")
  class Midnight {
    private final OpeningHours evenings = OpeningHours.parse(json("""
        {'weekly': {'mon': [['16:00', '24:00']], 'tue': [['00:00', '08:00']], 'fri': [['16:00', '24:00']]}}"""));

    @Test
    void an_interval_ending_at_24_00_is_open_until_midnight() {
      assertThat(evenings.isOpen(local("2026-01-09T23:59:59"))).isTrue();
      assertThat(evenings.isOpen(local("2026-01-10T00:00"))).isFalse();
      assertThat(evenings.closesAt(local("2026-01-09T20:00"))).contains(local("2026-01-10T00:00"));
    }

    @Test
    void intervals_meeting_at_midnight_are_one_opening() {
      assertThat(evenings.isOpen(local("2026-01-06T00:00"))).isTrue();
      assertThat(evenings.closesAt(local("2026-01-05T20:00"))).contains(local("2026-01-06T08:00"));
      assertThat(evenings.closesAt(local("2026-01-06T03:00"))).contains(local("2026-01-06T08:00"));
      assertThat(evenings.nextOpening(local("2026-01-05T20:00"))).contains(local("2026-01-09T16:00"));
      assertThat(evenings.nextOpening(local("2026-01-05T12:00"))).contains(local("2026-01-05T16:00"));
    }

    @Test
    void intervals_meeting_within_a_day_are_one_opening() {
      OpeningHours hours = OpeningHours.parse(json("{'weekly': {'mon': [['12:00', '16:00'], ['08:00', '12:00']]}}"));
      assertThat(hours.closesAt(local("2026-01-05T09:00"))).contains(local("2026-01-05T16:00"));
      assertThat(hours.nextOpening(local("2026-01-05T09:00"))).contains(local("2026-01-12T08:00"));
    }

    @Test
    void hours_open_around_the_clock_every_day_never_close_within_the_horizon() {
      OpeningHours hours = OpeningHours.parse(json("""
          {'weekly': {'mon': [['00:00', '24:00']], 'tue': [['00:00', '24:00']], 'wed': [['00:00', '24:00']],
           'thu': [['00:00', '24:00']], 'fri': [['00:00', '24:00']], 'sat': [['00:00', '24:00']], 'sun': [['00:00', '24:00']]}}"""));
      assertThat(hours.isOpen(local("2026-03-29T03:30"))).isTrue();
      assertThat(hours.closesAt(local("2026-01-05T12:00"))).isEmpty();
      assertThat(hours.nextOpening(local("2026-01-05T12:00"))).isEmpty();
    }
  }

  @Nested
  @DisplayName("on daylight-saving days")
  class DaylightSaving {
    @Test
    void on_the_spring_forward_day_an_interval_across_the_gap_is_an_hour_shorter() {
      OpeningHours hours = sundays("02:00", "05:00");
      assertThat(hours.isOpen(utc("2026-03-28T23:59:59Z"))).isFalse();
      assertThat(hours.isOpen(utc("2026-03-29T00:00:00Z"))).isTrue();
      assertThat(hours.isOpen(utc("2026-03-29T01:30:00Z"))).isTrue();
      assertThat(hours.isOpen(utc("2026-03-29T02:00:00Z"))).isFalse();
      assertThat(hours.closesAt(utc("2026-03-29T00:30:00Z"))).contains(utc("2026-03-29T02:00:00Z"));
    }

    @Test
    void a_start_in_the_spring_forward_gap_moves_forward_by_the_gap() {
      OpeningHours hours = sundays("03:30", "06:00");
      assertThat(hours.nextOpening(utc("2026-03-28T12:00:00Z"))).contains(utc("2026-03-29T01:30:00Z"));
      assertThat(hours.isOpen(utc("2026-03-29T01:00:00Z"))).isFalse();
      assertThat(hours.isOpen(utc("2026-03-29T01:30:00Z"))).isTrue();
      assertThat(hours.closesAt(utc("2026-03-29T02:00:00Z"))).contains(utc("2026-03-29T03:00:00Z"));
    }

    @Test
    void an_interval_inside_the_spring_forward_gap_still_opens_after_the_gap() {
      OpeningHours hours = sundays("03:10", "03:50");
      assertThat(hours.nextOpening(utc("2026-03-28T12:00:00Z"))).contains(utc("2026-03-29T01:10:00Z"));
      assertThat(hours.closesAt(utc("2026-03-29T01:20:00Z"))).contains(utc("2026-03-29T01:50:00Z"));
    }

    @Test
    void on_the_fall_back_day_an_interval_across_the_repeated_hour_is_an_hour_longer() {
      OpeningHours hours = sundays("00:00", "06:00");
      assertThat(hours.nextOpening(utc("2026-10-24T12:00:00Z"))).contains(utc("2026-10-24T21:00:00Z"));
      assertThat(hours.isOpen(utc("2026-10-25T03:59:59Z"))).isTrue();
      assertThat(hours.isOpen(utc("2026-10-25T04:00:00Z"))).isFalse();
      assertThat(hours.closesAt(utc("2026-10-25T02:00:00Z"))).contains(utc("2026-10-25T04:00:00Z"));
    }

    @Test
    void a_start_in_the_repeated_hour_takes_the_earlier_summer_time_offset() {
      OpeningHours hours = sundays("03:30", "05:00");
      assertThat(hours.nextOpening(utc("2026-10-24T12:00:00Z"))).contains(utc("2026-10-25T00:30:00Z"));
      assertThat(hours.isOpen(utc("2026-10-25T01:45:00Z"))).isTrue();
      assertThat(hours.closesAt(utc("2026-10-25T01:45:00Z"))).contains(utc("2026-10-25T03:00:00Z"));
    }

    @Test
    void weekday_hours_around_the_changes_follow_local_time() {
      OpeningHours hours = office();
      assertThat(hours.nextOpening(local("2026-03-27T16:00"))).contains(utc("2026-03-30T05:00:00Z"));
      assertThat(hours.nextOpening(local("2026-10-23T16:00"))).contains(utc("2026-10-26T06:00:00Z"));
      assertThat(hours.closesAt(utc("2026-03-30T06:00:00Z"))).contains(utc("2026-03-30T13:00:00Z"));
    }

    @Test
    void a_day_ending_at_24_00_on_the_change_ends_at_the_right_midnight() {
      OpeningHours hours = sundays("20:00", "24:00");
      assertThat(hours.closesAt(utc("2026-03-29T18:00:00Z"))).contains(utc("2026-03-29T21:00:00Z"));
      assertThat(hours.closesAt(utc("2026-10-25T19:00:00Z"))).contains(utc("2026-10-25T22:00:00Z"));
    }
  }

  @Nested
  @DisplayName("when always open")
  class AlwaysOpen {
    @Test
    void it_is_open_at_any_time_with_no_closing_or_next_opening() {
      OpeningHours hours = OpeningHours.alwaysOpen();
      assertThat(hours.isOpen(local("2026-12-24T03:00"))).isTrue();
      assertThat(hours.closesAt(local("2026-12-24T03:00"))).isEmpty();
      assertThat(hours.nextOpening(local("2026-12-24T03:00"))).isEmpty();
      assertThat(hours.timeZone()).isEqualTo(HELSINKI);
    }

    @Test
    void always_open_overrides_weekly_hours_and_exceptions() {
      OpeningHours hours = OpeningHours.parse(json("""
          {'alwaysOpen': true, 'weekly': {'mon': [['08:00', '16:00']]}, 'exceptions': [{'date': '2026-12-24', 'closed': true}]}"""));
      assertThat(hours.isOpen(local("2026-01-05T20:00"))).isTrue();
      assertThat(hours.isOpen(local("2026-12-24T10:00"))).isTrue();
      assertThat(hours.closesAt(local("2026-01-05T10:00"))).isEmpty();
    }

    @Test
    void the_factory_equals_a_parsed_always_open_definition() {
      assertThat(OpeningHours.alwaysOpen()).isEqualTo(OpeningHours.parse(json("{'alwaysOpen': true}")));
    }
  }
}
