package chat.store;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When a stored token is valid, and when a use of it is worth a write. */
class SessionTest {
  private static final long DAY = 86_400_000;
  private static final long T0 = 1_700_000_000_000L;

  /** Issued at T0: an idle window of a day, seven days at most. */
  private final Session fresh = new Session(T0 + 7 * DAY, T0, DAY);

  @Test
  void aTokenIsValidRightAfterLogin() {
    assertTrue(fresh.validAt(T0));
  }

  @Test
  void anUnusedTokenExpiresAfterTheIdleWindow() {
    assertTrue(fresh.validAt(T0 + DAY - 1));
    assertFalse(fresh.validAt(T0 + DAY));
  }

  @Test
  void aRecentUseKeepsItValid() {
    Session used = new Session(T0 + 7 * DAY, T0 + 3 * DAY, DAY);
    assertTrue(used.validAt(T0 + 4 * DAY - 1));
  }

  @Test
  void noUseKeepsItPastItsAbsoluteDeadline() {
    Session used = new Session(T0 + 7 * DAY, T0 + 7 * DAY - 1, DAY);
    assertTrue(used.validAt(T0 + 7 * DAY - 1));
    assertFalse(used.validAt(T0 + 7 * DAY));
  }

  @Test
  void usesWithinAMinuteWriteNothing() {
    assertFalse(fresh.touchDueAt(T0 + 59_999));
    assertTrue(fresh.touchDueAt(T0 + 60_000));
  }

  @Test
  void aShortIdleWindowIsTouchedAtAQuarterOfIt() {
    Session shortLived = new Session(T0 + DAY, T0, 2_000);
    assertFalse(shortLived.touchDueAt(T0 + 499));
    assertTrue(shortLived.touchDueAt(T0 + 500));
  }

  @Test
  void theNextWriteIsDueAStepAfterTheLastUseAndAUseMovesIt() {
    assertEquals(T0 + 60_000, fresh.nextTouchAt());
    assertEquals(T0 + 500, new Session(T0 + DAY, T0, 2_000).nextTouchAt());
    assertEquals(T0 + 90_000, fresh.usedAt(T0 + 30_000).nextTouchAt());
  }
}
