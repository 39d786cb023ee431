package fi.kanava.queue;

import static fi.kanava.queue.Definitions.element;
import static fi.kanava.queue.Definitions.field;
import static fi.kanava.queue.Definitions.invalid;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/** Reads and validates the JSON-like definition of {@link OpeningHours}. */
final class OpeningHoursParser {
  static final ZoneId DEFAULT_ZONE = ZoneId.of("Europe/Helsinki");
  private static final Set<String> FIELDS = Set.of("timeZone", "alwaysOpen", "weekly", "exceptions");
  private static final Set<String> EXCEPTION_FIELDS = Set.of("date", "closed", "hours");

  private OpeningHoursParser() {}

  /** The three-letter code of a day in the definition: "mon" .. "sun". */
  static String dayCode(DayOfWeek day) {
    return day.name().substring(0, 3).toLowerCase(Locale.ROOT);
  }

  static OpeningHours parse(Map<String, Object> definition) {
    if (definition == null) {
      throw new IllegalArgumentException("opening hours: definition is missing");
    }
    Definitions.onlyKnownFields(definition, "", FIELDS);
    ZoneId zone = zone(definition.get("timeZone"));
    Object alwaysOpen = definition.get("alwaysOpen");
    boolean always = alwaysOpen != null && Definitions.bool(alwaysOpen, "alwaysOpen");
    return new OpeningHours(zone, always, weekly(definition.get("weekly")), exceptions(definition.get("exceptions")));
  }

  private static ZoneId zone(Object value) {
    if (value == null) {
      return DEFAULT_ZONE;
    }
    String name = Definitions.string(value, "timeZone");
    try {
      return ZoneId.of(name);
    } catch (DateTimeException e) {
      throw invalid("timeZone", "unknown zone '" + name + "'");
    }
  }

  private static Map<DayOfWeek, List<DailyInterval>> weekly(Object value) {
    Map<DayOfWeek, List<DailyInterval>> weekly = new EnumMap<>(DayOfWeek.class);
    for (DayOfWeek day : DayOfWeek.values()) {
      weekly.put(day, List.of());
    }
    if (value == null) {
      return Collections.unmodifiableMap(weekly);
    }
    Map<String, Object> days = Definitions.object(value, "weekly");
    for (Map.Entry<String, Object> entry : days.entrySet()) {
      String path = field("weekly", entry.getKey());
      DayOfWeek day = day(entry.getKey(), path);
      weekly.put(day, entry.getValue() == null ? List.of() : hours(entry.getValue(), path));
    }
    return Collections.unmodifiableMap(weekly);
  }

  private static DayOfWeek day(String code, String path) {
    for (DayOfWeek day : DayOfWeek.values()) {
      if (dayCode(day).equals(code)) {
        return day;
      }
    }
    throw invalid(path, "unknown day (use mon, tue, wed, thu, fri, sat or sun)");
  }

  private static SortedMap<LocalDate, List<DailyInterval>> exceptions(Object value) {
    SortedMap<LocalDate, List<DailyInterval>> exceptions = new TreeMap<>();
    if (value == null) {
      return Collections.unmodifiableSortedMap(exceptions);
    }
    List<?> list = Definitions.list(value, "exceptions");
    for (int i = 0; i < list.size(); i++) {
      String path = element("exceptions", i);
      Map<String, Object> exception = Definitions.object(list.get(i), path);
      Definitions.onlyKnownFields(exception, path, EXCEPTION_FIELDS);
      LocalDate date = date(exception.get("date"), field(path, "date"));
      if (exceptions.containsKey(date)) {
        throw invalid(field(path, "date"), date + " is listed twice");
      }
      exceptions.put(date, exceptionHours(exception, path));
    }
    return Collections.unmodifiableSortedMap(exceptions);
  }

  private static LocalDate date(Object value, String path) {
    if (value == null) {
      throw invalid(path, "missing");
    }
    try {
      return LocalDate.parse(Definitions.string(value, path));
    } catch (DateTimeParseException | IllegalArgumentException e) {
      throw invalid(path, "not a date");
    }
  }

  private static List<DailyInterval> exceptionHours(Map<String, Object> exception, String path) {
    Object closed = exception.get("closed");
    boolean isClosed = closed != null && Definitions.bool(closed, field(path, "closed"));
    Object hours = exception.get("hours");
    if (isClosed && hours != null) {
      throw invalid(path, "give either closed: true or hours, not both");
    }
    if (isClosed) {
      return List.of();
    }
    if (hours == null) {
      throw invalid(path, "give closed: true or hours");
    }
    return hours(hours, field(path, "hours"));
  }

  /** A day's intervals, sorted; each must be a valid pair and none may overlap another. */
  private static List<DailyInterval> hours(Object value, String path) {
    List<?> pairs = Definitions.list(value, path);
    List<DailyInterval> intervals = new ArrayList<>();
    for (int i = 0; i < pairs.size(); i++) {
      DailyInterval interval = DailyInterval.parse(pairs.get(i), element(path, i));
      for (int j = 0; j < intervals.size(); j++) {
        if (interval.overlaps(intervals.get(j))) {
          throw invalid(element(path, i), "overlaps " + element(path, j));
        }
      }
      intervals.add(interval);
    }
    Collections.sort(intervals);
    return List.copyOf(intervals);
  }
}
