package chat.fleet;

import chat.support.Wire;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Application "machines" of the EC2 tests: each boots from the user data RunInstances carried,
 * run by bash as cloud-init would, in a directory of its own, with a stand-in for the image's
 * java that runs chat.Main from the test classpath on loopback.
 */
final class BootedMachines implements AutoCloseable {
  private final Path root;
  private final Map<String, Process> machines = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();

  BootedMachines(Path root) {
    this.root = root;
  }

  /**
   * Writes the image's java into {@code bin}: it drops {@code -jar PATH}, listens on loopback
   * (the user data asks for every interface, right on a real machine) and runs the test
   * classpath. {@code prelude} lines run first (a test may record the arguments).
   */
  static Path standInJava(Path bin, String... prelude) throws IOException {
    List<String> lines = new ArrayList<>(List.of("#!/bin/bash", "set -euo pipefail"));
    lines.addAll(List.of(prelude));
    lines.addAll(List.of(
        "args=()",
        "while [ $# -gt 0 ]; do",
        "  case \"$1\" in",
        "    -jar) shift 2 ;;",
        "    --host) args+=(--host 127.0.0.1); shift 2 ;;",
        "    *) args+=(\"$1\"); shift ;;",
        "  esac",
        "done",
        "exec \"$STAND_IN_JAVA\" -Xmx384m -XX:+UseSerialGC -Xss512k -XX:TieredStopAtLevel=1 \\",
        "  -cp \"$STAND_IN_CLASSPATH\" chat.Main \"${args[@]}\"",
        ""));
    Files.createDirectories(bin);
    return executable(bin.resolve("java"), String.join("\n", lines));
  }

  /**
   * Boots machine {@code id} from {@code userData} with the image's {@code jar} and the java of
   * {@code bin}; {@code environment} adds what the image and the instance profile provide. A
   * machine that cannot boot is noted in {@link #failures}.
   */
  void boot(String id, String userData, Path jar, Path bin, Consumer<Map<String, String>> environment) {
    try {
      Path dir = Files.createDirectories(dir(id));
      Path script = Files.writeString(dir.resolve("user-data.sh"), userData, StandardCharsets.UTF_8);
      ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(dir.toFile())
          .redirectErrorStream(true).redirectOutput(dir.resolve("boot.log").toFile());
      Map<String, String> env = pb.environment();
      environment.accept(env);
      // the instance's health listener: the script's default (APP_PORT + 1) may be taken on this machine
      env.putIfAbsent("CHAT_ADMIN_PORT", Integer.toString(freePort()));
      env.put("CHAT_ADVERTISE_HOST", "127.0.0.1");
      env.put("CHAT_JAR", jar.toString());
      env.put("PATH", bin + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
      env.put("STAND_IN_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
      env.put("STAND_IN_CLASSPATH", System.getProperty("java.class.path"));
      machines.put(id, pb.start());
    } catch (IOException | RuntimeException e) {
      failures.add(id + ": " + e);
    }
  }

  Path dir(String id) {
    return root.resolve("machines").resolve(id);
  }

  String bootLog(String id) {
    try {
      return Files.readString(dir(id).resolve("boot.log"));
    } catch (IOException e) {
      return "(no boot log: " + e + ")";
    }
  }

  /** Machines by id, as booted. */
  Map<String, Process> all() {
    return machines;
  }

  List<String> failures() {
    return failures;
  }

  /** Powers a machine off: its process and every process it started. */
  static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    machines.values().forEach(BootedMachines::kill);
  }

  static Path executable(Path path, String content) throws IOException {
    Files.writeString(path, content);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    return path;
  }

  /** Like {@link Wire#reference} with a longer read timeout: the first login waits for a machine to boot. */
  static JsonObject request(int port, String text, int timeoutMillis) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      s.setSoTimeout(timeoutMillis);
      s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      return new JsonObject(Wire.readAll(s.getInputStream()));
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
