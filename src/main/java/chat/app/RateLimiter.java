package chat.app;

import chat.protocol.TokenBuckets;

import java.util.function.LongSupplier;

/**
 * The per-user write limit: a user may make {@code burst} requests at once, then
 * {@code perSecond} a second ({@link TokenBuckets} on a clock in nanoseconds); a refused
 * request costs nothing. A full bucket is the same as no bucket, so users idle that long are
 * forgotten, and at most {@code maxUsers} are remembered at once (0: no bound); the least
 * recently seen go first and get a full bucket back, never less.
 */
final class RateLimiter {
  private final TokenBuckets<Long> buckets;

  RateLimiter(int burst, int perSecond, int maxUsers, LongSupplier nanoClock) {
    if (burst < 1 || perSecond < 1) {
      throw new IllegalArgumentException("burst and rate must be at least 1");
    }
    this.buckets = new TokenBuckets<>(burst, perSecond, 1_000_000_000L, maxUsers > 0 ? maxUsers : Integer.MAX_VALUE,
        nanoClock);
  }

  /** Whether {@code user} may make one more request now; if so it is counted. */
  boolean tryAcquire(long user) {
    return buckets.tryAcquire(user);
  }

  /** How many users are remembered. */
  int tracked() {
    return buckets.size();
  }
}
