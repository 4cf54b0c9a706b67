package chat.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prepared statements are kept per pooled connection instead of compiled at every execution. */
class StatementCacheTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private static String memUrl() {
    return "jdbc:hsqldb:mem:stmt" + UUID.randomUUID().toString().replace("-", "");
  }

  @Test
  void theSameStatementThroughDbIsPreparedOncePerConnection() throws Exception {
    Db db = Db.open(vertx, new StoreOptions(memUrl(), "SA", "", 1));
    try {
      db.tx(c -> c.update("CREATE TABLE t (id INT PRIMARY KEY)") + c.update("INSERT INTO t VALUES (1), (2), (3)"))
          .await(10, TimeUnit.SECONDS);
      String sql = "SELECT COUNT(*) FROM t WHERE id > ?";
      long before = StatementCache.PREPARED.sum();
      for (int i = 0; i < 4; i++) {
        int above = i;
        Row row = db.tx(c -> c.row(sql, above)).await(10, TimeUnit.SECONDS);
        assertEquals(3 - i, row.getLong(0));
      }
      // twice in one transaction
      Row second = db.tx(c -> {
        c.row(sql, 0);
        return c.row(sql, 2);
      }).await(10, TimeUnit.SECONDS);
      assertEquals(1, second.getLong(0));
      assertEquals(1, StatementCache.PREPARED.sum() - before, "prepared once on the one connection");
    } finally {
      db.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aFailedStatementIsNotReusedAndCloseClearsParameters() throws Exception {
    try (Connection raw = DriverManager.getConnection(memUrl(), "SA", "")) {
      raw.createStatement().execute("CREATE TABLE t (id INT PRIMARY KEY)");
      Connection c = StatementCache.wrap(raw, 2);
      String insert = "INSERT INTO t VALUES (?)";
      PreparedStatement first = c.prepareStatement(insert);
      first.setInt(1, 1);
      assertEquals(1, first.executeUpdate());
      PreparedStatement real = first.unwrap(PreparedStatement.class);
      first.close();
      assertTrue(first.isClosed());

      PreparedStatement again = c.prepareStatement(insert);
      assertSame(real, again.unwrap(PreparedStatement.class), "reused");
      assertThrows(SQLException.class, again::executeUpdate, "parameters were cleared at close");
      again.close();
      assertTrue(real.isClosed(), "a statement that failed is closed for real");

      PreparedStatement fresh = c.prepareStatement(insert);
      assertNotSame(real, fresh.unwrap(PreparedStatement.class));
      // the same text while the first is still open: a separate, uncached statement
      PreparedStatement twin = c.prepareStatement(insert);
      assertNotSame(fresh.unwrap(PreparedStatement.class), twin.unwrap(PreparedStatement.class));
      twin.close();
      fresh.setInt(1, 2);
      assertEquals(1, fresh.executeUpdate());
      fresh.close();

      // bounded: a third text pushes out the least recently used
      PreparedStatement used = c.prepareStatement(insert);
      PreparedStatement kept = used.unwrap(PreparedStatement.class);
      used.close();
      c.prepareStatement("SELECT id FROM t WHERE id = ?").close();
      PreparedStatement other = c.prepareStatement("SELECT COUNT(*) FROM t WHERE id < ?");
      other.setInt(1, 10);
      try (ResultSet r = other.executeQuery()) {
        r.next();
        assertEquals(2, r.getInt(1));
      }
      other.close();
      assertTrue(kept.isClosed(), "evicted");
      PreparedStatement last = c.prepareStatement("SELECT COUNT(*) FROM t WHERE id < ?").unwrap(PreparedStatement.class);
      c.close();
      assertTrue(last.isClosed(), "closed with the connection");
      assertTrue(raw.isClosed());
    }
  }
}
