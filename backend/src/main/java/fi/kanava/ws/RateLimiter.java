package fi.kanava.ws;

import java.util.function.LongSupplier;

/** A token bucket: {@code perSecond} tokens a second, at most {@code burst} saved. Not thread-safe: one per connection. */
public final class RateLimiter {
  private final double perNano;
  private final double burst;
  private final LongSupplier nanoTime;
  private double tokens;
  private long last;

  public RateLimiter(int perSecond, int burst, LongSupplier nanoTime) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  /** Takes one token; false when the bucket is empty. */
  public boolean tryAcquire() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }

  /** How long until the next token, after a refusal: the hint a refused client waits before sending again. */
  public long nanosUntilNext() {
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
  }
}
