package chat.support;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A process that does nothing until its standard input closes or it is stopped: started with an
 * application instance's arguments, it stands for an instance that another process started.
 */
public final class IdleProcess {
  private IdleProcess() { }

  public static void main(String[] args) throws IOException {
    while (System.in.read() >= 0) {
      // waits
    }
  }

  /** A JVM running this class with {@code args}, on this JVM's class path. */
  public static Process start(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx16m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), IdleProcess.class.getName()));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }
}
