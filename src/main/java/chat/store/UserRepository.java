package chat.store;

import chat.config.Secrets;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Accounts, passwords and tokens. The store never holds a token, only its SHA-256: a copy of
 * the database lets nobody in. A session row also holds the nonce the login server derives the
 * token from, and the deadlines that end it (see {@link Session}).
 */
public final class UserRepository {
  private static final String NO_SESSION = "token_hash IS NULL OR token_expires <= ? OR token_used + token_idle <= ?";
  private static final String SET_SESSION = "UPDATE users SET token_hash = ?, token_nonce = ?, token_expires = ?,"
      + " token_used = ?, token_idle = ? WHERE id = ?";

  private final LongSupplier clock;

  public UserRepository() {
    this(System::currentTimeMillis);
  }

  /** {@code clock}: wall-clock milliseconds, the same on every server that shares the store. */
  public UserRepository(LongSupplier clock) {
    this.clock = clock;
  }

  /**
   * The user holding {@code token} while its session is valid, else null. A use moves the
   * session's idle deadline, but writes the row at most once a step ({@link Session#touchDueAt}).
   */
  public Future<User> byToken(SqlClient c, String token) {
    if (token == null) {
      return Future.succeededFuture();
    }
    return Db.row(c, "SELECT " + User.COLUMNS + " FROM users WHERE token_hash = ?", tokenHash(token)).compose(r -> {
      long now = clock.getAsLong();
      User user = User.of(r, token, now);
      if (user == null || !user.online()) {
        return Future.succeededFuture();
      }
      return touched(c, user.id(), User.session(r), now, user);
    });
  }

  public Future<User> byName(SqlClient c, String name) {
    return Db.row(c, "SELECT " + User.COLUMNS + " FROM users WHERE name = ?", name)
        .map(r -> User.of(r, null, clock.getAsLong()));
  }

  /** The stored password hash of {@code name} with the user, or null when there is no such user. */
  public Future<Credentials> credentials(SqlClient c, String name) {
    return Db.row(c, "SELECT " + User.COLUMNS + ", password_hash FROM users WHERE name = ?", name)
        .map(r -> r == null ? null : new Credentials(User.of(r, null, clock.getAsLong()), r.getString(6)));
  }

  public Future<Void> insert(SqlClient c, String name, String passwordHash, String channel) {
    return Db.update(c, "INSERT INTO users (name, password_hash, channel) VALUES (?, ?, ?)",
        name, passwordHash, channel).mapEmpty();
  }

  /** Replaces the password hash, unless it changed since {@code old} was read. */
  public Future<Void> rehash(SqlClient c, long id, String old, String fresh) {
    return Db.update(c, "UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?", fresh, id, old)
        .mapEmpty();
  }

  /**
   * The user's token: the one in force when its session is still valid (logging in again
   * while online gives the same token), else a new session's. {@code tokenOf} derives a token
   * from a session nonce; a session whose stored hash no longer matches its derived token (the
   * derivation key changed) is replaced. A login counts as a use of the session.
   */
  public Future<String> ensureToken(SqlClient c, long id, Function<String, String> tokenOf, long idleMillis,
                                    long lifetimeMillis) {
    long now = clock.getAsLong();
    String nonce = Secrets.random(16);
    String token = tokenOf.apply(nonce);
    Object[] fresh = {tokenHash(token), nonce, now + lifetimeMillis, now, idleMillis, id};
    return Db.update(c, SET_SESSION + " AND (" + NO_SESSION + ")", append(fresh, now, now))
        .compose(n -> n > 0 ? Future.succeededFuture(token) : Db.row(c, "SELECT token_nonce, token_hash,"
                + " token_expires, token_used, token_idle FROM users WHERE id = ?", id)
            .compose(r -> {
              String held = r == null ? null : tokenOf.apply(r.getString(0));
              if (held == null || !tokenHash(held).equals(r.getString(1))) {
                return Db.update(c, SET_SESSION, fresh).map(token);
              }
              return touched(c, id, new Session(r.getLong(2), r.getLong(3), r.getLong(4)), now, held);
            }));
  }

  /** {@code value}, once the session's last use is moved to {@code now} when a step has passed since it. */
  private static <T> Future<T> touched(SqlClient c, long id, Session session, long now, T value) {
    if (!session.touchDueAt(now)) {
      return Future.succeededFuture(value);
    }
    return Db.update(c, "UPDATE users SET token_used = ? WHERE id = ? AND token_used < ?", now, id, now).map(value);
  }

  /** Ends the user's session and its assignment. */
  public Future<Void> clearToken(SqlClient c, long id) {
    return Db.update(c, "UPDATE users SET token_hash = NULL, token_nonce = NULL, token_expires = NULL,"
        + " token_used = NULL, token_idle = NULL, instance_id = NULL WHERE id = ?", id).mapEmpty();
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

  /** What the store keeps of a token: its SHA-256, in hex. */
  public static String tokenHash(String token) {
    return Secrets.sha256Hex(token);
  }

  private static Object[] append(Object[] values, Object... more) {
    Object[] out = java.util.Arrays.copyOf(values, values.length + more.length);
    System.arraycopy(more, 0, out, values.length, more.length);
    return out;
  }

  /** A user with the hash of its password, for login. */
  public record Credentials(User user, String passwordHash) {
  }
}
