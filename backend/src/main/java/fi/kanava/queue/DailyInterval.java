package fi.kanava.queue;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Opening hours within one local day, {@code [start, end)} in minutes after midnight; an end of
 * 1440 is "24:00", the next midnight.
 */
record DailyInterval(int startMinute, int endMinute) implements Comparable<DailyInterval> {
  static final int MINUTES_PER_DAY = 24 * 60;
  private static final Pattern TIME = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]|24:00");

  DailyInterval {
    if (startMinute < 0 || endMinute > MINUTES_PER_DAY || startMinute >= endMinute) {
      throw new IllegalArgumentException("bad interval " + startMinute + ".." + endMinute);
    }
  }

  /**
   * Reads a {@code ["HH:mm", "HH:mm"]} pair; "24:00" is allowed as the end.
   *
   * @throws IllegalArgumentException naming {@code path} if the pair is malformed or empty
   */
  static DailyInterval parse(Object pair, String path) {
    List<?> list = Definitions.list(pair, path);
    if (list.size() != 2) {
      throw Definitions.invalid(path, "must be a [start, end] pair");
    }
    int start = minutes(list.get(0), path, "start");
    int end = minutes(list.get(1), path, "end");
    if (start == MINUTES_PER_DAY) {
      throw Definitions.invalid(path, "24:00 is only allowed as an end");
    }
    if (end <= start) {
      throw Definitions.invalid(path, "end must be after start");
    }
    return new DailyInterval(start, end);
  }

  private static int minutes(Object value, String path, String which) {
    if (!(value instanceof String text) || !TIME.matcher(text).matches()) {
      throw Definitions.invalid(path, which + " " + describe(value) + " is not a time (HH:mm)");
    }
    return Integer.parseInt(text.substring(0, 2)) * 60 + Integer.parseInt(text.substring(3));
  }

  private static String describe(Object value) {
    return value instanceof String ? "'" + value + "'" : String.valueOf(value);
  }

  /** True if the two share some minute; touching intervals (12:00 end, 12:00 start) do not. */
  boolean overlaps(DailyInterval other) {
    return startMinute < other.endMinute && other.startMinute < endMinute;
  }

  /** The instant the interval opens on {@code date}; a start in a daylight-saving gap moves forward. */
  Instant start(LocalDate date, ZoneId zone) {
    return at(date, startMinute, zone);
  }

  /** The instant the interval closes on {@code date}; 24:00 is the next day's midnight. */
  Instant end(LocalDate date, ZoneId zone) {
    return at(date, endMinute, zone);
  }

  private static Instant at(LocalDate date, int minute, ZoneId zone) {
    LocalDate day = minute == MINUTES_PER_DAY ? date.plusDays(1) : date;
    LocalTime time = LocalTime.of((minute / 60) % 24, minute % 60);
    return day.atTime(time).atZone(zone).toInstant();
  }

  /** The {@code ["HH:mm", "HH:mm"]} pair this interval was read from. */
  List<String> toPair() {
    return List.of(format(startMinute), format(endMinute));
  }

  private static String format(int minute) {
    return String.format("%02d:%02d", minute / 60, minute % 60);
  }

  @Override
  public int compareTo(DailyInterval other) {
    return Integer.compare(startMinute, other.startMinute);
  }
}
