package fi.kanava.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads CPU time and resident memory of processes from {@code /proc} (Linux). CPU is utime + stime
 * in clock ticks; memory is VmRSS. A process that has gone away reads as absent.
 */
final class ProcStats {
  private static final long CLOCK_TICKS = clockTicks();

  /** One process at one moment. */
  record Proc(long pid, long ticks, long rssKb) {}

  /** A group of processes at one moment: per pid, so that CPU deltas count processes that come and go. */
  record Sample(long nanos, Map<Long, Proc> procs) {
    long rssKb() {
      return procs.values().stream().mapToLong(Proc::rssKb).sum();
    }

    /** CPU used since {@code earlier}, as percent of one core (a process new since then counts in full). */
    double cpuPercentSince(Sample earlier) {
      double seconds = (nanos - earlier.nanos) / 1e9;
      if (seconds <= 0) {
        return Double.NaN;
      }
      long ticks = 0;
      for (Proc p : procs.values()) {
        Proc before = earlier.procs.get(p.pid());
        ticks += p.ticks() - (before == null ? 0 : before.ticks());
      }
      return ticks / (double) CLOCK_TICKS / seconds * 100;
    }
  }

  private ProcStats() {}

  static Proc read(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
      // the command name (field 2) may hold spaces and parentheses: the fields after it start at the last ')'
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return new Proc(pid, ticks, rssKb(pid));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  private static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.substring(6).replace("kB", "").strip());
      }
    }
    return 0;
  }

  static Sample sample(List<Long> pids) {
    Map<Long, Proc> procs = new HashMap<>();
    for (long pid : pids) {
      Proc p = read(pid);
      if (p != null) {
        procs.put(pid, p);
      }
    }
    return new Sample(System.nanoTime(), procs);
  }

  /**
   * The PostgreSQL server whose command line names {@code dataDir} (the postmaster; pg_ctl detaches
   * it from the JVM that started it), with all its children (checkpointer, walwriter, backends).
   */
  static List<Long> postgresOf(Path dataDir) {
    String needle = "-D" + '\0' + dataDir.toAbsolutePath().normalize() + '\0';
    List<Long> roots = new ArrayList<>();
    Map<Long, Long> parents = new HashMap<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path dir : dirs) {
        long pid = Long.parseLong(dir.getFileName().toString());
        try {
          String cmdline = new String(Files.readAllBytes(dir.resolve("cmdline")), StandardCharsets.UTF_8);
          if (cmdline.contains(needle) && cmdline.contains("postgres")) {
            roots.add(pid);
          }
          String stat = Files.readString(dir.resolve("stat"), StandardCharsets.US_ASCII);
          parents.put(pid, Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]));
        } catch (IOException | RuntimeException gone) {
          // the process ended while we looked
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    List<Long> out = new ArrayList<>(roots);
    parents.forEach((pid, ppid) -> {
      if (roots.contains(ppid)) {
        out.add(pid);
      }
    });
    return out;
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
      p.waitFor();
      return Long.parseLong(out);
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
