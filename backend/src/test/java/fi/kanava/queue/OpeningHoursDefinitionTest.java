package fi.kanava.queue;

import static fi.kanava.queue.JsonMaps.json;
import static fi.kanava.queue.JsonMaps.toJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Opening hours definitions")
class OpeningHoursDefinitionTest {

  @SuppressWarnings("unchecked")
  private static Map<String, Object> weekly(OpeningHours hours) {
    return (Map<String, Object>) hours.toMap().get("weekly");
  }

  @Nested
  @DisplayName("when valid")
  class Valid {
    @Test
    void the_time_zone_defaults_to_helsinki_and_missing_days_are_closed() {
      OpeningHours hours = OpeningHours.parse(json("{'weekly': {'mon': [['08:00', '16:00']]}}"));
      assertThat(hours.timeZone()).isEqualTo(ZoneId.of("Europe/Helsinki"));
      assertThat(hours.toMap()).containsEntry("alwaysOpen", false);
      assertThat(weekly(hours)).containsEntry("tue", List.of()).containsEntry("sun", List.of());
    }

    @Test
    void another_time_zone_can_be_given() {
      OpeningHours hours = OpeningHours.parse(json("{'timeZone': 'Europe/Stockholm', 'weekly': {'mon': [['08:00', '16:00']]}}"));
      assertThat(hours.timeZone()).isEqualTo(ZoneId.of("Europe/Stockholm"));
      assertThat(hours.isOpen(Instant.parse("2026-01-05T07:30:00Z"))).isTrue();
    }

    @Test
    void json_nulls_count_as_absent() {
      OpeningHours hours = OpeningHours.parse(json("{'timeZone': null, 'alwaysOpen': null, 'weekly': {'mon': null}, 'exceptions': null}"));
      assertThat(hours).isEqualTo(OpeningHours.parse(json("{}")));
    }

    @Test
    void a_canonical_definition_round_trips_unchanged() {
      String canonical = "{\"timeZone\":\"Europe/Helsinki\",\"alwaysOpen\":false,"
          + "\"weekly\":{\"mon\":[[\"08:00\",\"16:00\"]],\"tue\":[[\"08:00\",\"12:00\"],[\"13:00\",\"16:00\"]],\"wed\":[],"
          + "\"thu\":[],\"fri\":[[\"16:00\",\"24:00\"]],\"sat\":[],\"sun\":[]},"
          + "\"exceptions\":[{\"date\":\"2026-12-24\",\"closed\":true},{\"date\":\"2026-12-31\",\"hours\":[[\"08:00\",\"12:00\"]]}]}";
      OpeningHours hours = OpeningHours.parse(json(canonical));
      assertThat(json(toJson(hours.toMap()))).isEqualTo(json(canonical));
      assertThat(OpeningHours.parse(json(toJson(hours.toMap())))).isEqualTo(hours);
    }

    @Test
    void intervals_and_exceptions_are_written_back_in_order() {
      OpeningHours hours = OpeningHours.parse(json("""
          {'weekly': {'tue': [['13:00', '16:00'], ['08:00', '12:00']]},
           'exceptions': [{'date': '2026-12-31', 'hours': []}, {'date': '2026-12-24', 'closed': true}]}"""));
      Map<String, Object> map = hours.toMap();
      assertThat(weekly(hours).get("tue")).isEqualTo(List.of(List.of("08:00", "12:00"), List.of("13:00", "16:00")));
      assertThat(map.get("exceptions")).isEqualTo(List.of(Map.of("date", "2026-12-24", "closed", true),
          Map.of("date", "2026-12-31", "closed", true)));
    }

    @Test
    void always_open_keeps_its_weekly_hours_for_when_it_is_switched_off() {
      OpeningHours hours = OpeningHours.parse(json("{'alwaysOpen': true, 'weekly': {'mon': [['08:00', '16:00']]}}"));
      assertThat(hours.toMap()).containsEntry("alwaysOpen", true);
      assertThat(weekly(hours).get("mon")).isEqualTo(List.of(List.of("08:00", "16:00")));
    }

    @Test
    void intervals_may_touch_within_a_day() {
      OpeningHours hours = OpeningHours.parse(json("{'weekly': {'mon': [['08:00', '12:00'], ['12:00', '16:00']]}}"));
      assertThat(weekly(hours).get("mon")).isEqualTo(List.of(List.of("08:00", "12:00"), List.of("12:00", "16:00")));
    }
  }

  @Nested
  @DisplayName("when invalid")
  class Invalid {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        {'timeZone': 'Mars/Base'}                                       | timeZone: unknown zone 'Mars/Base'
        {'timeZone': 2}                                                 | timeZone: must be a string
        {'alwaysOpen': 'yes'}                                           | alwaysOpen: must be true or false
        {'timezone': 'Europe/Helsinki'}                                 | timezone: unknown field
        {'weekly': []}                                                  | weekly: must be an object
        {'weekly': {'monday': []}}                                      | weekly.monday: unknown day (use mon, tue, wed, thu, fri, sat or sun)
        {'weekly': {'mon': '08:00-16:00'}}                              | weekly.mon: must be a list
        {'weekly': {'mon': ['08:00']}}                                  | weekly.mon[0]: must be a list
        {'weekly': {'mon': [['08:00']]}}                                | weekly.mon[0]: must be a [start, end] pair
        {'weekly': {'mon': [['08:00', '12:00', '16:00']]}}              | weekly.mon[0]: must be a [start, end] pair
        {'weekly': {'mon': [['8:00', '16:00']]}}                        | weekly.mon[0]: start '8:00' is not a time (HH:mm)
        {'weekly': {'mon': [['08:00', '24:01']]}}                       | weekly.mon[0]: end '24:01' is not a time (HH:mm)
        {'weekly': {'mon': [['08:00', '16:60']]}}                       | weekly.mon[0]: end '16:60' is not a time (HH:mm)
        {'weekly': {'mon': [['08:00', 16]]}}                            | weekly.mon[0]: end 16 is not a time (HH:mm)
        {'weekly': {'mon': [['24:00', '24:00']]}}                       | weekly.mon[0]: 24:00 is only allowed as an end
        {'weekly': {'mon': [['16:00', '08:00']]}}                       | weekly.mon[0]: end must be after start
        {'weekly': {'mon': [['08:00', '08:00']]}}                       | weekly.mon[0]: end must be after start
        {'weekly': {'tue': [['08:00', '12:00'], ['11:00', '16:00']]}}   | weekly.tue[1]: overlaps weekly.tue[0]
        {'weekly': {'tue': [['08:00', '16:00'], ['10:00', '11:00']]}}   | weekly.tue[1]: overlaps weekly.tue[0]
        {'exceptions': {}}                                              | exceptions: must be a list
        {'exceptions': ['2026-12-24']}                                  | exceptions[0]: must be an object
        {'exceptions': [{'closed': true}]}                              | exceptions[0].date: missing
        {'exceptions': [{'date': '2026-12-24', 'closed': true}, {'date': '24.12.2026', 'closed': true}]} | exceptions[1].date: not a date
        {'exceptions': [{'date': '2026-02-30', 'closed': true}]}        | exceptions[0].date: not a date
        {'exceptions': [{'date': 20261224, 'closed': true}]}            | exceptions[0].date: not a date
        {'exceptions': [{'date': '2026-12-24', 'closed': true}, {'date': '2026-12-24', 'hours': []}]} | exceptions[1].date: 2026-12-24 is listed twice
        {'exceptions': [{'date': '2026-12-24'}]}                        | exceptions[0]: give closed: true or hours
        {'exceptions': [{'date': '2026-12-24', 'closed': false}]}       | exceptions[0]: give closed: true or hours
        {'exceptions': [{'date': '2026-12-24', 'closed': true, 'hours': []}]} | exceptions[0]: give either closed: true or hours, not both
        {'exceptions': [{'date': '2026-12-24', 'closed': 'yes'}]}       | exceptions[0].closed: must be true or false
        {'exceptions': [{'date': '2026-12-24', 'hours': [['12:00', '08:00']]}]} | exceptions[0].hours[0]: end must be after start
        {'exceptions': [{'date': '2026-12-24', 'closed': true, 'note': 'Christmas'}]} | exceptions[0].note: unknown field
        {'alwaysOpen': true, 'weekly': {'mon': [['16:00', '08:00']]}}   | weekly.mon[0]: end must be after start
        """)
    void a_bad_part_is_named_in_the_error(String definition, String message) {
      assertThatThrownBy(() -> OpeningHours.parse(json(definition)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(message);
    }

    @Test
    void a_missing_definition_is_refused() {
      assertThatThrownBy(() -> OpeningHours.parse(null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("opening hours: definition is missing");
    }
  }
}
