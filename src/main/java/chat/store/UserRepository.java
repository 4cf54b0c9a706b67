package chat.store;

import chat.config.Secrets;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
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
  public User byToken(Sql c, String token) throws SQLException {
    Held held = held(c, token);
    return held == null ? null : held.user();
  }

  /**
   * A user found by its token while its session is valid, and when the session's last use is
   * next due to be written ({@link Session#nextTouchAt}): until then a use of the token has
   * nothing to write, so a server that remembers the user may act for the token without reading
   * it again, in a statement that checks the session is still valid ({@link #VALID_SESSION}).
   */
  public record Held(User user, long nextTouchAt) {
  }

  /** As {@link #byToken}, with when the session's last use is next due to be written. */
  public Held held(Sql c, String token) throws SQLException {
    if (token == null) {
      return null;
    }
    return holder(c, c.row("SELECT " + User.COLUMNS + " FROM users WHERE token_hash = ?", tokenHash(token)), token);
  }

  /**
   * The condition that the user row {@code u} holds a valid session at a moment: its parameters
   * are the token's hash ({@link #tokenHash}), then that moment twice. The store's side of
   * {@link Session#validAt}, for a statement that acts for a user found by its token earlier.
   */
  public static final String VALID_SESSION = "u.token_hash = ? AND u.token_expires > ? AND u.token_used + u.token_idle > ?";

  /** Wall-clock milliseconds, as sessions are judged by. */
  public long now() {
    return clock.getAsLong();
  }

  /**
   * The user of a row read with {@link User#COLUMNS} by {@code token}, while its session is
   * valid (a use moves the session's last use, see {@link #touch}), else null.
   */
  private Held holder(Sql c, Row r, String token) throws SQLException {
    long now = clock.getAsLong();
    User user = User.of(r, token, now);
    if (user == null || !user.online()) {
      return null;
    }
    Session session = touch(c, user.id(), User.session(r), now);
    return new Held(user, session.nextTouchAt());
  }

  /**
   * The id of the user holding a token, in a read for that user ({@link #mine}); its parameter
   * is {@link #MY_HASH}.
   */
  public static final String MY_ID = "(SELECT id FROM users WHERE token_hash = ?)";
  /** The parameter of {@link #MY_ID}: {@link #mine} binds the token's hash in its place. */
  public static final Object MY_HASH = new Object();

  /** What a read for the user holding a token found: the user, and the rows read for it. */
  public record Mine(User user, List<Row> rows) {
    /** The first row, or null. */
    public Row first() {
      return rows.isEmpty() ? null : rows.get(0);
    }
  }

  /**
   * The user holding {@code token}, as {@link #byToken}, with the rows of a read for that user,
   * in one statement: one round trip instead of two. {@code rows} is a query whose first column
   * is never null, with {@link #MY_ID} where the user's id goes, and {@code params} its
   * parameters, {@link #MY_HASH} for each {@link #MY_ID}; {@code order} orders its rows by the
   * names of its columns, prefixed {@code r.}. Null when the token holds no valid session.
   */
  public Mine mine(Sql c, String token, String rows, String order, Object... params) throws SQLException {
    if (token == null) {
      return null;
    }
    String hash = tokenHash(token);
    Object[] bound = new Object[params.length + 1];
    for (int i = 0; i < params.length; i++) {
      bound[i] = params[i] == MY_HASH ? hash : params[i];
    }
    bound[params.length] = hash;
    List<Row> found = c.rows("SELECT " + User.COLUMNS_OF_ME + ", r.* FROM users me LEFT JOIN (" + rows
        + ") r ON 1 = 1 WHERE me.token_hash = ? ORDER BY " + order, bound);
    Held held = holder(c, found.isEmpty() ? null : found.get(0), token);
    if (held == null) {
      return null;
    }
    User user = held.user();
    List<Row> mine = new ArrayList<>(found.size());
    if (found.get(0).getValue(User.COLUMN_COUNT) != null) {
      found.forEach(row -> mine.add(row.from(User.COLUMN_COUNT)));
    }
    return new Mine(user, mine);
  }

  /** Another user, from a row read with {@link User#COLUMNS}; null for no row. */
  User other(Row r) {
    return User.of(r, null, clock.getAsLong());
  }

  public User byName(Sql c, String name) throws SQLException {
    return other(c.row("SELECT " + User.COLUMNS + " FROM users WHERE name = ?", name));
  }

  /** The stored password hash of {@code name} with the user, or null when there is no such user. */
  public Credentials credentials(Sql c, String name) throws SQLException {
    Row r = c.row("SELECT " + User.COLUMNS + ", password_hash FROM users WHERE name = ?", name);
    return r == null ? null : new Credentials(other(r), r.getString(User.COLUMN_COUNT));
  }

  public void insert(Sql c, String name, String passwordHash, String channel) throws SQLException {
    c.update("INSERT INTO users (name, password_hash, channel) VALUES (?, ?, ?)", name, passwordHash, channel);
  }

  /** Replaces the password hash, unless it changed since {@code old} was read. */
  public void rehash(Sql c, long id, String old, String fresh) throws SQLException {
    c.update("UPDATE users SET password_hash = ? WHERE id = ? AND password_hash = ?", fresh, id, old);
  }

  /**
   * The user's token: the one in force when its session is still valid (logging in again
   * while online gives the same token), else a new session's. {@code tokenOf} derives a token
   * from a session nonce; a session whose stored hash no longer matches its derived token (the
   * derivation key changed) is replaced. A login counts as a use of the session.
   */
  public String ensureToken(Sql c, long id, Function<String, String> tokenOf, long idleMillis,
                            long lifetimeMillis) throws SQLException {
    long now = clock.getAsLong();
    String nonce = Secrets.random(16);
    String token = tokenOf.apply(nonce);
    Object[] fresh = {tokenHash(token), nonce, now + lifetimeMillis, now, idleMillis, id};
    if (c.update(SET_SESSION + " AND (" + NO_SESSION + ")", append(fresh, now, now)) > 0) {
      return token;
    }
    Row r = c.row("SELECT token_nonce, token_hash, token_expires, token_used, token_idle FROM users WHERE id = ?", id);
    String held = r == null ? null : tokenOf.apply(r.getString(0));
    if (held == null || !tokenHash(held).equals(r.getString(1))) {
      c.update(SET_SESSION, fresh);
      return token;
    }
    touch(c, id, new Session(r.getLong(2), r.getLong(3), r.getLong(4)), now);
    return held;
  }

  /** Moves the session's last use to {@code now} when a step has passed since it; the session as it is then. */
  private static Session touch(Sql c, long id, Session session, long now) throws SQLException {
    if (!session.touchDueAt(now)) {
      return session;
    }
    c.update("UPDATE users SET token_used = ? WHERE id = ? AND token_used < ?", now, id, now);
    return session.usedAt(now);
  }

  /** Ends the user's session and its assignment. */
  public void clearToken(Sql c, long id) throws SQLException {
    c.update("UPDATE users SET token_hash = NULL, token_nonce = NULL, token_expires = NULL,"
        + " token_used = NULL, token_idle = NULL, instance_id = NULL WHERE id = ?", id);
  }

  /** Removes the user; invitations, friendships, posts and memberships go with it (cascade). */
  public void delete(Sql c, long id) throws SQLException {
    c.update("DELETE FROM users WHERE id = ?", id);
  }

  /** Records which application instance serves the user. */
  public void assign(Sql c, long id, String instanceId) throws SQLException {
    c.update("UPDATE users SET instance_id = ? WHERE id = ?", instanceId, id);
  }

  /** The user's assignment moves from {@code from} to {@code to}, unless it changed meanwhile (a logout, say). */
  public void move(Sql c, long id, String from, String to) throws SQLException {
    c.update("UPDATE users SET instance_id = ? WHERE id = ? AND instance_id = ?", to, id, from);
  }

  /** Whether {@code channel} is the personal channel of the user called {@code name}, or that of one of its groups. */
  public boolean readsChannel(Sql c, String name, String channel) throws SQLException {
    return c.exists("SELECT 1 FROM users WHERE name = ? AND channel = ?", name, channel)
        || c.exists("SELECT 1 FROM memberships m JOIN chat_groups g ON g.seq = m.group_seq"
            + " JOIN users u ON u.id = m.member WHERE u.name = ? AND g.channel = ?", name, channel);
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
