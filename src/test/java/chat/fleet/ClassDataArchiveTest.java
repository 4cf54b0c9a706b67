package chat.fleet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which class-data sharing archive a local application instance is started with. */
class ClassDataArchiveTest {
  @TempDir
  Path dir;

  private Path jarWithArchive(long jarTime, long archiveTime) throws Exception {
    Path jar = Files.writeString(dir.resolve("chat.jar"), "jar");
    Path archive = Files.writeString(dir.resolve("chat-app.jsa"), "archive");
    jar.toFile().setLastModified(jarTime);
    archive.toFile().setLastModified(archiveTime);
    return jar;
  }

  @Test
  void anInstanceOfASingleJarUsesTheArchiveBesideIt() throws Exception {
    Path jar = jarWithArchive(1_000_000, 2_000_000);
    assertEquals(List.of("-XX:SharedArchiveFile=" + dir.resolve("chat-app.jsa").toAbsolutePath(), "-Xshare:auto"),
        LocalProcessInstanceProvider.classDataOptions(jar.toString(), List.of("-Xmx48m")));
  }

  @Test
  void anArchiveOlderThanTheJarIsNotUsed() throws Exception {
    Path jar = jarWithArchive(2_000_000, 1_000_000);
    assertEquals(List.of(), LocalProcessInstanceProvider.classDataOptions(jar.toString(), List.of()));
  }

  @Test
  void noArchiveNoOption() throws Exception {
    Path jar = Files.writeString(dir.resolve("chat.jar"), "jar");
    assertEquals(List.of(), LocalProcessInstanceProvider.classDataOptions(jar.toString(), List.of()));
  }

  @Test
  void aClassPathOfSeveralEntriesGetsNoArchive() throws Exception {
    Path jar = jarWithArchive(1_000_000, 2_000_000);
    assertEquals(List.of(), LocalProcessInstanceProvider.classDataOptions(
        dir.resolve("classes") + File.pathSeparator + jar, List.of()));
  }

  @Test
  void optionsThatNameTheirOwnSharingWin() throws Exception {
    Path jar = jarWithArchive(1_000_000, 2_000_000);
    for (String own : List.of("-XX:SharedArchiveFile=/elsewhere.jsa", "-Xshare:off", "-XX:ArchiveClassesAtExit=x.jsa")) {
      assertEquals(List.of(), LocalProcessInstanceProvider.classDataOptions(jar.toString(), List.of(own)), own);
    }
  }
}
