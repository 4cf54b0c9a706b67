package chat.store;

/**
 * A user as the handlers need it: who, which personal channel, whether it holds a valid token,
 * and the token itself when the user was found by it (the store keeps only its hash).
 */
public record User(long id, String name, String channel, String token, boolean online) {
  static final String COLUMNS = "id, name, channel, token_expires, token_used, token_idle";
  static final int COLUMN_COUNT = COLUMNS.split(", ").length;
  /** {@link #COLUMNS} of a user row named {@code me}. */
  static final String COLUMNS_OF_ME = "me." + COLUMNS.replace(", ", ", me.");

  static User of(Row r, String token, long now) {
    if (r == null) {
      return null;
    }
    Session s = session(r);
    return new User(r.getLong(0), r.getString(1), r.getString(2), token, s != null && s.validAt(now));
  }

  /** The session of a row read with {@link #COLUMNS}; null when the user holds no token. */
  static Session session(Row r) {
    Long expires = r.getLong(3);
    Long used = r.getLong(4);
    Long idle = r.getLong(5);
    return expires == null || used == null || idle == null ? null : new Session(expires, used, idle);
  }
}
