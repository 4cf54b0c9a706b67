package chat.client;

import chat.support.RunningService;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A client given several login servers asks the next when one does not answer. */
class SeveralLoginServersTest {
  @TempDir
  Path data;
  @AutoClose
  private RunningService service;

  @Test
  void aListNamesEachServerInTurn() {
    LoginServers servers = LoginServers.parse("127.0.0.1:7001,127.0.0.2:7002,[::1]:7003", null);
    assertEquals(3, servers.size());
    assertEquals(7001, servers.current().getPort());
    assertEquals(false, servers.next());
    assertEquals("127.0.0.2", servers.current().getHostString());
    servers.next();
    assertEquals(7003, servers.current().getPort());
    assertEquals(true, servers.next(), "a whole round");
    assertEquals(7001, servers.current().getPort());
  }

  @Test
  void hostAndPortAsEverIsOneServer() {
    LoginServers servers = LoginServers.parse("127.0.0.1", 8888);
    assertEquals(1, servers.size());
    assertEquals(8888, servers.current().getPort());
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "127.0.0.1:", ":8888", "127.0.0.1:http", "127.0.0.1:0", "127.0.0.1:70000",
      "127.0.0.1:8888,nothing"})
  void aMalformedListIsRefusedClearly(String given) {
    assertThrows(IllegalArgumentException.class, () -> LoginServers.parse(given, null));
  }

  @Test
  void aClientMovesToTheNextLoginServerWhenOneDoesNotAnswer() throws Exception {
    service = RunningService.start(data);
    int silent;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      silent = s.getLocalPort();
    }
    ClientHarness client = new ClientHarness("127.0.0.1:" + silent + ",127.0.0.1:" + service.loginPort());
    client.type("register ana pw", "login ana pw", "post ana hello", "receive-post ana", "logout ana");
    client.awaitLines(5, 30_000);
    assertEquals(List.of("Success!", "Success!", "Success!", "No posts", "Bye!"), client.exit(10_000));
  }
}
