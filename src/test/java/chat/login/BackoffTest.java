package chat.login;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The failed-attempt back-off, case by case, on a clock the test moves. */
class BackoffTest {
  private long now = 1_000_000;

  /** Three free failures, then 1 s, 2 s, 4 s … up to 8 s; forgotten after 60 s without one. */
  private Backoff backoff(int maxEntries) {
    return new Backoff(new Backoff.Options(3, 1_000, 8_000, 60_000, maxEntries), () -> now);
  }

  @Test
  void anUnknownKeyMayTryAtOnce() {
    assertEquals(0, backoff(10).waitMillis("alice"));
  }

  @Test
  void theFreeFailuresCostNoWait() {
    Backoff b = backoff(10);
    assertEquals(0, b.failed("alice"));
    assertEquals(0, b.failed("alice"));
    assertEquals(0, b.waitMillis("alice"));
  }

  @Test
  void theFailureThatUsesUpTheFreeOnesOpensTheFirstWindow() {
    Backoff b = backoff(10);
    b.failed("alice");
    b.failed("alice");
    assertEquals(1_000, b.failed("alice"));
    assertEquals(1_000, b.waitMillis("alice"));
    now += 400;
    assertEquals(600, b.waitMillis("alice"));
    now += 600;
    assertEquals(0, b.waitMillis("alice"));
  }

  @Test
  void windowsDoubleUpToTheCap() {
    Backoff b = backoff(10);
    long[] expected = {0, 0, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000};
    for (long e : expected) {
      assertEquals(e, b.failed("alice"));
      now += e;
    }
  }

  @Test
  void theCapHoldsForManyFailuresWithoutOverflow() {
    Backoff b = new Backoff(new Backoff.Options(1, 1_000, Long.MAX_VALUE / 2, Long.MAX_VALUE, 10), () -> now);
    for (int i = 0; i < 200; i++) {
      b.failed("alice");
    }
    assertEquals(Long.MAX_VALUE / 2, b.waitMillis("alice"));
  }

  @Test
  void keysAreCountedApart() {
    Backoff b = backoff(10);
    b.failed("alice");
    b.failed("alice");
    b.failed("alice");
    assertEquals(0, b.waitMillis("bob"));
    assertEquals(0, b.failed("bob"));
  }

  @Test
  void aSuccessForgetsTheFailures() {
    Backoff b = backoff(10);
    b.failed("alice");
    b.failed("alice");
    b.succeeded("alice");
    assertEquals(0, b.failed("alice"));
    assertEquals(0, b.failed("alice"));
  }

  @Test
  void failuresAreForgottenAfterAQuietPeriod() {
    Backoff b = backoff(10);
    b.failed("alice");
    b.failed("alice");
    now += 60_000;
    assertEquals(0, b.failed("alice"), "counting starts again");
    assertEquals(0, b.failed("alice"));
    assertEquals(1_000, b.failed("alice"));
  }

  @Test
  void failuresWithinTheQuietPeriodKeepCounting() {
    Backoff b = backoff(10);
    b.failed("alice");
    now += 59_999;
    b.failed("alice");
    now += 59_999;
    assertEquals(1_000, b.failed("alice"));
  }

  @Test
  void anOpenWindowOutlastsAShorterQuietPeriod() {
    Backoff b = new Backoff(new Backoff.Options(1, 10_000, 10_000, 1_000, 10), () -> now);
    b.failed("alice");
    now += 5_000;
    assertEquals(5_000, b.waitMillis("alice"));
  }

  @Test
  void refusedAttemptsDoNotLengthenTheWindow() {
    Backoff b = backoff(10);
    b.failed("alice");
    b.failed("alice");
    b.failed("alice");
    for (int i = 0; i < 100; i++) {
      b.waitMillis("alice");
      now += 5;
    }
    assertEquals(500, b.waitMillis("alice"));
  }

  @Test
  void zeroFreeFailuresTurnsItOff() {
    Backoff b = new Backoff(new Backoff.Options(0, 1_000, 8_000, 60_000, 10), () -> now);
    for (int i = 0; i < 50; i++) {
      assertEquals(0, b.failed("alice"));
    }
    assertEquals(0, b.waitMillis("alice"));
    assertEquals(0, b.size());
  }

  @Test
  void memoryIsBoundedByDroppingTheStalestKey() {
    Backoff b = backoff(3);
    b.failed("a");
    b.failed("a");
    b.failed("a");
    now += 1;
    b.failed("b");
    b.failed("c");
    b.failed("d");
    assertEquals(3, b.size());
    assertEquals(0, b.waitMillis("a"), "the least recently failed key went first");
  }

  @Test
  void forgottenKeysGoBeforeLiveOnes() {
    Backoff b = backoff(3);
    b.failed("old");
    now += 60_000;
    b.failed("a");
    b.failed("a");
    b.failed("a");
    b.failed("b");
    assertEquals(2, b.size(), "the forgotten key was dropped though there was room");
    assertEquals(2_000, b.failed("a"), "live keys keep their count");
  }
}
