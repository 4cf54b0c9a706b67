package chat.store;

/**
 * The life of a login token as stored: valid before its absolute deadline and while it was
 * used within its idle window. The windows are kept in the row, so every server judges a token
 * the same way without sharing settings.
 */
public record Session(long expiresAt, long lastUsed, long idleMillis) {
  /** The last use is moved forward at most once a minute: a command costs no store write. */
  static final long TOUCH_STEP_MILLIS = 60_000;

  public boolean validAt(long now) {
    return now < expiresAt && now - lastUsed < idleMillis;
  }

  /**
   * Whether the last use is old enough to be written again: a minute, or a quarter of the
   * idle window when that is shorter, so a short window still stays open while in use.
   */
  public boolean touchDueAt(long now) {
    return now >= nextTouchAt();
  }

  /** When the last use is next due to be written ({@link #touchDueAt}). */
  public long nextTouchAt() {
    return lastUsed + Math.min(TOUCH_STEP_MILLIS, idleMillis / 4);
  }

  /** The same session, last used at {@code now}. */
  Session usedAt(long now) {
    return new Session(expiresAt, now, idleMillis);
  }
}
