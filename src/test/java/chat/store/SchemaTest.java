package chat.store;

import chat.config.ChatConfig;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schema migrations on a real HSQLDB file database: tables end up CACHED, old data kept. */
class SchemaTest {
  private static final List<String> TABLES = List.of("CHAT_GROUPS", "COMMIT_MARKS", "FRIEND_LIST", "FRIENDSHIPS", "INSTANCES",
      "INVITATIONS", "LEASES", "MEMBERSHIPS", "POST_COUNTS", "POSTS", "SCHEMA_VERSION", "USERS");

  @TempDir
  Path dir;
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  /** The URL the login role opens its own store with. */
  private String url() {
    return "jdbc:hsqldb:file:" + dir.resolve("chat") + ";" + ChatConfig.databaseProperties(0);
  }

  private int migrate() throws Exception {
    Db db = Db.open(vertx, new StoreOptions(url(), "SA", "", 2));
    try {
      return Schema.migrate(db).await(60, TimeUnit.SECONDS);
    } finally {
      db.close().await(10, TimeUnit.SECONDS);
    }
  }

  private Map<String, String> tableTypes() throws SQLException {
    Map<String, String> types = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(url(), "SA", "");
         ResultSet r = c.createStatement().executeQuery("SELECT table_name, hsqldb_type"
             + " FROM information_schema.system_tables WHERE table_schem = 'PUBLIC'")) {
      while (r.next()) {
        types.put(r.getString(1), r.getString(2));
      }
    }
    return types;
  }

  private static Map<String, String> allCached() {
    Map<String, String> types = new TreeMap<>();
    TABLES.forEach(t -> types.put(t, "CACHED"));
    return types;
  }

  @Test
  void aNewDatabaseHasOnlyCachedTables() throws Exception {
    assertEquals(Schema.MIGRATIONS.size(), migrate());
    assertEquals(allCached(), tableTypes());
  }

  @Test
  void anOlderDatabaseOfMemoryTablesIsMadeCachedAndKeepsItsRows() throws Exception {
    // the database as the first two versions of the schema left it, with the old properties
    String old = "jdbc:hsqldb:file:" + dir.resolve("chat") + ";hsqldb.tx=mvcc;hsqldb.write_delay=false";
    try (Connection c = DriverManager.getConnection(old, "SA", ""); Statement s = c.createStatement()) {
      s.execute("CREATE TABLE schema_version (version INT NOT NULL)");
      for (int v = 0; v < 2; v++) {
        for (String sql : Schema.MIGRATIONS.get(v).onHsqldb()) {
          s.execute(sql);
        }
        s.execute("INSERT INTO schema_version (version) VALUES (" + (v + 1) + ")");
      }
      s.execute("INSERT INTO users (name, password_hash, channel) VALUES ('old', 'h', 'u-old')");
      s.execute("INSERT INTO chat_groups (name, channel) VALUES ('oldgroup', 'g-old')");
      s.execute("INSERT INTO posts (author, message) SELECT id, 'before' FROM users");
      s.execute("INSERT INTO posts (author, message) SELECT id, 'counts' FROM users");
      for (String name : List.of("a", "b", "c")) {
        s.execute("INSERT INTO users (name, password_hash, channel) VALUES ('" + name + "', 'h', 'u-" + name + "')");
      }
      // a accepted b's invitation, then c accepted a's
      s.execute("INSERT INTO friendships (accepter, inviter) SELECT a.id, b.id FROM users a, users b"
          + " WHERE a.name = 'a' AND b.name = 'b'");
      s.execute("INSERT INTO friendships (accepter, inviter) SELECT c.id, a.id FROM users a, users c"
          + " WHERE a.name = 'a' AND c.name = 'c'");
      s.execute("SHUTDOWN");
    }
    assertEquals("MEMORY", tableTypes().get("USERS"));

    assertEquals(Schema.MIGRATIONS.size(), migrate());

    assertEquals(allCached(), tableTypes());
    try (Connection c = DriverManager.getConnection(url(), "SA", "");
         ResultSet r = c.createStatement().executeQuery("SELECT u.name, g.name, g.creator FROM users u, chat_groups g WHERE u.name = 'old'")) {
      assertTrue(r.next());
      assertEquals("old", r.getString(1));
      assertEquals("oldgroup", r.getString(2));
      assertEquals(null, r.getObject(3), "groups made before have no known creator");
      assertEquals(List.of("a: b, c", "b: a", "c: a"), friendLists(c), "the friendships made before are listed to both");
      c.createStatement().execute("INSERT INTO friendships (accepter, inviter) SELECT b.id, c.id FROM users b, users c"
          + " WHERE b.name = 'b' AND c.name = 'c'");
      assertEquals(List.of("a: b, c", "b: c, a", "c: a, b"), friendLists(c),
          "a new friendship lists itself: to its accepter first among the invitations it accepted, to its inviter after");
      c.createStatement().execute("DELETE FROM users WHERE name = 'a'");
      assertEquals(List.of("b: c", "c: b"), friendLists(c), "a user's friendships go from its friends' lists with it");
      assertEquals(List.of("b=0", "c=0", "old=2"), postCounts(c), "the posts made before are counted");
      c.createStatement().execute("INSERT INTO users (name, password_hash, channel) VALUES ('new', 'h', 'u-new')");
      c.createStatement().execute("INSERT INTO posts (author, message) SELECT id, 'hello' FROM users WHERE name = 'old'");
      assertEquals(List.of("b=0", "c=0", "new=0", "old=3"), postCounts(c), "a new user is counted from 0, a post counts itself");
      c.createStatement().execute("DELETE FROM users WHERE name = 'new'");
      assertEquals(List.of("b=0", "c=0", "old=3"), postCounts(c), "a user's count goes with it");
      c.createStatement().execute("SHUTDOWN");
    }
    assertEquals(Schema.MIGRATIONS.size(), migrate(), "nothing left to do the second time");
  }

  /** Each user's friend list as list-friend reads it: "user: friend, friend", users by name. */
  private static List<String> friendLists(Connection c) throws Exception {
    Map<String, List<String>> lists = new TreeMap<>();
    try (ResultSet r = c.createStatement().executeQuery(
        "SELECT u.name, f.name FROM friend_list f JOIN users u ON u.id = f.me ORDER BY u.name, f.part, f.seq")) {
      while (r.next()) {
        lists.computeIfAbsent(r.getString(1), k -> new java.util.ArrayList<>()).add(r.getString(2));
      }
    }
    List<String> out = new java.util.ArrayList<>();
    lists.forEach((user, friends) -> out.add(user + ": " + String.join(", ", friends)));
    return out;
  }

  private static List<String> postCounts(Connection c) throws Exception {
    List<String> counts = new java.util.ArrayList<>();
    try (ResultSet r = c.createStatement().executeQuery(
        "SELECT u.name, pc.posts FROM post_counts pc JOIN users u ON u.id = pc.author ORDER BY u.name")) {
      while (r.next()) {
        counts.add(r.getString(1) + "=" + r.getInt(2));
      }
    }
    return counts;
  }

  @Test
  void onOtherDatabasesTheHsqldbOnlyVersionRunsNothing() {
    boolean someHsqldbOnly = false;
    for (Schema.Migration m : Schema.MIGRATIONS) {
      List<String> elsewhere = Schema.statements(m, false);
      if (elsewhere.isEmpty()) {
        someHsqldbOnly = true;
      }
      assertEquals(m.onHsqldb(), Schema.statements(m, true));
      elsewhere.forEach(sql -> assertFalse(sql.startsWith("SET "), "HSQLDB-only statement for every database: " + sql));
    }
    assertTrue(someHsqldbOnly);
  }
}
