package chat.fleet;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Application instances as child processes of the same jar on free loopback ports. Each
 * child's pid is kept in a file under the data directory, so the next start of the login role
 * finds the orphans of a crash; a clean stop of the login role stops every child.
 */
public final class LocalProcessInstanceProvider implements InstanceProvider {
  private static final Logger LOG = LoggerFactory.getLogger(LocalProcessInstanceProvider.class);

  private final Vertx vertx;
  private final Path dir;
  private final String host;
  private final List<String> jvmOptions;
  /** Asked of this JVM once: the same for every instance it starts. */
  private final List<String> nativeHeapOptions;
  private final Map<String, Process> children = new ConcurrentHashMap<>();

  /**
   * Each child gets its spec's secrets in its environment rather than on a command line that
   * every user of the machine can read.
   */
  public LocalProcessInstanceProvider(Vertx vertx, Path dataDir, String host, List<String> jvmOptions) {
    this.vertx = vertx;
    this.dir = dataDir.toAbsolutePath().resolve("instances");
    this.host = host;
    this.jvmOptions = jvmOptions;
    this.nativeHeapOptions = nativeHeapOptions(jvmOptions, LocalProcessInstanceProvider::jvmHasOption);
  }

  @Override
  public String name() {
    return "local";
  }

  @Override
  public Future<String> start(InstanceSpec spec) {
    return vertx.executeBlocking(() -> {
      Files.createDirectories(dir);
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      String classPath = System.getProperty("java.class.path");
      cmd.addAll(classDataOptions(classPath, jvmOptions));
      cmd.addAll(nativeHeapOptions);
      cmd.addAll(jvmOptions);
      cmd.add("-cp");
      cmd.add(classPath);
      cmd.add("chat.Main");
      cmd.addAll(List.of("--role=app", "--instance-id=" + spec.instanceId(), "--broker-url=" + spec.brokerUrl(),
          "--store-url=" + spec.storeUrl(), "--capacity=" + spec.capacity(), "--host", host, "--port", "0",
          "--advertise-host", host, "--data-dir", dir.resolve(spec.instanceId()).toString()));
      // paths only: the key itself never appears where other users of the machine can read it
      cmd.addAll(spec.tls().flags());
      File log = dir.resolve(spec.instanceId() + ".log").toFile();
      ProcessBuilder builder = new ProcessBuilder(cmd);
      // a child's settings and secrets are the spec's alone: none of this process's CHAT_*
      // variables (its own passwords, its token key, the parameter it read) reach it
      builder.environment().keySet().removeIf(name -> name.startsWith("CHAT_"));
      builder.environment().putAll(spec.secrets());
      // glibc's malloc keeps an arena per thread (up to eight per core); an instance's few
      // threads allocate little natively, and two arenas keep its resident size down
      builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "2");
      Process p = builder
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log))
          .redirectInput(ProcessBuilder.Redirect.PIPE)
          .start();
      String ref = Long.toString(p.pid());
      children.put(ref, p);
      keep(spec.instanceId(), p.toHandle());
      LOG.debug("started {} as pid {}, log {}", spec.instanceId(), ref, log);
      return ref;
    }, false);
  }

  @Override
  public Future<Void> stop(String ref) {
    return vertx.executeBlocking(() -> {
      stopNow(ref);
      return null;
    }, false);
  }

  private void stopNow(String ref) throws IOException {
    Optional<ProcessHandle> handle = ProcessHandle.of(Long.parseLong(ref));
    if (handle.isPresent() && handle.get().isAlive()) {
      handle.get().destroy();
      try {
        handle.get().onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        handle.get().destroyForcibly();
      }
    }
    children.remove(ref);
    List<Path> pidFiles;
    try (var files = Files.list(dir)) {
      pidFiles = files.filter(f -> f.toString().endsWith(".pid")).toList();
    } catch (java.nio.file.NoSuchFileException e) {
      return; // nothing was ever started here
    }
    for (Path f : pidFiles) {
      try {
        if (Files.readString(f).trim().split(" ")[0].equals(ref)) {
          Files.deleteIfExists(f);
        }
      } catch (java.nio.file.NoSuchFileException gone) {
        // another instance's file, removed by its own stop meanwhile: stops run side by side
      }
    }
  }

  @Override
  public Future<List<Leftover>> leftovers() {
    return vertx.executeBlocking(() -> {
      List<Leftover> found = new ArrayList<>();
      if (!Files.isDirectory(dir)) {
        return found;
      }
      try (var files = Files.list(dir)) {
        for (Path f : files.filter(p -> p.toString().endsWith(".pid")).toList()) {
          String id = f.getFileName().toString().replace(".pid", "");
          String[] saved = Files.readString(f).trim().split(" ");
          String ref = saved[0];
          boolean ours = saved.length == 2 && ProcessHandle.of(Long.parseLong(ref))
              .filter(ProcessHandle::isAlive)
              .map(h -> startOf(h).equals(saved[1]))
              .orElse(false);
          if (ours) {
            found.add(new Leftover(ref, id));
          } else {
            Files.deleteIfExists(f);
          }
        }
      }
      return found;
    }, false);
  }

  /**
   * Looks for the instance among this user's processes, by the fleet id on its command line
   * (another login server started it as its child), and keeps its pid file as for one started
   * here, so that this provider stops it with the rest.
   */
  @Override
  public Future<String> locate(String instanceId) {
    return vertx.executeBlocking(() -> {
      Optional<String> user = ProcessHandle.current().info().user();
      Optional<ProcessHandle> found = ProcessHandle.allProcesses()
          .filter(h -> user.isPresent() && h.info().user().equals(user))
          .filter(h -> runs(commandLine(h), instanceId))
          .findFirst();
      if (found.isEmpty()) {
        return null;
      }
      Files.createDirectories(dir);
      keep(instanceId, found.get());
      LOG.info("found instance {} as pid {}", instanceId, found.get().pid());
      return Long.toString(found.get().pid());
    }, false);
  }

  /** Whether a process with this command line (the executable first) is application instance {@code instanceId}. */
  static boolean runs(List<String> commandLine, String instanceId) {
    return !commandLine.isEmpty() && !commandLine.get(0).isEmpty()
        && Path.of(commandLine.get(0)).getFileName().toString().equals("java")
        && commandLine.contains("--role=app") && commandLine.contains("--instance-id=" + instanceId);
  }

  /**
   * A process's whole command line: from {@code /proc} where there is one, since the JDK's
   * {@link ProcessHandle.Info} gives no arguments at all for a command line longer than a page
   * (a long class path); else what that gives. Empty when neither can be read.
   */
  private static List<String> commandLine(ProcessHandle h) {
    try {
      String raw = Files.readString(Path.of("/proc", Long.toString(h.pid()), "cmdline"), StandardCharsets.UTF_8);
      return List.of(raw.split("\0"));
    } catch (IOException | RuntimeException e) {
      List<String> line = new ArrayList<>();
      h.info().command().ifPresent(line::add);
      h.info().arguments().ifPresent(a -> line.addAll(List.of(a)));
      return line;
    }
  }

  /** Stops every instance of this data directory: those this run started and those it adopted. */
  @Override
  public Future<Void> close() {
    return leftovers().compose(adopted -> vertx.executeBlocking(() -> {
      List<String> refs = new ArrayList<>(children.keySet());
      adopted.forEach(l -> {
        if (!refs.contains(l.providerRef())) {
          refs.add(l.providerRef());
        }
      });
      for (String ref : refs) {
        stopNow(ref);
      }
      return null;
    }, false));
  }

  /**
   * The class-data sharing archive of application instances, {@code chat-app.jsa} beside the
   * jar ({@link #ARCHIVE_SUFFIX}), made by the build's training run: the JVM maps the classes an
   * instance needs instead of loading and verifying them. Only when this process runs from one
   * jar, the archive is at least as new as that jar, and the options name no archive of their
   * own. {@code -Xshare:auto}: a JVM that finds the archive unusable starts without it.
   */
  static List<String> classDataOptions(String classPath, List<String> jvmOptions) {
    if (jvmOptions.stream().anyMatch(o -> o.startsWith("-XX:SharedArchiveFile") || o.startsWith("-XX:ArchiveClassesAtExit")
        || o.startsWith("-Xshare"))) {
      return List.of();
    }
    if (classPath == null || !classPath.endsWith(".jar") || classPath.contains(File.pathSeparator)) {
      return List.of();
    }
    File jar = new File(classPath);
    File archive = new File(classPath.substring(0, classPath.length() - ".jar".length()) + ARCHIVE_SUFFIX);
    if (!jar.isFile() || !archive.isFile() || archive.lastModified() < jar.lastModified()) {
      return List.of();
    }
    return List.of("-XX:SharedArchiveFile=" + archive.getAbsolutePath(), "-Xshare:auto");
  }

  /**
   * Native memory an instance freed (the JIT's arenas above all: 20-30 MiB after a minute of the
   * optimising compiler under load, when the options let it run) is kept by glibc: on a JVM that
   * can (17.0.9 and later), it is given back every {@link #TRIM_NATIVE_HEAP_MILLIS} ms. Not when
   * the options set the interval themselves.
   */
  static List<String> nativeHeapOptions(List<String> jvmOptions, java.util.function.Predicate<String> jvmHas) {
    if (jvmOptions.stream().anyMatch(o -> o.startsWith("-XX:TrimNativeHeapInterval")) || !jvmHas.test(TRIM_OPTION)) {
      return List.of();
    }
    return List.of("-XX:+UnlockExperimentalVMOptions", "-XX:" + TRIM_OPTION + "=" + TRIM_NATIVE_HEAP_MILLIS);
  }

  static final String TRIM_OPTION = "TrimNativeHeapInterval";
  static final int TRIM_NATIVE_HEAP_MILLIS = 5_000;

  /** Whether this JVM, whose {@code java} starts the instances, knows a {@code -XX} option. */
  static boolean jvmHasOption(String name) {
    try {
      java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
          .getVMOption(name);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** What the instances' archive is called beside {@code NAME.jar}: {@code NAME-app.jsa}. */
  static final String ARCHIVE_SUFFIX = "-app.jsa";

  private static String startOf(ProcessHandle h) {
    return h.info().startInstant().map(i -> Long.toString(i.toEpochMilli())).orElse("unknown");
  }

  /** The pid file of an instance of this provider's: its process and, against a recycled pid, its start time. */
  private void keep(String instanceId, ProcessHandle process) throws IOException {
    Files.writeString(pidFile(instanceId), process.pid() + " " + startOf(process));
  }

  private Path pidFile(String instanceId) {
    return dir.resolve(instanceId + ".pid");
  }
}
