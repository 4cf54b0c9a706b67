package chat.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class BenchResultTest {
  @Test
  void resultLineStartsWithTheKeysOfLoadcAndAddsStuckThreadsAndServerCpu() {
    long[] nanos = new long[100];
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] = (i + 1) * 1_000_000L;
    }
    assertEquals("RESULT req_s=1234.6 p50_ms=50.000 p99_ms=99.000 errors=3 stuck=0 server_cpu_us=77",
        Bench.result(1234.56, nanos, 3, 0, 76.6));
  }

  @Test
  void unknownFiguresAreADash() {
    assertEquals("RESULT req_s=0.0 p50_ms=- p99_ms=- errors=0 stuck=2 server_cpu_us=-",
        Bench.result(0, new long[0], 0, 2, -1));
  }
}
