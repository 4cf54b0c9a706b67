package chat.bench;

import java.util.Arrays;

/**
 * Recorded values (nanoseconds), kept exactly: percentiles come from sorting every value, so
 * no histogram rounding and no extra dependency. Not thread-safe; callers merge per-thread
 * instances or synchronize.
 */
final class Samples {
  private long[] values = new long[1024];
  private int size;

  void add(long value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, values.length * 2);
    }
    values[size++] = value;
  }

  void addAll(Samples other) {
    if (size + other.size > values.length) {
      values = Arrays.copyOf(values, Math.max(values.length * 2, size + other.size));
    }
    System.arraycopy(other.values, 0, values, size, other.size);
    size += other.size;
  }

  int size() {
    return size;
  }

  /** A sorted copy of the values. */
  long[] sorted() {
    long[] copy = Arrays.copyOf(values, size);
    Arrays.sort(copy);
    return copy;
  }

  /** Nearest-rank percentile of sorted values; -1 when there are none. */
  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return -1;
    }
    // the small tolerance keeps binary rounding (99.9 / 100 * 1000 = 999.0000000000001) from
    // moving the rank one value up
    int rank = (int) Math.ceil(p / 100.0 * sorted.length - 1e-9);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }

  static String millis(long nanos) {
    return nanos < 0 ? "-" : String.format("%.2f", nanos / 1_000_000.0);
  }
}
