package chat.protocol;

import java.util.function.LongSupplier;

/**
 * A token bucket per key: {@code burst} attempts at once, then {@code perPeriod} every
 * {@code period} ticks of the injected clock (none when {@code perPeriod <= 0}); a refused
 * attempt costs nothing. At most {@code maxEntries} keys are remembered: a key whose bucket
 * has refilled is the same as a new one and goes first, then the least recently used.
 * The per-user write limit of the application servers and the per-source registration limit
 * of the login server are both this.
 */
public final class TokenBuckets<K> {
  private static final class Bucket {
    long units;
    long at;
  }

  private final int burst;
  private final long perPeriod;
  // one attempt is this many units; a tick refills perPeriod units: whole numbers, no rounding drift
  private final long unit;
  private final LongSupplier clock;
  // put back at every use, so the least recently used is the stalest
  private final StalestFirst<K, Bucket> buckets;

  public TokenBuckets(int burst, long perPeriod, long period, int maxEntries, LongSupplier clock) {
    this.burst = burst;
    this.perPeriod = perPeriod;
    this.unit = period;
    this.clock = clock;
    this.buckets = new StalestFirst<>(maxEntries);
  }

  /** Takes one attempt from {@code key}'s bucket; false when it is empty. */
  public synchronized boolean tryAcquire(K key) {
    long now = clock.getAsLong();
    Bucket b = buckets.remove(key);
    if (b == null) {
      b = new Bucket();
      b.units = capacity();
    } else {
      b.units = refilled(b, now);
    }
    b.at = now;
    boolean allowed = b.units >= unit;
    if (allowed) {
      b.units -= unit;
    }
    // refilled buckets go first, then, when still full, the least recently used
    buckets.put(key, b, stale -> refilled(stale, now) >= capacity());
    return allowed;
  }

  /** The number of keys remembered. */
  public synchronized int size() {
    return buckets.size();
  }

  private long capacity() {
    return burst * unit;
  }

  private long refilled(Bucket b, long now) {
    long missing = capacity() - b.units;
    // a difference, not a comparison of times, so a clock that wraps around changes nothing
    long elapsed = Math.max(0, now - b.at);
    if (perPeriod <= 0) {
      return b.units;
    }
    // compared before multiplying, so a long pause cannot overflow
    return elapsed >= missing / perPeriod + 1 ? capacity() : b.units + elapsed * perPeriod;
  }
}
