package chat.fleet;

import chat.support.IdleProcess;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Finding an instance another login server started, among this user's real processes: by the
 * fleet id on its command line, and stopped from then on with this provider's own.
 */
class LocalProcessInstanceProviderTest {
  @TempDir
  Path data;
  private final Vertx vertx = Vertx.vertx();
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws Exception {
    for (Process p : started) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private Process instance(String... args) throws Exception {
    Process p = IdleProcess.start(args);
    started.add(p);
    return p;
  }

  @Test
  void anInstanceAnotherServerStartedIsFoundByItsIdAndStoppedWithThisProvidersOwn() throws Exception {
    Process other = instance("--role=app", "--instance-id=app-t1x");
    Process wanted = instance("--role=app", "--instance-id=app-t1");
    LocalProcessInstanceProvider provider = new LocalProcessInstanceProvider(vertx, data, "127.0.0.1", List.of());

    String ref = provider.locate("app-t1").await(20, TimeUnit.SECONDS);

    assertEquals(Long.toString(wanted.pid()), ref, "by its whole id, not by a prefix of another's");
    assertEquals(List.of(new InstanceProvider.Leftover(ref, "app-t1")),
        provider.leftovers().await(20, TimeUnit.SECONDS), "kept as if started here: the next start finds it too");
    assertNull(provider.locate("app-none").await(20, TimeUnit.SECONDS));
    provider.close().await(30, TimeUnit.SECONDS);
    // ended already: this JVM, its parent, has only to take note of it
    assertTrue(wanted.waitFor(10, TimeUnit.SECONDS), "a clean stop of the login role stops what it found");
    assertFalse(Files.exists(data.resolve("instances").resolve("app-t1.pid")));
    assertTrue(other.isAlive(), "and nothing else");
  }

  @ParameterizedTest(name = "{0} {1} for {2}: {3}")
  @CsvSource(delimiter = '|', value = {
      "/usr/lib/jvm/17/bin/java | -cp chat.jar chat.Main --role=app --instance-id=app-a | app-a | true",
      "java                     | --role=app --instance-id=app-a                         | app-a | true",
      "/usr/lib/jvm/17/bin/java | -cp chat.jar chat.Main --role=app --instance-id=app-ab | app-a | false",
      "/usr/lib/jvm/17/bin/java | -cp chat.jar chat.Main --role=login --instance-id=app-a | app-a | false",
      "/usr/lib/jvm/17/bin/java | -cp chat.jar chat.Main --instance-id=app-a             | app-a | false",
      "/bin/bash                | -c x --role=app --instance-id=app-a                    | app-a | false",
      "/usr/bin/pkill           | -f --role=app --instance-id=app-a                      | app-a | false",
      "''                       | --role=app --instance-id=app-a                         | app-a | false",
  })
  void onlyAJavaProcessWithTheAppRoleAndTheWholeIdIsTheInstance(String command, String arguments, String id,
                                                                 boolean runs) {
    List<String> line = new ArrayList<>(List.of(command));
    line.addAll(List.of(arguments.split(" ")));
    assertEquals(runs, LocalProcessInstanceProvider.runs(line, id));
  }
}
