package fi.kanava.infra;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * A token bucket: tokens come back at a steady rate, at most {@code burst} are saved. Thread-safe:
 * a bucket per client address is shared by the event loops (one per connection costs an
 * uncontended lock).
 */
public final class RateLimiter {
  private final double perNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private double tokens;
  private long last;

  /** {@code perSecond} tokens a second, at most {@code burst} saved. */
  public RateLimiter(int perSecond, int burst, LongSupplier nanoTime) {
    this(perSecond / 1e9, burst, nanoTime);
  }

  private RateLimiter(double perNano, double burst, LongSupplier nanoTime) {
    this.perNano = perNano;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  /** One token back every {@code interval}, at most {@code burst} saved. */
  public static RateLimiter oneEvery(Duration interval, int burst, LongSupplier nanoTime) {
    return new RateLimiter(1.0 / interval.toNanos(), burst, nanoTime);
  }

  /** The clock's time in nanoseconds: buckets that follow the injected clock. */
  public static LongSupplier nanos(Clock clock) {
    return () -> {
      Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
  }

  /** Takes one token; false (and nothing taken) when the bucket is empty. */
  public synchronized boolean tryAcquire() {
    refill();
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** Gives back a token taken for something that turned out not to count (a successful sign-in). */
  public synchronized void refund() {
    refill();
    tokens = Math.min(burst, tokens + 1);
  }

  /** Nanoseconds until a token is there; 0 when there is one now. Takes nothing. */
  public synchronized long nanosUntilAvailable() {
    refill();
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    if (now > last) {
      tokens = Math.min(burst, tokens + (now - last) * perNano);
      last = now;
    }
  }
}
