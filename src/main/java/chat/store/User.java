package chat.store;

import io.vertx.sqlclient.Row;

/** A user as the handlers need it: who, which personal channel, and the token when online. */
public record User(long id, String name, String channel, String token) {
  static final String COLUMNS = "id, name, channel, token";

  static User of(Row r) {
    return r == null ? null : new User(r.getLong(0), r.getString(1), r.getString(2), r.getString(3));
  }

  public boolean online() {
    return token != null;
  }
}
