package chat.login;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-key token bucket, case by case, on a clock the test moves. */
class RateLimitTest {
  private final ClockSteps clock = new ClockSteps(5_000_000);

  /** Three at once, then six a minute (one every ten seconds). */
  private RateLimit limit(int maxEntries) {
    return new RateLimit(new RateLimit.Options(3, 6, maxEntries), clock::now);
  }

  /**
   * Steps on the default limit with room for {@code maxEntries} keys: {@code take k} takes an
   * attempt from k's bucket and answers whether there was one, {@code size} the number of keys
   * remembered; {@code +n} moves the clock.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "theBurstIsAllowedAtOnceAndNoMore | 10 |"
          + " take 10.0.0.1 = true; take 10.0.0.1 = true; take 10.0.0.1 = true; take 10.0.0.1 = false",
      "attemptsComeBackAtTheRate | 10 | take 10.0.0.1; take 10.0.0.1; take 10.0.0.1;"
          + " +9999; take 10.0.0.1 = false; +1; take 10.0.0.1 = true; take 10.0.0.1 = false",
      "aLongPauseRefillsNoMoreThanTheBurst | 10 | take 10.0.0.1; +3600000;"
          + " take 10.0.0.1 = true; take 10.0.0.1 = true; take 10.0.0.1 = true; take 10.0.0.1 = false",
      "keysAreLimitedApart | 10 | take 10.0.0.1; take 10.0.0.1; take 10.0.0.1; take 10.0.0.1; take 10.0.0.2 = true",
      "memoryIsBoundedAndRefilledKeysGoFirst (a key whose bucket is full again is the same as a new one) | 3 |"
          + " take refilled; +60000; take a; take b; size = 2; take c; take d; size = 3",
  })
  void steps(String name, int maxEntries, String steps) {
    RateLimit r = limit(maxEntries);
    clock.run(steps, Map.of("take", r::tryAcquire, "size", key -> r.size()));
  }

  @Test
  void refusedAttemptsCostNothing() {
    RateLimit r = limit(10);
    for (int i = 0; i < 3; i++) {
      r.tryAcquire("10.0.0.1");
    }
    for (int i = 0; i < 9; i++) {
      clock.advance(1_000);
      assertFalse(r.tryAcquire("10.0.0.1"));
    }
    clock.advance(1_000);
    assertTrue(r.tryAcquire("10.0.0.1"), "ten seconds after the last allowed one");
  }

  @Test
  void zeroBurstTurnsItOff() {
    RateLimit r = new RateLimit(new RateLimit.Options(0, 0, 10), clock::now);
    for (int i = 0; i < 100; i++) {
      assertTrue(r.tryAcquire("10.0.0.1"));
    }
    assertEquals(0, r.size());
  }
}
