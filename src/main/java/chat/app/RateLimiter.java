package chat.app;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * A token bucket per user, kept as one number: the time at which the user's bucket would be
 * full again (the generic cell rate algorithm). A user may make {@code burst} requests at once,
 * then one every {@code 1/perSecond} seconds; a refused request costs nothing. A full bucket
 * is the same as no bucket, so users idle that long are forgotten, and at most
 * {@code maxUsers} are remembered at once (the least recently seen go first: they get a full
 * bucket back, never less). The clock is given, so tests need no sleeping.
 */
final class RateLimiter {
  private final long interval;
  private final long tolerance;
  private final int maxUsers;
  private final LongSupplier nanoClock;
  /** User to the time its bucket is full again, least recently seen first. */
  private final LinkedHashMap<Long, Long> fullAt = new LinkedHashMap<>(64, 0.75f, true);

  RateLimiter(int burst, int perSecond, int maxUsers, LongSupplier nanoClock) {
    if (burst < 1 || perSecond < 1) {
      throw new IllegalArgumentException("burst and rate must be at least 1");
    }
    this.interval = Math.max(1, 1_000_000_000L / perSecond);
    this.tolerance = (burst - 1) * interval;
    this.maxUsers = maxUsers;
    this.nanoClock = nanoClock;
  }

  /** Whether {@code user} may make one more request now; if so it is counted. */
  synchronized boolean tryAcquire(long user) {
    long now = nanoClock.getAsLong();
    forgetIdle(now);
    Long full = fullAt.get(user);
    long start = full == null || full - now < 0 ? now : full;
    if (start - now > tolerance) {
      return false;
    }
    fullAt.put(user, start + interval);
    if (maxUsers > 0 && fullAt.size() > maxUsers) {
      Iterator<Long> eldest = fullAt.keySet().iterator();
      eldest.next();
      eldest.remove();
    }
    return true;
  }

  /** How many users are remembered. */
  synchronized int tracked() {
    return fullAt.size();
  }

  /**
   * Drops users whose bucket is full again, from the least recently seen on, up to the first
   * that is still refilling: each is dropped once, so the cost per request stays constant on average.
   */
  private void forgetIdle(long now) {
    Iterator<Map.Entry<Long, Long>> it = fullAt.entrySet().iterator();
    while (it.hasNext() && it.next().getValue() - now <= 0) {
      it.remove();
    }
  }
}
