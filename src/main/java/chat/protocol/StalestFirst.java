package chat.protocol;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.Predicate;

/**
 * At most {@code maxEntries} values by key, in the order they were last put, so the first is
 * the stalest. Before a put, values that no longer matter go first, then, when still full,
 * the stalest. Not thread-safe.
 */
public final class StalestFirst<K, V> {
  private final int maxEntries;
  private final LinkedHashMap<K, V> entries = new LinkedHashMap<>();

  public StalestFirst(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  public V get(K key) {
    return entries.get(key);
  }

  /** Takes {@code key}'s value out, to be put back as the freshest; null when there is none. */
  public V remove(K key) {
    return entries.remove(key);
  }

  /** Makes room, dropping stale values that {@code expired} says no longer matter, then puts {@code value} last. */
  public void put(K key, V value, Predicate<V> expired) {
    Iterator<V> stalest = entries.values().iterator();
    while (stalest.hasNext()) {
      V v = stalest.next();
      if (entries.size() < maxEntries && !expired.test(v)) {
        break;
      }
      stalest.remove();
    }
    entries.put(key, value);
  }

  public int size() {
    return entries.size();
  }
}
