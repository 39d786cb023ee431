package fi.kanava.infra;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.util.function.LongSupplier;

/**
 * One token bucket per client address ({@link ClientAddresses}), kept in this node's memory in a
 * bounded map: at most {@code abuse.tracked-addresses} addresses, and a bucket left alone until
 * it would be full again is forgotten (forgetting it loses nothing). When a flood of distinct
 * addresses fills the map, Caffeine's admission policy keeps the addresses seen often (the
 * flooders among them) rather than each newcomer, so the heap stays bounded and the limits hold.
 * Buckets follow the injected clock. A refusal is {@code rate_limited} with the seconds until the
 * next token, and changes nothing.
 */
public final class AddressLimiter {
  private final String name;
  private final KanavaConfig.Abuse.Bucket bucket;
  private final LongSupplier nanoTime;
  private final AbuseMetrics metrics;
  private final Cache<String, RateLimiter> buckets;

  /** {@code name} labels the refusals in {@code kanava_abuse_refusals_total}. */
  public AddressLimiter(String name, KanavaConfig.Abuse.Bucket bucket, int capacity, Clock clock, AbuseMetrics metrics) {
    this.name = name;
    this.bucket = bucket;
    this.nanoTime = RateLimiter.nanos(clock);
    this.metrics = metrics;
    this.buckets = Caffeine.newBuilder()
        .maximumSize(capacity)
        .expireAfterAccess(bucket.interval().multipliedBy(bucket.burst()))
        .ticker(nanoTime::getAsLong)
        // evict on the caller's thread: no pool threads, and a test sees the bound at once
        .executor(Runnable::run)
        .build();
  }

  /** Takes a token for the address, or throws {@code rate_limited}. */
  public void acquire(String address) {
    RateLimiter limiter = bucketOf(address);
    if (!limiter.tryAcquire()) {
      throw refusal(limiter);
    }
  }

  /** Gives back the token of a request that turned out not to count: with {@link #acquire}, a limit on failures only. */
  public void refund(String address) {
    bucketOf(address).refund();
  }

  /** How many addresses are remembered now (for tests of the bound). */
  public long tracked() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }

  private RateLimiter bucketOf(String address) {
    return buckets.get(address, a -> RateLimiter.oneEvery(bucket.interval(), bucket.burst(), nanoTime));
  }

  private ApiError refusal(RateLimiter limiter) {
    metrics.refused(name);
    // to the millisecond first, so that a rounding error of the arithmetic never adds a second
    long millis = Math.round(limiter.nanosUntilAvailable() / 1e6);
    long seconds = Math.max(1, (millis + 999) / 1000);
    return ApiError.rateLimited(seconds, "Too many requests from your address; try again in " + seconds + " seconds");
  }
}
