package chat.login;

import java.util.function.LongSupplier;

/**
 * A token bucket per key: {@code burst} attempts at once, then {@code perMinute} a minute.
 * Pure and deterministic: time comes from the injected clock. At most {@code maxEntries}
 * keys are remembered; a key whose bucket has refilled is the same as a new one and goes
 * first, then the least recently used. Not thread-safe: the login server calls it from one
 * context.
 */
public final class RateLimit {
  /** {@code burst <= 0} turns the limit off. */
  public record Options(int burst, int perMinute, int maxEntries) {
    public boolean off() {
      return burst <= 0;
    }
  }

  // one attempt is this many units; a minute refills perMinute attempts, so a millisecond refills
  // perMinute units: whole numbers, no rounding drift
  private static final long UNIT = 60_000;

  private static final class Bucket {
    long units;
    long at;
  }

  private final Options options;
  private final LongSupplier clock;
  // put back at every use, so the least recently used is the stalest
  private final StalestFirst<Bucket> buckets;

  public RateLimit(Options options, LongSupplier clock) {
    this.options = options;
    this.clock = clock;
    this.buckets = new StalestFirst<>(options.maxEntries);
  }

  /** Takes one attempt from {@code key}'s bucket; false when it is empty. */
  public boolean tryAcquire(String key) {
    if (options.off()) {
      return true;
    }
    long now = clock.getAsLong();
    Bucket b = buckets.remove(key);
    if (b == null) {
      b = new Bucket();
      b.units = capacity();
    } else {
      b.units = refilled(b, now);
    }
    b.at = now;
    boolean allowed = b.units >= UNIT;
    if (allowed) {
      b.units -= UNIT;
    }
    // refilled buckets go first, then, when still full, the least recently used
    buckets.put(key, b, stale -> refilled(stale, now) >= capacity());
    return allowed;
  }

  /** The number of keys remembered. */
  public int size() {
    return buckets.size();
  }

  private long capacity() {
    return options.burst * UNIT;
  }

  private long refilled(Bucket b, long now) {
    long missing = capacity() - b.units;
    long elapsed = Math.max(0, now - b.at);
    if (options.perMinute <= 0) {
      return b.units;
    }
    // compared before multiplying, so a long pause cannot overflow
    return elapsed >= missing / options.perMinute + 1 ? capacity() : b.units + elapsed * options.perMinute;
  }
}
