package chat.login;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-key token bucket, case by case, on a clock the test moves. */
class RateLimitTest {
  private long now = 5_000_000;

  /** Three at once, then six a minute (one every ten seconds). */
  private RateLimit limit(int maxEntries) {
    return new RateLimit(new RateLimit.Options(3, 6, maxEntries), () -> now);
  }

  @Test
  void theBurstIsAllowedAtOnceAndNoMore() {
    RateLimit r = limit(10);
    assertTrue(r.tryAcquire("10.0.0.1"));
    assertTrue(r.tryAcquire("10.0.0.1"));
    assertTrue(r.tryAcquire("10.0.0.1"));
    assertFalse(r.tryAcquire("10.0.0.1"));
  }

  @Test
  void attemptsComeBackAtTheRate() {
    RateLimit r = limit(10);
    for (int i = 0; i < 3; i++) {
      r.tryAcquire("10.0.0.1");
    }
    now += 9_999;
    assertFalse(r.tryAcquire("10.0.0.1"));
    now += 1;
    assertTrue(r.tryAcquire("10.0.0.1"));
    assertFalse(r.tryAcquire("10.0.0.1"));
  }

  @Test
  void aLongPauseRefillsNoMoreThanTheBurst() {
    RateLimit r = limit(10);
    r.tryAcquire("10.0.0.1");
    now += 3_600_000;
    assertTrue(r.tryAcquire("10.0.0.1"));
    assertTrue(r.tryAcquire("10.0.0.1"));
    assertTrue(r.tryAcquire("10.0.0.1"));
    assertFalse(r.tryAcquire("10.0.0.1"));
  }

  @Test
  void refusedAttemptsCostNothing() {
    RateLimit r = limit(10);
    for (int i = 0; i < 3; i++) {
      r.tryAcquire("10.0.0.1");
    }
    for (int i = 0; i < 9; i++) {
      now += 1_000;
      assertFalse(r.tryAcquire("10.0.0.1"));
    }
    now += 1_000;
    assertTrue(r.tryAcquire("10.0.0.1"), "ten seconds after the last allowed one");
  }

  @Test
  void keysAreLimitedApart() {
    RateLimit r = limit(10);
    for (int i = 0; i < 4; i++) {
      r.tryAcquire("10.0.0.1");
    }
    assertTrue(r.tryAcquire("10.0.0.2"));
  }

  @Test
  void zeroBurstTurnsItOff() {
    RateLimit r = new RateLimit(new RateLimit.Options(0, 0, 10), () -> now);
    for (int i = 0; i < 100; i++) {
      assertTrue(r.tryAcquire("10.0.0.1"));
    }
    assertEquals(0, r.size());
  }

  @Test
  void memoryIsBoundedAndRefilledKeysGoFirst() {
    RateLimit r = limit(3);
    r.tryAcquire("refilled");
    now += 60_000;
    r.tryAcquire("a");
    r.tryAcquire("b");
    assertEquals(2, r.size(), "a key whose bucket is full again is the same as a new one");
    r.tryAcquire("c");
    r.tryAcquire("d");
    assertEquals(3, r.size());
  }
}
