package chat.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class SamplesTest {
  private static long[] oneTo(int n) {
    long[] v = new long[n];
    for (int i = 0; i < n; i++) {
      v[i] = i + 1;
    }
    return v;
  }

  @Test
  void percentileOfNothingIsUnknown() {
    assertEquals(-1, Samples.percentile(new long[0], 50));
  }

  @Test
  void percentileOfOneValueIsThatValue() {
    assertEquals(7, Samples.percentile(new long[] {7}, 50));
    assertEquals(7, Samples.percentile(new long[] {7}, 99.9));
  }

  @Test
  void nearestRankOnAHundredValues() {
    long[] v = oneTo(100);
    assertEquals(50, Samples.percentile(v, 50));
    assertEquals(99, Samples.percentile(v, 99));
    assertEquals(100, Samples.percentile(v, 99.9));
    assertEquals(100, Samples.percentile(v, 100));
    assertEquals(1, Samples.percentile(v, 0));
  }

  @Test
  void ninetyNinePointNineOnAThousandAndTenThousandValues() {
    assertEquals(999, Samples.percentile(oneTo(1000), 99.9));
    assertEquals(9990, Samples.percentile(oneTo(10_000), 99.9));
    assertEquals(5000, Samples.percentile(oneTo(10_000), 50));
  }

  @Test
  void addAllKeepsEveryValueAndSortedSorts() {
    Samples a = new Samples();
    Samples b = new Samples();
    for (int i = 0; i < 1500; i++) {
      a.add(3000 - i);
    }
    b.add(5);
    b.add(1);
    a.addAll(b);
    assertEquals(1502, a.size());
    long[] s = a.sorted();
    assertEquals(1, s[0]);
    assertEquals(5, s[1]);
    assertEquals(3000, s[1501]);
  }

  @Test
  void millisFormatsNanosAndUnknown() {
    assertEquals("1.50", Samples.millis(1_500_000));
    assertEquals("-", Samples.millis(-1));
  }

  @Test
  void clientsShareUsersRoundRobin() {
    assertArrayEquals(new Object[] {0, 3, 6}, Bench.assigned(0, 3, 8).toArray());
    assertArrayEquals(new Object[] {2, 5}, Bench.assigned(2, 3, 8).toArray());
    // fewer users than clients: clients share them
    assertArrayEquals(new Object[] {1}, Bench.assigned(3, 4, 2).toArray());
  }
}
