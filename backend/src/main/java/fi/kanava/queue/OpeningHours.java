package fi.kanava.queue;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;

/**
 * A queue's opening hours in a time zone: weekly hours per day of the week, exceptions that
 * replace the weekly hours of single dates (holidays, shortened days), or always open.
 *
 * <p>Hours are local wall-clock intervals {@code [start, end)}. They become instants with
 * {@code LocalDateTime.atZone}, so a time that does not exist on a spring-forward day moves forward
 * by the length of the gap and an ambiguous time on a fall-back day takes the earlier offset.
 * Intervals that touch or overlap as instants, such as 16:00–24:00 and the next day's 00:00–08:00,
 * form one continuous opening.
 *
 * <p>Definition, as parsed by {@link #parse(Map)} and written by {@link #toMap()}:
 *
 * <pre>{@code
 * {"timeZone": "Europe/Helsinki", "alwaysOpen": false,
 *  "weekly": {"mon": [["08:00", "16:00"]], "tue": [["08:00", "12:00"], ["13:00", "16:00"]], "sun": []},
 *  "exceptions": [{"date": "2026-12-24", "closed": true}, {"date": "2026-12-31", "hours": [["08:00", "12:00"]]}]}
 * }</pre>
 */
public final class OpeningHours {
  /** How far ahead {@link #nextOpening} and {@link #closesAt} look. */
  static final int HORIZON_DAYS = 400;

  private final ZoneId zone;
  private final boolean alwaysOpen;
  private final Map<DayOfWeek, List<DailyInterval>> weekly;
  private final SortedMap<LocalDate, List<DailyInterval>> exceptions;

  OpeningHours(ZoneId zone, boolean alwaysOpen, Map<DayOfWeek, List<DailyInterval>> weekly,
      SortedMap<LocalDate, List<DailyInterval>> exceptions) {
    this.zone = Objects.requireNonNull(zone);
    this.alwaysOpen = alwaysOpen;
    this.weekly = Objects.requireNonNull(weekly);
    this.exceptions = Objects.requireNonNull(exceptions);
  }

  /**
   * Reads a definition as a JSON parser produces it. The time zone defaults to Europe/Helsinki; a
   * missing day is closed; {@code alwaysOpen} defaults to false. When {@code alwaysOpen} is true
   * the weekly hours and exceptions are optional and do not affect opening, but if given they are
   * still validated and kept by {@link #toMap()}. Unknown fields are refused.
   *
   * @throws IllegalArgumentException naming the bad part, e.g. {@code weekly.mon[0]: end must be after start}
   */
  public static OpeningHours parse(Map<String, Object> definition) {
    return OpeningHoursParser.parse(definition);
  }

  /** Open at all times, in Europe/Helsinki. */
  public static OpeningHours alwaysOpen() {
    return OpeningHoursParser.parse(Map.of("alwaysOpen", true));
  }

  /** The time zone the hours are in. */
  public ZoneId timeZone() {
    return zone;
  }

  /** Whether the queue is open at the instant. */
  public boolean isOpen(Instant at) {
    if (alwaysOpen) {
      return true;
    }
    LocalDate today = at.atZone(zone).toLocalDate();
    for (LocalDate day = today.minusDays(1); !day.isAfter(today.plusDays(1)); day = day.plusDays(1)) {
      for (Span span : spansOf(day)) {
        if (span.contains(at)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * When the queue next opens: the start of the first continuous opening that begins strictly
   * after {@code after}. Meant for when the queue is closed; if it is open at {@code after}, the
   * answer is the start of the opening that follows the current one (after it has closed), not the
   * current one's start. Looks {@value #HORIZON_DAYS} days ahead.
   *
   * @return empty if it does not open within that horizon, or if it is always open
   */
  public Optional<Instant> nextOpening(Instant after) {
    if (alwaysOpen) {
      return Optional.empty();
    }
    LocalDate today = after.atZone(zone).toLocalDate();
    Span current = null;
    for (LocalDate day = today.minusDays(1); !day.isAfter(today.plusDays(HORIZON_DAYS)); day = day.plusDays(1)) {
      for (Span span : spansOf(day)) {
        if (current != null && current.touches(span)) {
          current = current.extendedTo(span);
        } else {
          current = span;
          if (current.start.isAfter(after)) {
            return Optional.of(current.start);
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * When the opening the queue is in at {@code at} ends, following it across midnight and into
   * adjacent intervals. Looks {@value #HORIZON_DAYS} days ahead.
   *
   * @return empty if the queue is closed at {@code at}, always open, or open without a break
   *     throughout the horizon
   */
  public Optional<Instant> closesAt(Instant at) {
    if (alwaysOpen) {
      return Optional.empty();
    }
    LocalDate today = at.atZone(zone).toLocalDate();
    LocalDate lastDay = today.plusDays(HORIZON_DAYS);
    Span current = null;
    for (LocalDate day = today.minusDays(1); !day.isAfter(lastDay); day = day.plusDays(1)) {
      for (Span span : spansOf(day)) {
        if (current != null && current.touches(span)) {
          current = current.extendedTo(span);
        } else if (current != null && current.contains(at)) {
          return Optional.of(current.end);
        } else if (span.start.isAfter(at)) {
          return Optional.empty();
        } else {
          current = span;
        }
      }
    }
    Instant horizon = lastDay.plusDays(1).atStartOfDay(zone).toInstant();
    boolean endsWithinHorizon = current != null && current.contains(at) && current.end.isBefore(horizon);
    return endsWithinHorizon ? Optional.of(current.end) : Optional.empty();
  }

  /**
   * The definition in the form {@link #parse(Map)} reads, for storing as JSON: the time zone,
   * {@code alwaysOpen}, all seven days (closed ones as empty lists) with intervals in order, and
   * the exceptions by date (closed ones as {@code "closed": true}).
   */
  public Map<String, Object> toMap() {
    Map<String, Object> week = new LinkedHashMap<>();
    weekly.forEach((day, hours) -> week.put(OpeningHoursParser.dayCode(day), pairs(hours)));
    List<Map<String, Object>> dates = new ArrayList<>();
    exceptions.forEach((date, hours) -> dates.add(hours.isEmpty()
        ? Map.of("date", date.toString(), "closed", true)
        : Map.of("date", date.toString(), "hours", pairs(hours))));
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("timeZone", zone.getId());
    map.put("alwaysOpen", alwaysOpen);
    map.put("weekly", week);
    map.put("exceptions", dates);
    return map;
  }

  private static List<List<String>> pairs(List<DailyInterval> hours) {
    return hours.stream().map(DailyInterval::toPair).toList();
  }

  /** The date's openings as instants, in order, with touching or overlapping ones merged. */
  private List<Span> spansOf(LocalDate date) {
    List<DailyInterval> hours = exceptions.containsKey(date) ? exceptions.get(date) : weekly.get(date.getDayOfWeek());
    List<Span> spans = new ArrayList<>();
    for (DailyInterval interval : hours) {
      Span span = new Span(interval.start(date, zone), interval.end(date, zone));
      if (span.start.isBefore(span.end)) {
        spans.add(span);
      }
    }
    spans.sort(Comparator.comparing(Span::start));
    List<Span> merged = new ArrayList<>();
    for (Span span : spans) {
      int last = merged.size() - 1;
      if (last >= 0 && merged.get(last).touches(span)) {
        merged.set(last, merged.get(last).extendedTo(span));
      } else {
        merged.add(span);
      }
    }
    return merged;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof OpeningHours that && zone.equals(that.zone) && alwaysOpen == that.alwaysOpen
        && weekly.equals(that.weekly) && exceptions.equals(that.exceptions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(zone, alwaysOpen, weekly, exceptions);
  }

  @Override
  public String toString() {
    return "OpeningHours" + toMap();
  }

  /** An opening {@code [start, end)} as instants. */
  private record Span(Instant start, Instant end) {
    boolean contains(Instant at) {
      return !at.isBefore(start) && at.isBefore(end);
    }

    /** True if {@code later}, which starts no earlier than this, begins before or as this ends. */
    boolean touches(Span later) {
      return !later.start.isAfter(end);
    }

    Span extendedTo(Span later) {
      return later.end.isAfter(end) ? new Span(start, later.end) : this;
    }
  }
}
