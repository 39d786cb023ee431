package fi.kanava.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock the test moves by hand. */
public final class MutableClock extends Clock {
  private volatile Instant now;
  /** Until the test moves it, the clock reads the real time (a node sharing its database with one in another process). */
  private volatile boolean real;

  public MutableClock(Instant start) {
    this.now = start;
  }

  /** A clock that reads the real time until the test first moves it; then it stands where it was put. */
  public static MutableClock realUntilMoved() {
    MutableClock clock = new MutableClock(Instant.now());
    clock.real = true;
    return clock;
  }

  public void advance(Duration duration) {
    set(instant().plus(duration));
  }

  /** Puts the clock at {@code instant}, where it stands. */
  public void set(Instant instant) {
    now = instant;
    real = false;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    if (!ZoneOffset.UTC.equals(zone)) {
      throw new IllegalArgumentException("MutableClock is fixed to UTC");
    }
    return this;
  }

  @Override
  public Instant instant() {
    return real ? Instant.now() : now;
  }
}
