package fi.kanava.loadtest;

import java.nio.file.Path;
import java.util.List;

/**
 * CPU and memory of one server under test: its JVM, its PostgreSQL processes (found through the
 * data directory; none for the bare relay, nor for a database that is not on this machine) and, for
 * comparison, the harness itself.
 */
final class Resources {
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  private final long jvmPid;
  private final Path postgresDataDir;

  Resources(long jvmPid, Path postgresDataDir) {
    this.jvmPid = jvmPid;
    this.postgresDataDir = postgresDataDir;
  }

  record Snapshot(ProcStats.Sample jvm, ProcStats.Sample postgres, ProcStats.Sample harness) {}

  /** CPU in percent of one core over an interval, memory at its end. */
  record Usage(double jvmCpu, long jvmRssKb, double pgCpu, long pgRssKb, int pgProcesses, double harnessCpu) {
    String describe() {
      return String.format("server JVM %s of one core (%s of the machine), RSS %s; PostgreSQL (%d processes) %s of one core"
              + " (%s of the machine), RSS %s; harness %s of one core",
          pct(jvmCpu), pct(jvmCpu / CORES), mb(jvmRssKb), pgProcesses, pct(pgCpu), pct(pgCpu / CORES), mb(pgRssKb), pct(harnessCpu));
    }
  }

  /** Whether PostgreSQL's processes are measured. */
  boolean database() {
    return postgresDataDir != null;
  }

  Snapshot snapshot() {
    List<Long> pg = postgresDataDir == null ? List.of() : ProcStats.postgresOf(postgresDataDir);
    return new Snapshot(ProcStats.sample(List.of(jvmPid)), ProcStats.sample(pg), ProcStats.sample(List.of(ProcessHandle.current().pid())));
  }

  static Usage between(Snapshot a, Snapshot b) {
    return new Usage(b.jvm().cpuPercentSince(a.jvm()), b.jvm().rssKb(), b.postgres().cpuPercentSince(a.postgres()), b.postgres().rssKb(),
        b.postgres().procs().size(), b.harness().cpuPercentSince(a.harness()));
  }

  static String pct(double value) {
    return Double.isNaN(value) ? "–" : String.format("%.0f%%", value);
  }

  static String mb(long kb) {
    return String.format("%.0f MB", kb / 1024.0);
  }
}
