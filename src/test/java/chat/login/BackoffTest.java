package chat.login;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The failed-attempt back-off, case by case, on a clock the test moves. */
class BackoffTest {
  private final ClockSteps clock = new ClockSteps(1_000_000);

  /** Three free failures, then 1 s, 2 s, 4 s … up to 8 s; forgotten after 60 s without one. */
  private Backoff backoff(int maxEntries) {
    return backoff(new Backoff.Options(3, 1_000, 8_000, 60_000, maxEntries));
  }

  private Backoff backoff(Backoff.Options options) {
    return new Backoff(options, clock::now);
  }

  /**
   * Steps on the default back-off with room for {@code maxEntries} keys: {@code fail k} is a
   * failure of k and answers its wait, {@code wait k} the wait k has, {@code succeed k} a
   * success, {@code size} the number of keys remembered; {@code +n} moves the clock.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "anUnknownKeyMayTryAtOnce | 10 | wait alice = 0",
      "theFreeFailuresCostNoWait | 10 | fail alice = 0; fail alice = 0; wait alice = 0",
      "theFailureThatUsesUpTheFreeOnesOpensTheFirstWindow | 10 |"
          + " fail alice; fail alice; fail alice = 1000; wait alice = 1000; +400; wait alice = 600; +600; wait alice = 0",
      "windowsDoubleUpToTheCap | 10 | fail alice = 0; fail alice = 0; fail alice = 1000; +1000;"
          + " fail alice = 2000; +2000; fail alice = 4000; +4000; fail alice = 8000; +8000;"
          + " fail alice = 8000; +8000; fail alice = 8000",
      "keysAreCountedApart | 10 | fail alice; fail alice; fail alice; wait bob = 0; fail bob = 0",
      "aSuccessForgetsTheFailures | 10 | fail alice; fail alice; succeed alice; fail alice = 0; fail alice = 0",
      "failuresAreForgottenAfterAQuietPeriod (counting starts again) | 10 |"
          + " fail alice; fail alice; +60000; fail alice = 0; fail alice = 0; fail alice = 1000",
      "failuresWithinTheQuietPeriodKeepCounting | 10 | fail alice; +59999; fail alice; +59999; fail alice = 1000",
      "memoryIsBoundedByDroppingTheStalestKey (the least recently failed key goes first) | 3 |"
          + " fail a; fail a; fail a; +1; fail b; fail c; fail d; size = 3; wait a = 0",
      "forgottenKeysGoBeforeLiveOnes (even with room; live keys keep their count) | 3 |"
          + " fail old; +60000; fail a; fail a; fail a; fail b; size = 2; fail a = 2000",
  })
  void steps(String name, int maxEntries, String steps) {
    Backoff b = backoff(maxEntries);
    clock.run(steps, Map.of(
        "fail", b::failed,
        "wait", b::waitMillis,
        "succeed", key -> {
          b.succeeded(key);
          return "";
        },
        "size", key -> b.size()));
  }

  @Test
  void theCapHoldsForManyFailuresWithoutOverflow() {
    Backoff b = backoff(new Backoff.Options(1, 1_000, Long.MAX_VALUE / 2, Long.MAX_VALUE, 10));
    for (int i = 0; i < 200; i++) {
      b.failed("alice");
    }
    assertEquals(Long.MAX_VALUE / 2, b.waitMillis("alice"));
  }

  @Test
  void anOpenWindowOutlastsAShorterQuietPeriod() {
    Backoff b = backoff(new Backoff.Options(1, 10_000, 10_000, 1_000, 10));
    clock.run("fail alice; +5000; wait alice = 5000", Map.of("fail", b::failed, "wait", b::waitMillis));
  }

  @Test
  void refusedAttemptsDoNotLengthenTheWindow() {
    Backoff b = backoff(10);
    b.failed("alice");
    b.failed("alice");
    b.failed("alice");
    for (int i = 0; i < 100; i++) {
      b.waitMillis("alice");
      clock.advance(5);
    }
    assertEquals(500, b.waitMillis("alice"));
  }

  @Test
  void zeroFreeFailuresTurnsItOff() {
    Backoff b = backoff(new Backoff.Options(0, 1_000, 8_000, 60_000, 10));
    for (int i = 0; i < 50; i++) {
      assertEquals(0, b.failed("alice"));
    }
    assertEquals(0, b.waitMillis("alice"));
    assertEquals(0, b.size());
  }
}
