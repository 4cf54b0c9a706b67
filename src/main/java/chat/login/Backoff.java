package chat.login;

import chat.protocol.StalestFirst;

import java.util.function.LongSupplier;

/**
 * Failed attempts per key (an account name, a source address) and the wait they earn: the
 * first {@code freeFailures} cost nothing; from then on each failure closes the key for a
 * window that doubles, from {@code firstDelayMillis} up to {@code maxDelayMillis}. A key's
 * failures are forgotten after {@code forgetMillis} without one, or at a success. Attempts
 * refused while a window is open are not failures: they prove nothing and cost nothing, so
 * they neither lengthen the window nor keep the key remembered.
 *
 * <p>Pure and deterministic: time comes from the injected clock. At most {@code maxEntries}
 * keys are remembered; when full, forgotten keys go first, then the least recently failed.
 * Not thread-safe: the login server calls it from one context.
 */
public final class Backoff {
  /** {@code freeFailures <= 0} turns the back-off off. */
  public record Options(int freeFailures, long firstDelayMillis, long maxDelayMillis, long forgetMillis,
                        int maxEntries) {
    public boolean off() {
      return freeFailures <= 0;
    }
  }

  private static final class Entry {
    int failures;
    long lastFailure;
    long openAt;
  }

  private final Options options;
  private final LongSupplier clock;
  // put back at every failure, so the least recently failed is the stalest
  private final StalestFirst<String, Entry> entries;

  public Backoff(Options options, LongSupplier clock) {
    this.options = options;
    this.clock = clock;
    this.entries = new StalestFirst<>(options.maxEntries);
  }

  /** Milliseconds until {@code key} may try again; 0 when it may try now. */
  public long waitMillis(String key) {
    if (options.off()) {
      return 0;
    }
    Entry e = entries.get(key);
    if (e == null) {
      return 0;
    }
    long now = clock.getAsLong();
    if (forgotten(e, now)) {
      entries.remove(key);
      return 0;
    }
    return Math.max(0, e.openAt - now);
  }

  /** Records a failure of {@code key}; returns the wait it now has (0 while failures are free). */
  public long failed(String key) {
    if (options.off()) {
      return 0;
    }
    long now = clock.getAsLong();
    Entry e = entries.remove(key);
    if (e == null || forgotten(e, now)) {
      e = new Entry();
    }
    e.failures++;
    e.lastFailure = now;
    int over = e.failures - options.freeFailures;
    long delay = over < 0 ? 0 : window(over);
    e.openAt = now + delay;
    // forgotten keys go first, then, when still full, the least recently failed
    entries.put(key, e, stale -> forgotten(stale, now));
    return delay;
  }

  /** A success of {@code key}: its failures are forgotten. */
  public void succeeded(String key) {
    entries.remove(key);
  }

  /** The number of keys remembered. */
  public int size() {
    return entries.size();
  }

  /** The {@code n}-th window (0 first): doubling, capped, without overflow. */
  private long window(int n) {
    long delay = options.firstDelayMillis;
    for (int i = 0; i < n && delay < options.maxDelayMillis; i++) {
      delay *= 2;
    }
    return Math.min(delay, options.maxDelayMillis);
  }

  private boolean forgotten(Entry e, long now) {
    // an open window is never forgotten, even with a quiet period shorter than the cap
    return now >= e.openAt && now - e.lastFailure >= options.forgetMillis;
  }
}
