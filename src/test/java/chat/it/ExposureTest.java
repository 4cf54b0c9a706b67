package chat.it;

import chat.config.ChatConfig;
import chat.support.RunningService;
import chat.support.TestServers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What listens where: only the client port beyond loopback by default, and nothing silently missing. */
class ExposureTest {
  @TempDir
  Path data;

  /** The service with its client port open to the network, so what stays on loopback shows. */
  private RunningService start(Map<String, String> settings) throws Exception {
    ChatConfig config = TestServers.config(data, settings);
    config.json().put("host", "0.0.0.0");
    return RunningService.start(config);
  }

  private static int free() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Listening TCP sockets of this machine, port to local address, as the kernel lists them. */
  private static Map<Integer, String> listening() throws Exception {
    Map<Integer, String> found = new HashMap<>();
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      // read once: the table changes between two reads on a busy machine
      List<String> lines = Files.readAllLines(Path.of(table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        if (f[3].equals("0A")) {
          String[] local = f[1].split(":");
          found.merge(Integer.parseInt(local[1], 16), local[0], (a, b) -> a + "," + b);
        }
      }
    }
    return found;
  }

  private static boolean loopbackOnly(String addresses) {
    for (String a : addresses.split(",")) {
      boolean v4 = a.equals("0100007F");
      boolean v6 = a.equals("00000000000000000000000001000000") || a.equals("0000000000000000FFFF00000100007F");
      if (!v4 && !v6) {
        return false;
      }
    }
    return true;
  }

  @Test
  void onlyTheClientPortListensBeyondLoopback() throws Exception {
    int admin = free();
    try (RunningService service = start(Map.of("admin.port", String.valueOf(admin)))) {
      Map<Integer, String> sockets = listening();
      assertTrue(!loopbackOnly(sockets.get(service.loginPort())), "the client port is open to the network");
      Map<String, Integer> internal = Map.of(
          "store", service.config().store().getInteger("port"),
          "amqp", service.config().broker().getInteger("amqpPort"),
          "stomp", service.config().broker().getInteger("stompPort"),
          "admin", admin);
      internal.forEach((name, port) -> assertTrue(loopbackOnly(sockets.get(port)),
          name + " listens on " + sockets.get(port)));
    }
  }

  @Test
  void aListenerThatCannotBindStopsTheStart() throws Exception {
    for (String key : List.of("broker.stompPort", "broker.amqpPort", "store.port")) {
      try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        Exception e = assertThrows(Exception.class,
            () -> start(Map.of(key, String.valueOf(taken.getLocalPort()))).close(), key);
        assertTrue(String.valueOf(e.getMessage()).contains(String.valueOf(taken.getLocalPort())), e.getMessage());
      }
    }
  }

  @Test
  void adminEndpointBoundWiderWantsTheBearerToken() throws Exception {
    int admin = free();
    try (RunningService service = start(Map.of("admin.port", String.valueOf(admin), "admin.host", "0.0.0.0"))) {
      String token = service.secret("admin-token");
      HttpClient http = HttpClient.newHttpClient();
      URI fleet = URI.create("http://127.0.0.1:" + admin + "/fleet");
      assertEquals(401, http.send(HttpRequest.newBuilder(fleet).build(), HttpResponse.BodyHandlers.ofString())
          .statusCode());
      assertEquals(401, http.send(HttpRequest.newBuilder(fleet).header("Authorization", "Bearer wrong").build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(200, http.send(HttpRequest.newBuilder(fleet).header("Authorization", "Bearer " + token).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode());
    }
  }
}
