package chat.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * CPU time of a process and all its descendants, from {@code /proc/PID/stat} (Linux): the sum of
 * {@code utime + stime} in clock ticks. A descendant that exits between two readings takes its
 * ticks with it, so the service's child processes should outlive the measured window.
 */
final class ProcCpu {
  private final Path proc;

  ProcCpu(Path proc) {
    this.proc = proc;
  }

  static ProcCpu system() {
    return new ProcCpu(Path.of("/proc"));
  }

  /** The fields of one {@code /proc/PID/stat} line that matter here. */
  record Stat(int pid, int ppid, long utime, long stime) {
    long ticks() {
      return utime + stime;
    }
  }

  /**
   * Parses a {@code /proc/PID/stat} line. The command name (field 2) is in parentheses and may
   * itself hold spaces and parentheses, so the fields are counted from its last {@code ')'}:
   * state is field 3, ppid field 4, utime field 14, stime field 15.
   */
  static Stat parse(String line) {
    int open = line.indexOf('(');
    int close = line.lastIndexOf(')');
    if (open < 1 || close < open) {
      throw new IllegalArgumentException("not a /proc stat line: " + line);
    }
    int pid = Integer.parseInt(line.substring(0, open).trim());
    String[] rest = line.substring(close + 1).trim().split("\\s+");
    // rest[0] is field 3 (state), so field n is rest[n - 3]
    if (rest.length < 13) {
      throw new IllegalArgumentException("too few fields in /proc stat line: " + line);
    }
    return new Stat(pid, Integer.parseInt(rest[1]), Long.parseLong(rest[11]), Long.parseLong(rest[12]));
  }

  /** Sum of utime + stime of {@code root} and every descendant, given every process's stat. */
  static long treeTicks(int root, List<Stat> all) {
    Map<Integer, List<Stat>> children = new HashMap<>();
    Stat top = null;
    for (Stat s : all) {
      children.computeIfAbsent(s.ppid(), k -> new ArrayList<>()).add(s);
      if (s.pid() == root) {
        top = s;
      }
    }
    if (top == null) {
      return -1;
    }
    long sum = 0;
    Set<Integer> seen = new HashSet<>();
    Deque<Stat> todo = new ArrayDeque<>();
    todo.add(top);
    while (!todo.isEmpty()) {
      Stat s = todo.poll();
      if (!seen.add(s.pid())) {
        continue;
      }
      sum += s.ticks();
      todo.addAll(children.getOrDefault(s.pid(), List.of()));
    }
    return sum;
  }

  /** Clock ticks of the tree under {@code root} now, or -1 when that process is gone. */
  long ticks(int root) {
    List<Stat> all = new ArrayList<>();
    try (var dirs = Files.list(proc)) {
      for (Path d : (Iterable<Path>) dirs::iterator) {
        String name = d.getFileName().toString();
        if (name.isEmpty() || !name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          all.add(parse(Files.readString(d.resolve("stat"))));
        } catch (IOException | RuntimeException e) {
          // the process ended while we looked, or is not ours to read
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return treeTicks(root, all);
  }

  /** CPU microseconds per command; -1 when either figure is unknown or nothing completed. */
  static double microsPerCommand(long ticks, long clockTicksPerSecond, long commands) {
    if (ticks < 0 || clockTicksPerSecond <= 0 || commands <= 0) {
      return -1;
    }
    return ticks * 1_000_000.0 / clockTicksPerSecond / commands;
  }

  /** {@code getconf CLK_TCK}, or 100 (the usual value) when it cannot be run. */
  static long clockTicksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      if (p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return Long.parseLong(out);
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }
}
