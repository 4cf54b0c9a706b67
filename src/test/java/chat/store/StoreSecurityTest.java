package chat.store;

import chat.support.RunningService;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The served store, tried as a stranger and as a compromised application instance would. */
class StoreSecurityTest {
  @TempDir
  Path data;
  @AutoClose
  private RunningService service;

  private String served() {
    return "jdbc:hsqldb:hsql://127.0.0.1:" + service.config().store().getInteger("port") + "/chat";
  }

  @Test
  void administratorWithoutPasswordIsRefused() throws Exception {
    service = RunningService.start(data);
    assertThrows(SQLException.class, () -> DriverManager.getConnection(served(), "SA", "").close());
    assertThrows(SQLException.class, () -> DriverManager.getConnection(served(), "chat_app", "").close());
    try (Connection c = DriverManager.getConnection(served(), "SA", service.secret("store-admin"))) {
      assertTrue(c.isValid(5), "the administrator's generated password works");
    }
  }

  @Test
  void applicationUserMayNotScriptShutdownChangeTheSchemaOrAccounts() throws Exception {
    service = RunningService.start(data);
    service.ask("register alice pw");
    try (Connection c = DriverManager.getConnection(served(), "chat_app", service.secret("store-app"));
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
      assertThrows(SQLException.class, () -> s.execute("UPDATE friend_list SET name = 'x'"), "friends' names");
      assertThrows(SQLException.class, () -> s.execute("DELETE FROM friend_list"), "friend lists");
      assertThrows(SQLException.class, () -> s.execute("SHUTDOWN"), "SHUTDOWN");
    }
    assertEquals("Success!", service.message("login alice pw"),
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
    service = RunningService.start(data);
    assertThrows(SQLException.class, () -> DriverManager.getConnection(served(), "SA", "").close());
  }

  @Test
  void secretsAndDataAreTheOwnersAlone() throws Exception {
    service = RunningService.start(data);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("secrets"))));
    for (String name : new String[] {"store-admin", "store-app", "broker-login", "broker-app", "fleet-key"}) {
      assertEquals("rw-------", PosixFilePermissions.toString(
          Files.getPosixFilePermissions(data.resolve("secrets").resolve(name))), name);
      assertTrue(service.secret(name).length() >= 64, name + " has 256 bits");
    }
  }
}
