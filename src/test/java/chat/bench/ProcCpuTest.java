package chat.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProcCpuTest {
  private static String line(int pid, String comm, int ppid, long utime, long stime) {
    // fields 3..: state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
    return pid + " (" + comm + ") S " + ppid + " " + pid + " " + pid + " 0 -1 4194560 100 0 0 0 "
        + utime + " " + stime + " 7 8 20 0 30 0 12345 1000000 200\n";
  }

  @Test
  void parsesPidParentAndTimes() {
    ProcCpu.Stat s = ProcCpu.parse(line(583, "java", 1, 1234, 56));
    assertEquals(583, s.pid());
    assertEquals(1, s.ppid());
    assertEquals(1234, s.utime());
    assertEquals(56, s.stime());
    assertEquals(1290, s.ticks());
  }

  @Test
  void commandNamesWithSpacesAndParenthesesDoNotShiftFields() {
    ProcCpu.Stat s = ProcCpu.parse(line(42, "a b) (c", 7, 10, 20));
    assertEquals(42, s.pid());
    assertEquals(7, s.ppid());
    assertEquals(30, s.ticks());
  }

  @Test
  void cumulativeChildTimesAreNotCounted() {
    // cutime/cstime (7 and 8 in the line) belong to reaped children, which the tree walk does not see either
    assertEquals(3, ProcCpu.parse(line(9, "x", 1, 1, 2)).ticks());
  }

  @Test
  void rejectsLinesThatAreNotStatLines() {
    assertThrows(IllegalArgumentException.class, () -> ProcCpu.parse("garbage"));
    assertThrows(IllegalArgumentException.class, () -> ProcCpu.parse("1 (x) S 0 1 2"));
  }

  @Test
  void sumsTheRootAndAllItsDescendantsOnly() {
    List<ProcCpu.Stat> all = List.of(
        new ProcCpu.Stat(1, 0, 1000, 1000),     // init: not ours
        new ProcCpu.Stat(100, 1, 10, 5),        // the service
        new ProcCpu.Stat(101, 100, 3, 2),       // a child instance
        new ProcCpu.Stat(102, 101, 1, 1),       // its child
        new ProcCpu.Stat(200, 1, 50, 50));      // a stranger
    assertEquals(22, ProcCpu.treeTicks(100, all));
    assertEquals(7, ProcCpu.treeTicks(101, all));
    assertEquals(2, ProcCpu.treeTicks(102, all));
  }

  @Test
  void aMissingRootIsUnknown() {
    assertEquals(-1, ProcCpu.treeTicks(5, List.of(new ProcCpu.Stat(1, 0, 1, 1))));
  }

  @Test
  void readsATreeFromAProcDirectory(@TempDir Path proc) throws IOException {
    write(proc, 10, line(10, "java", 1, 100, 20));
    write(proc, 11, line(11, "java", 10, 30, 5));
    write(proc, 12, line(12, "python3", 1, 999, 999));
    Files.createDirectories(proc.resolve("self"));
    Files.createDirectories(proc.resolve("13")); // a process that ended: no stat
    ProcCpu cpu = new ProcCpu(proc);
    assertEquals(155, cpu.ticks(10));
    assertEquals(-1, cpu.ticks(99));
  }

  @Test
  void microsPerCommand() {
    assertEquals(1000.0, ProcCpu.microsPerCommand(100, 100, 1000), 1e-9);  // 1 s of CPU over 1,000 commands
    assertEquals(250.0, ProcCpu.microsPerCommand(25, 100, 1000), 1e-9);
    assertEquals(1000.0, ProcCpu.microsPerCommand(1000, 1000, 1000), 1e-9);
    assertEquals(-1.0, ProcCpu.microsPerCommand(-1, 100, 10));
    assertEquals(-1.0, ProcCpu.microsPerCommand(5, 0, 10));
    assertEquals(-1.0, ProcCpu.microsPerCommand(5, 100, 0));
  }

  private static void write(Path proc, int pid, String stat) throws IOException {
    Path d = proc.resolve(Integer.toString(pid));
    Files.createDirectories(d);
    Files.writeString(d.resolve("stat"), stat);
  }
}
