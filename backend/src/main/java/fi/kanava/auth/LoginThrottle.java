package fi.kanava.auth;

import java.time.Duration;

/**
 * How failed sign-ins slow down: each failure in a row doubles the wait before the answer, from
 * {@code base} up to {@code max}; after {@code maxFailures} the username is locked for a while.
 * Pure arithmetic; {@link Logins} keeps the counts in the database.
 */
public record LoginThrottle(int maxFailures, Duration lockout, Duration base, Duration max) {

  /** The delay before answering the {@code failures}-th failure in a row (1-based). */
  public Duration delayAfter(int failures) {
    if (failures <= 0 || base.isZero()) {
      return Duration.ZERO;
    }
    int doublings = Math.min(failures - 1, 20);
    Duration delay = base.multipliedBy(1L << doublings);
    return delay.compareTo(max) > 0 ? max : delay;
  }
}
