package chat.store;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Who may use the embedded HSQLDB store. The administrator (the login role) has a password
 * from the first start on; application instances connect as their own user, which may read
 * and write the service's rows and nothing else: no DDL, no {@code SCRIPT}, no
 * {@code SHUTDOWN}, no fleet registry.
 */
public final class StoreAccess {
  private static final Logger LOG = LoggerFactory.getLogger(StoreAccess.class);
  /**
   * What application instances may do per table; a table not named here gets plain read and
   * write. Accounts, tokens and the fleet registry are the login role's to change.
   */
  private static final Map<String, String> RIGHTS = Map.ofEntries(
      Map.entry("INSTANCES", ""),
      Map.entry("LEASES", ""),
      Map.entry("SCHEMA_VERSION", "SELECT"),
      // instances only note when a token was last used (idle expiry), and count posts
      Map.entry("USERS", "SELECT, UPDATE (token_used)"),
      Map.entry("POST_COUNTS", "SELECT, UPDATE (posts)"),
      Map.entry("INVITATIONS", "SELECT, INSERT, DELETE"),
      Map.entry("FRIENDSHIPS", "SELECT, INSERT"),
      // filled by the friendships' trigger
      Map.entry("FRIEND_LIST", "SELECT, INSERT"),
      Map.entry("POSTS", "SELECT, INSERT"),
      Map.entry("CHAT_GROUPS", "SELECT, INSERT"),
      Map.entry("MEMBERSHIPS", "SELECT, INSERT"));
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  private StoreAccess() { }

  /**
   * Opens the database file in this process before it is served, so it is never served
   * without the administrator's password: a new database is created with it, and a database
   * from before passwords (administrator with an empty password) gets it now.
   */
  public static void secureAdministrator(String fileUrl, String user, String password) throws SQLException {
    require(user, "store user");
    require(password, "store password");
    try (Connection c = DriverManager.getConnection(fileUrl, user, password)) {
      return;
    } catch (SQLException wrong) {
      if (!isBadCredentials(wrong)) {
        throw wrong;
      }
    }
    try (Connection c = DriverManager.getConnection(fileUrl, user, "");
         Statement s = c.createStatement()) {
      s.execute("ALTER USER " + quoted(user) + " SET PASSWORD '" + password + "'");
      LOG.info("store administrator {} now has a password", user);
    } catch (SQLException e) {
      throw new SQLException("the store refuses the configured administrator password (store.password)", e);
    }
  }

  /**
   * Creates or updates the application instances' user of the embedded store and gives it
   * exactly the rights it needs ({@link #grantRights}). Runs after the migrations, at each start.
   */
  public static Future<Void> grantApplicationUser(Db db, String user, String password) {
    require(user, "store application user");
    require(password, "store application password");
    return db.tx(c -> c.update(c.exists("SELECT 1 FROM INFORMATION_SCHEMA.SYSTEM_USERS WHERE USER_NAME = ?", user)
            ? "ALTER USER " + quoted(user) + " SET PASSWORD '" + password + "'"
            : "CREATE USER " + quoted(user) + " PASSWORD '" + password + "'"))
        .compose(x -> grantRights(db, user));
  }

  /**
   * Gives {@code user} (which must exist) exactly the rights application instances need on
   * every table of the schema now in force, and takes away any other it had: on the embedded
   * store, and on another store (PostgreSQL) whose instances have a user of their own.
   */
  public static Future<Void> grantRights(Db db, String user) {
    require(user, "store application user");
    return db.<Void>tx(c -> {
      for (Row t : c.rows("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES"
          + " WHERE UPPER(TABLE_SCHEMA) = 'PUBLIC' AND TABLE_TYPE = 'BASE TABLE'")) {
        String table = t.getString(0);
        String rights = RIGHTS.getOrDefault(table.toUpperCase(java.util.Locale.ROOT), "SELECT, INSERT, UPDATE, DELETE");
        String on = " ON TABLE " + quoted(table) + " ";
        c.update("REVOKE ALL PRIVILEGES" + on + "FROM " + quoted(user) + " RESTRICT");
        if (!rights.isEmpty()) {
          c.update("GRANT " + rights + on + "TO " + quoted(user));
        }
      }
      return null;
    });
  }

  private static boolean isBadCredentials(SQLException e) {
    // SQLSTATE 28xxx: invalid authorization specification
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("28")) {
        return true;
      }
    }
    return false;
  }

  private static String quoted(String name) {
    return "\"" + name + "\"";
  }

  /** Names and passwords go into DDL, which takes no parameters: only plain characters are accepted. */
  private static void require(String value, String what) {
    if (value == null || !SAFE.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " must be 1 to 128 letters, digits or _ . : -");
    }
  }
}
