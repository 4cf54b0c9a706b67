package chat.client;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The login role as a real process, killed with SIGKILL and started again on the same data:
 * the application instance it had started keeps running, registers again, keeps its users,
 * and a client that was talking through it goes on as if nothing happened; stopped with
 * SIGTERM, it stops its instance and leaves nothing wrong in its log.
 */
class LoginRestartTest {
  @TempDir
  Path data;
  private Process login;

  @AfterEach
  void tearDown() throws Exception {
    if (login != null && login.isAlive()) {
      login.destroy(); // SIGTERM: a clean stop stops the instances too
      assertTrue(login.waitFor(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void aKilledLoginRoleComesBackWithItsInstancesAndTheirUsers() throws Exception {
    int port = free();
    List<String> args = List.of("--host", "127.0.0.1", "--port", String.valueOf(port), "--data-dir", data.toString(),
        "--set", "broker.amqpPort=" + free(), "--set", "broker.stompPort=" + free(), "--set", "store.port=" + free(),
        "--set", "passwords.memoryKiB=1024", "--set", "passwords.iterations=1");
    login = startLogin(args, port);

    ClientHarness client = new ClientHarness(port);
    client.type("register ann pa", "register bob pb", "login ann pa", "login bob pb", "invite ann bob",
        "accept-invite bob ann", "post ann before the crash");
    client.awaitLines(7, 60_000);
    List<Long> instancesBefore = instancePids();
    assertEquals(1, instancesBefore.size());

    login.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    assertTrue(ProcessHandle.of(instancesBefore.get(0)).map(ProcessHandle::isAlive).orElse(false),
        "the instance outlives a crash of the login role");
    login = startLogin(args, port);

    client.type("receive-post bob", "send ann bob after the restart", "list-friend ann");
    assertEquals(List.of("Success!", "Success!", "Success!", "Success!", "Success!", "Success!", "Success!",
            "ann: before the crash", "Success!", "<<<ann->bob: after the restart>>>", "bob"),
        client.exit(90_000));
    assertEquals(instancesBefore, instancePids(), "the same instance still serves them");
    String log = Files.readString(data.resolve("login.log"));
    assertFalse(log.contains("event=lost"), "the instance was never lost");
    assertFalse(log.contains("event=started instance") && log.lastIndexOf("event=started instance") > log.indexOf("restored"),
        "no new instance was needed");
  }

  @Test
  void aLoginRoleStoppedWithSigtermStopsItsInstanceAndIsRefusedNothingOnTheWay() throws Exception {
    int port = free();
    login = startLogin(List.of("--host", "127.0.0.1", "--port", String.valueOf(port), "--data-dir", data.toString(),
        "--set", "broker.amqpPort=0", "--set", "broker.stompPort=0", "--set", "store.port=0",
        "--set", "passwords.memoryKiB=1024", "--set", "passwords.iterations=1"), port);
    ClientHarness client = new ClientHarness(port);
    client.type("register cid pc", "login cid pc");
    client.awaitLines(2, 60_000);
    List<Long> instances = instancePids();
    assertEquals(1, instances.size());
    assertEquals(List.of("Success!", "Success!"), client.exit(30_000));

    login.destroy();
    assertTrue(login.waitFor(60, TimeUnit.SECONDS));
    assertFalse(ProcessHandle.of(instances.get(0)).map(ProcessHandle::isAlive).orElse(false), "the instance stopped too");
    String log = Files.readString(data.resolve("login.log"));
    assertTrue(log.contains("Main - stopping"), log);
    assertFalse(log.contains("refused"), log);
    assertFalse(log.contains("Exception"), log);
    assertFalse(log.contains("MeterRegistry"), "no metrics warning after two connections: " + log);
    assertFalse(log.contains("connection lost"), "the broker stops after the links to it: " + log);
  }

  private Process startLogin(List<String> args, int port) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), "chat.Main"));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("login.log").toFile())).start();
    long deadline = System.currentTimeMillis() + 90_000;
    while (System.currentTimeMillis() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return p;
      } catch (IOException e) {
        assertTrue(p.isAlive(), "login role exited: " + Files.readString(data.resolve("login.log")));
        Thread.sleep(200);
      }
    }
    throw new AssertionError("login role did not listen in time");
  }

  private List<Long> instancePids() throws IOException {
    List<Long> pids = new ArrayList<>();
    try (var files = Files.list(data.resolve("instances"))) {
      for (Path f : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
        pids.add(Long.parseLong(Files.readString(f).trim().split(" ")[0]));
      }
    }
    return pids;
  }

  private static int free() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }


}
