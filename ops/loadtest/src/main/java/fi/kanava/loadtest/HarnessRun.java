package fi.kanava.loadtest;

/** One run of the harness: the load test ({@link Run}) or the fault drill ({@link DrillRun}). */
interface HarnessRun {
  /** Runs every phase; the main thread waits here. */
  void execute() throws Exception;

  /** Stops whatever child still runs; safe to call more than once and from the shutdown hook. */
  void stopChildren();

  /** Adds the targets to the report with whatever was measured; once. */
  void targets();
}
