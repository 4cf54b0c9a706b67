package chat.store;

import chat.config.ChatConfig;
import chat.support.TestServers;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoreServerTest {
  @TempDir
  Path data;
  private StoreServer store;

  @AfterEach
  void stop() {
    if (store != null) {
      store.stop();
    }
  }

  /**
   * HSQLDB's server sleeps 100 ms by default before it first looks at a new connection's
   * bytes, so with that default no connection is ever made in less than 100 ms: the fastest of
   * several, after one that warms both sides up, shows whether the wait is still there.
   */
  @Test
  void aNewConnectionIsAnsweredWithoutHsqldbsTenthOfASecondWait() throws Exception {
    ChatConfig config = TestServers.config(data, Map.of()).withFreePorts();
    int port = config.store().getInteger("port");
    store = new StoreServer();
    store.start("127.0.0.1", port, config.databasePath(), 0);
    String url = "jdbc:hsqldb:hsql://127.0.0.1:" + port + "/chat";
    long fastest = Long.MAX_VALUE;
    for (int i = 0; i < 6; i++) {
      long start = System.nanoTime();
      try (Connection c = DriverManager.getConnection(url, "SA", "");
           Statement s = c.createStatement();
           ResultSet r = s.executeQuery("VALUES 1")) {
        assertTrue(r.next());
        assertEquals(1, r.getInt(1), "the store answers on the new connection");
      }
      if (i > 0) {
        fastest = Math.min(fastest, (System.nanoTime() - start) / 1_000_000);
      }
    }
    assertTrue(fastest < 100, "the fastest of five connections took " + fastest + " ms");
  }
}
