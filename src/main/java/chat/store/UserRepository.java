package chat.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;

/** Accounts, passwords and tokens. */
public final class UserRepository {

  public Future<User> byToken(SqlClient c, String token) {
    return Db.row(c, "SELECT " + User.COLUMNS + " FROM users WHERE token = ?", token).map(User::of);
  }

  public Future<User> byName(SqlClient c, String name) {
    return Db.row(c, "SELECT " + User.COLUMNS + " FROM users WHERE name = ?", name).map(User::of);
  }

  /** The stored password hash of {@code name} with the user, or null when there is no such user. */
  public Future<Credentials> credentials(SqlClient c, String name) {
    return Db.row(c, "SELECT " + User.COLUMNS + ", password_hash FROM users WHERE name = ?", name)
        .map(r -> r == null ? null : new Credentials(User.of(r), r.getString(4)));
  }

  public Future<Void> insert(SqlClient c, String name, String passwordHash, String channel) {
    return Db.update(c, "INSERT INTO users (name, password_hash, channel) VALUES (?, ?, ?)",
        name, passwordHash, channel).mapEmpty();
  }

  /** Gives the user a token unless it has one already; the token in force is read back. */
  public Future<String> ensureToken(SqlClient c, long id, String fresh) {
    return Db.update(c, "UPDATE users SET token = ? WHERE id = ? AND token IS NULL", fresh, id)
        .compose(n -> Db.row(c, "SELECT token FROM users WHERE id = ?", id))
        .map(r -> r == null ? null : r.getString(0));
  }

  public Future<Void> clearToken(SqlClient c, long id) {
    return Db.update(c, "UPDATE users SET token = NULL, instance_id = NULL WHERE id = ?", id).mapEmpty();
  }

  /** Removes the user; invitations, friendships, posts and memberships go with it (cascade). */
  public Future<Void> delete(SqlClient c, long id) {
    return Db.update(c, "DELETE FROM users WHERE id = ?", id).mapEmpty();
  }

  /** Records which application instance serves the user. */
  public Future<Void> assign(SqlClient c, long id, String instanceId) {
    return Db.update(c, "UPDATE users SET instance_id = ? WHERE id = ?", instanceId, id).mapEmpty();
  }

  /** Whether {@code channel} is the personal channel of the user called {@code name}, or that of one of its groups. */
  public Future<Boolean> readsChannel(SqlClient c, String name, String channel) {
    return Db.exists(c, "SELECT 1 FROM users WHERE name = ? AND channel = ?", name, channel).compose(own -> own
        ? Future.succeededFuture(true)
        : Db.exists(c, "SELECT 1 FROM memberships m JOIN chat_groups g ON g.seq = m.group_seq"
            + " JOIN users u ON u.id = m.member WHERE u.name = ? AND g.channel = ?", name, channel));
  }

  /** A user with the hash of its password, for login. */
  public record Credentials(User user, String passwordHash) {
  }
}
