package fi.kanava.loadtest;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat phase, an open loop: patients arrive at a fixed rate whatever the server does; each is
 * accepted by a nurse, sends a message every interval (each answered by the nurse) for a fixed
 * time, and then the nurse closes the conversation. Once arrivals have run for a conversation's
 * length the number of open conversations is steady; that window is measured on its own.
 */
final class ChatPhase {
  private static final Logger log = LoggerFactory.getLogger(ChatPhase.class);

  /** What the targets need: the steady state's delivered rate and latency, and message integrity. */
  record Result(double sustained, Latency steady, PhaseStats.Integrity integrity, boolean steadyReached) {}

  private ChatPhase() {}

  static Result run(Settings s, Loops loops, KanavaApi api, KanavaServer server, List<NurseSim> nurses, Report report) {
    int conversations = s.integer("conversations");
    long intervalMs = s.integer("message-interval-ms");
    int chatSeconds = s.integer("chat-seconds");
    int arrivalSeconds = s.integer("arrival-seconds");
    double arrivalRate = conversations / (double) chatSeconds;
    int arrivals = (int) Math.round(arrivalRate * arrivalSeconds);
    long timeoutMs = s.integer("accept-timeout-seconds") * 1000L;
    int from = (int) Math.ceil(chatSeconds + s.decimal("warmup-seconds"));
    int to = arrivalSeconds;
    boolean steadyReached = to - from >= 1;
    if (!steadyReached) {
      from = Math.max(0, to - 1);
      report.note("Chat phase: arrival-seconds is not longer than chat-seconds + warmup-seconds, so no steady state was reached; "
          + "the 'steady' figures cover second " + from + " only.");
    }
    log.info("Chat phase: {} patients arriving at {}/s for {} s, each sending for {} s, one message per {} ms (offered {})",
        arrivals, String.format("%.2f", arrivalRate), arrivalSeconds, chatSeconds, intervalMs, Report.rate(s.chatOfferedRate()));

    PhaseStats stats = new PhaseStats("chat");
    nurses.forEach(n -> n.phase(stats));
    Resources resources = server.resources();
    Latency steady = new Latency();
    Resources.Snapshot[] snaps = new Resources.Snapshot[2];
    AtomicLong minOpen = new AtomicLong(Long.MAX_VALUE);
    AtomicLong maxOpen = new AtomicLong();
    int windowFrom = from;
    Thread marks = new Thread(() -> {
      Work.until(stats.startNanos + windowFrom * 1_000_000_000L);
      snaps[0] = resources.snapshot();
      stats.window = steady;
      for (int second = windowFrom; second < to; second++) {
        long open = stats.conversations.sum() - stats.completed.sum();
        minOpen.accumulateAndGet(open, Math::min);
        maxOpen.accumulateAndGet(open, Math::max);
        Work.until(stats.startNanos + (second + 1) * 1_000_000_000L);
      }
      stats.window = null;
      snaps[1] = resources.snapshot();
    }, "steady-state-marks");
    marks.setDaemon(true);
    marks.start();

    List<Future<Void>> patients = new ArrayList<>();
    for (int i = 0; i < arrivals; i++) {
      Work.until(stats.startNanos + (long) (i * 1e9 / arrivalRate));
      patients.add(new PatientSim(loops, api, server.port, s.integer("text-length"), timeoutMs, stats).chat(intervalMs, chatSeconds * 1000L));
    }
    try {
      marks.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!Work.await(Future.join(patients), chatSeconds + 3 * timeoutMs / 1000 + 60)) {
      stats.error("timeout: chat phase did not finish");
    }
    Work.await(stats.drained(), s.integer("drain-seconds"));
    PhaseStats.Integrity integrity = stats.integrity(false);
    double sustained = stats.deliveredBetween(from, to) / (double) (to - from);

    report.section("Chat phase (Kanava)");
    report.line(String.format("- Offered: %d concurrent conversations; each patient sends a message every %d ms and the nurse answers each,"
        + " so **%s offered** in the steady state (%s per conversation).", conversations, intervalMs, Report.rate(s.chatOfferedRate()),
        Report.rate(2000.0 / intervalMs)));
    report.line(String.format("- Arrivals (open loop): %d patients at %.2f/s for %d s; once accepted, each sends %d messages, one every %d ms"
        + " (%d s), the last one marked; the nurse answers it and closes the conversation (outcome resolved).", arrivals, arrivalRate,
        arrivalSeconds, Math.max(1, chatSeconds * 1000L / intervalMs), intervalMs, chatSeconds));
    report.line(String.format("- Steady state: seconds %d–%d after the first arrival; open conversations %s–%s during it.", from, to,
        minOpen.get() == Long.MAX_VALUE ? "?" : minOpen.get(), maxOpen.get()));
    report.line(String.format("- **Sustained delivered rate: %s** (messages delivered to the other party per second in the steady state).",
        Report.rate(sustained)));
    report.blank();
    report.line(Latency.header());
    report.line(stats.setup.row("Connection set-up (TCP + upgrade + ready)"));
    report.line(stats.assignment.row("Queue to assignment (queue.enter → accepted)"));
    report.line(steady.row("Delivery latency, steady state"));
    report.line(stats.delivery.row("Delivery latency, whole phase"));
    report.blank();
    report.line("- Slowest seconds (maximum delivery latency, seconds after the first arrival): "
        + String.join("; ", stats.slowestSeconds(5)) + ".");
    integrityLines(report, stats, integrity, false);
    if (snaps[0] != null && snaps[1] != null) {
      report.line("- Server resources in the steady state: " + Resources.between(snaps[0], snaps[1]).describe() + ".");
    }
    errorLines(report, stats);
    log.info("Chat phase done: sustained {}, steady p99 {} ms, lost {}, duplicated {}", Report.rate(sustained),
        Latency.ms(steady.percentileMs(99)), integrity.lost(), integrity.duplicated());
    return new Result(sustained, steady, integrity, steadyReached);
  }

  static void integrityLines(Report report, PhaseStats stats, PhaseStats.Integrity i, boolean relay) {
    report.line(String.format("- Messages: sent %,d; %s %,d; delivered to the other party %,d; **lost %,d; duplicated %,d**%s.",
        stats.sent.sum(), relay ? "relayed (no acks: sent counts as acknowledged)" : "acknowledged", relay ? stats.sent.sum() : stats.acked.sum(),
        stats.delivered.sum(), i.lost(), i.duplicated(),
        relay ? "" : String.format("; sent but never acknowledged %,d; sequence gaps %,d", i.unacked(), i.seqGaps())));
    report.line(String.format("- Conversations: %,d started, %,d ran to the close, %,d did not.", i.ledgers(), i.ledgers() - i.incomplete(),
        i.incomplete()));
  }

  static void errorLines(Report report, PhaseStats stats) {
    Map<String, Long> errors = stats.errors();
    if (errors.isEmpty()) {
      report.line("- Errors: none (no error frames, failed connects or timeouts).");
      return;
    }
    report.line("- Errors:");
    errors.forEach((kind, n) -> report.line(String.format("  - %s: %,d", kind, n)));
  }
}
