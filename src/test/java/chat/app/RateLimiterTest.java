package chat.app;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-user write limit on a clock the test moves: no sleeping. */
class RateLimiterTest {
  private static final long MS = 1_000_000L;
  private final AtomicLong now = new AtomicLong(123_456_789L);

  private RateLimiter limiter(int burst, int perSecond, int maxUsers) {
    return new RateLimiter(burst, perSecond, maxUsers, now::get);
  }

  private static int allowed(RateLimiter l, long user, int tries) {
    int n = 0;
    for (int i = 0; i < tries; i++) {
      if (l.tryAcquire(user)) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aBurstPassesThenTheNextRequestIsRefused() {
    RateLimiter l = limiter(100, 50, 1000);
    assertEquals(100, allowed(l, 1, 100));
    assertFalse(l.tryAcquire(1));
  }

  @Test
  void afterTheBurstRequestsPassAtTheRate() {
    RateLimiter l = limiter(100, 50, 1000);
    allowed(l, 1, 100);
    now.addAndGet(19 * MS);
    assertFalse(l.tryAcquire(1), "one request per 20 ms at 50 per second");
    now.addAndGet(1 * MS);
    assertTrue(l.tryAcquire(1));
    assertFalse(l.tryAcquire(1));
    now.addAndGet(1000 * MS);
    assertEquals(50, allowed(l, 1, 200), "one second refills fifty");
  }

  @Test
  void refusedRequestsCostNothing() {
    RateLimiter l = limiter(2, 10, 1000);
    allowed(l, 1, 2);
    assertEquals(0, allowed(l, 1, 1000));
    now.addAndGet(100 * MS);
    assertTrue(l.tryAcquire(1));
  }

  @Test
  void aSteadyRateAtTheLimitIsNeverRefused() {
    RateLimiter l = limiter(1, 50, 1000);
    for (int i = 0; i < 10_000; i++) {
      assertTrue(l.tryAcquire(1), "request " + i);
      now.addAndGet(20 * MS);
    }
  }

  @Test
  void anIdleUserGetsTheWholeBurstBackAndNoMore() {
    RateLimiter l = limiter(100, 50, 1000);
    allowed(l, 1, 100);
    now.addAndGet(60_000 * MS);
    assertEquals(100, allowed(l, 1, 150));
  }

  @Test
  void usersHaveTheirOwnBuckets() {
    RateLimiter l = limiter(3, 1, 1000);
    assertEquals(3, allowed(l, 1, 10));
    assertEquals(3, allowed(l, 2, 10));
    assertFalse(l.tryAcquire(1));
  }

  @Test
  void usersWhoseBucketIsFullAgainAreForgotten() {
    RateLimiter l = limiter(100, 50, 1_000_000);
    for (long user = 0; user < 10_000; user++) {
      l.tryAcquire(user);
    }
    assertEquals(10_000, l.tracked());
    now.addAndGet(20 * MS); // one request refills in 20 ms
    l.tryAcquire(-1);
    assertEquals(1, l.tracked(), "only the user just seen");
  }

  @Test
  void usersStillRefillingAreKept() {
    RateLimiter l = limiter(100, 50, 1_000_000);
    allowed(l, 1, 100);
    now.addAndGet(1000 * MS);
    l.tryAcquire(2);
    assertEquals(2, l.tracked());
    assertEquals(50, allowed(l, 1, 100), "user 1 was not forgotten half full");
  }

  @Test
  void memoryIsBoundedEvenWhenEveryoneIsBusy() {
    RateLimiter l = limiter(100, 50, 1000);
    for (long user = 0; user < 100_000; user++) {
      assertTrue(l.tryAcquire(user));
    }
    assertEquals(1000, l.tracked());
  }

  @Test
  void aClockThatWrapsAroundChangesNothing() {
    now.set(Long.MAX_VALUE - 5 * MS);
    RateLimiter l = limiter(2, 100, 1000);
    assertEquals(2, allowed(l, 1, 5));
    now.addAndGet(10 * MS); // past Long.MAX_VALUE
    assertTrue(l.tryAcquire(1));
    assertFalse(l.tryAcquire(1));
  }

  @Test
  void aRateOrBurstOfZeroIsNotALimiter() {
    assertThrows(IllegalArgumentException.class, () -> limiter(0, 50, 10));
    assertThrows(IllegalArgumentException.class, () -> limiter(100, 0, 10));
  }
}
