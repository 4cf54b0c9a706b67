package chat.login;

import chat.protocol.TokenBuckets;

import java.util.function.LongSupplier;

/**
 * A token bucket per key: {@code burst} attempts at once, then {@code perMinute} a minute
 * ({@link TokenBuckets} on a clock in milliseconds). At most {@code maxEntries} keys are
 * remembered; a key whose bucket has refilled is the same as a new one and goes first, then
 * the least recently used.
 */
public final class RateLimit {
  /** {@code burst <= 0} turns the limit off. */
  public record Options(int burst, int perMinute, int maxEntries) {
    public boolean off() {
      return burst <= 0;
    }
  }

  /** Null when the limit is off. */
  private final TokenBuckets<String> buckets;

  public RateLimit(Options options, LongSupplier clock) {
    this.buckets = options.off() ? null
        : new TokenBuckets<>(options.burst(), options.perMinute(), 60_000, options.maxEntries(), clock);
  }

  /** Takes one attempt from {@code key}'s bucket; false when it is empty. */
  public boolean tryAcquire(String key) {
    return buckets == null || buckets.tryAcquire(key);
  }

  /** The number of keys remembered. */
  public int size() {
    return buckets == null ? 0 : buckets.size();
  }
}
