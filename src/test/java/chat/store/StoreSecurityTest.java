package chat.store;

import chat.ChatServer;
import chat.config.ChatConfig;
import chat.support.TestServers;
import chat.support.Wire;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The served store, tried as a stranger and as a compromised application instance would. */
class StoreSecurityTest {
  @TempDir
  Path data;
  private final Vertx vertx = Vertx.vertx();
  private ChatServer server;
  private ChatConfig config;

  private void start() throws Exception {
    config = TestServers.config(data, Map.of());
    server = ChatServer.start(vertx, config, ChatServer.Role.ALL).await(60, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close().await(30, TimeUnit.SECONDS);
    }
    vertx.close().await(30, TimeUnit.SECONDS);
  }

  private String served() {
    return "jdbc:hsqldb:hsql://127.0.0.1:" + config.store().getInteger("port") + "/chat";
  }

  private String secret(String name) throws Exception {
    return Files.readString(data.resolve("secrets").resolve(name)).trim();
  }

  @Test
  void administratorWithoutPasswordIsRefused() throws Exception {
    start();
    assertThrows(SQLException.class, () -> DriverManager.getConnection(served(), "SA", "").close());
    assertThrows(SQLException.class, () -> DriverManager.getConnection(served(), "chat_app", "").close());
    try (Connection c = DriverManager.getConnection(served(), "SA", secret("store-admin"))) {
      assertTrue(c.isValid(5), "the administrator's generated password works");
    }
  }

  @Test
  void applicationUserMayNotScriptShutdownChangeTheSchemaOrAccounts() throws Exception {
    start();
    Wire.reference(server.loginPort(), "register alice pw");
    try (Connection c = DriverManager.getConnection(served(), "chat_app", secret("store-app"));
         Statement s = c.createStatement()) {
      try (var rs = s.executeQuery("SELECT COUNT(*) FROM users")) {
        rs.next();
        assertEquals(1, rs.getInt(1), "it reads what it serves");
      }
      Path dump = data.resolve("dump.sql");
      assertThrows(SQLException.class, () -> s.execute("SCRIPT '" + dump + "'"), "SCRIPT");
      assertTrue(Files.notExists(dump));
      assertThrows(SQLException.class, () -> s.execute("CREATE TABLE loot (x INT)"), "DDL");
      assertThrows(SQLException.class, () -> s.execute("DROP TABLE posts"), "DDL");
      assertThrows(SQLException.class, () -> s.execute("UPDATE users SET password_hash = 'x'"), "accounts");
      assertThrows(SQLException.class, () -> s.execute("DELETE FROM instances"), "fleet registry");
      assertThrows(SQLException.class, () -> s.execute("SHUTDOWN"), "SHUTDOWN");
    }
    assertEquals("Success!", Wire.reference(server.loginPort(), "login alice pw").getString("message"),
        "the service still answers");
  }

  @Test
  void databaseFromBeforePasswordsGetsOneAtStart() throws Exception {
    Path db = data.toAbsolutePath().resolve("db").resolve("chat");
    try (Connection c = DriverManager.getConnection("jdbc:hsqldb:file:" + db, "SA", "");
         Statement s = c.createStatement()) {
      s.execute("CREATE TABLE leftover (x INT)");
      s.execute("SHUTDOWN");
    }
    start();
    assertThrows(SQLException.class, () -> DriverManager.getConnection(served(), "SA", "").close());
  }

  @Test
  void secretsAndDataAreTheOwnersAlone() throws Exception {
    start();
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secrets"))));
    for (String name : new String[] {"store-admin", "store-app", "broker-login", "broker-app", "fleet-key"}) {
      assertEquals("rw-------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(data.resolve("secrets").resolve(name))), name);
      assertTrue(secret(name).length() >= 64, name + " has 256 bits");
    }
  }
}
