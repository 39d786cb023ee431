package fi.kanava.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The faults of a drill, in order, and how long clients took to resume after each. A client that
 * had trouble (its socket closed, or a send or open was answered with a retryable error) counts as
 * resumed at its first acknowledged message after that; the time is measured from the start of the
 * fault then current. Written from any event loop.
 */
final class Faults {
  /** One fault: what was done, when (System.nanoTime) and the resume times of the clients it disturbed. */
  static final class Fault {
    final String name;
    final long startNanos;
    final Latency resumed = new Latency();
    final LongAdder disturbed = new LongAdder();
    volatile long recoveredNanos = -1;
    volatile String detail = "";

    Fault(String name, long startNanos) {
      this.name = name;
      this.startNanos = startNanos;
    }
  }

  private final List<Fault> faults = new ArrayList<>();
  /** Clients disturbed before the first fault (should be none). */
  private final Fault calm = new Fault("before the first fault", System.nanoTime());
  private volatile Fault current = calm;

  synchronized Fault begin(String name) {
    Fault f = new Fault(name, System.nanoTime());
    faults.add(f);
    current = f;
    return f;
  }

  /**
   * Ends the current fault's window: trouble from now until the next fault (load alone, for example
   * a resend refused while another phase sets up) is counted under {@code name}, not under the fault.
   */
  synchronized void quiet(String name) {
    begin(name);
  }

  /** A client's trouble began now; returns the fault it is counted under. */
  Fault troubled() {
    Fault f = current;
    f.disturbed.increment();
    return f;
  }

  /** The client, disturbed during {@code fault}, got its first ack after it. */
  static void resumed(Fault fault) {
    fault.resumed.recordNanos(System.nanoTime() - fault.startNanos);
  }

  synchronized List<Fault> all() {
    List<Fault> out = new ArrayList<>();
    if (calm.disturbed.sum() > 0) {
      out.add(calm);
    }
    out.addAll(faults);
    return out;
  }
}
