package fi.kanava.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Saturation: a fixed set of pairs, the offered message rate multiplied step by step, until the
 * delivered rate stops growing, p99 exceeds the limit, errors appear, or the cap or the step count
 * is reached. The saturation throughput is the highest delivered rate of a step that kept p99
 * within the limit without errors. Kanava and both relays are stepped the same way.
 */
final class SaturationPhase {
  private static final Logger log = LoggerFactory.getLogger(SaturationPhase.class);

  record Step(double target, double sent, double delivered, Latency latency, long errors, Resources.Usage usage) {}

  /** {@code capped}: stepping reached sat-max-rate without saturating. */
  record Result(String label, List<Step> steps, double saturation, String stop, boolean capped, PhaseStats.Integrity integrity) {}

  private SaturationPhase() {}

  /**
   * Runs the steps (the pairs are open and idle), then finishes the pairs and reports. {@code relay}: a
   * relay, which acknowledges nothing; PostgreSQL's CPU is shown and counted when {@code resources} measure it.
   */
  static Result run(Settings s, String label, List<? extends Pair> pairs, PhaseStats stats, Resources resources, boolean relay,
      Report report) {
    double rate = s.decimal("sat-start-rate");
    double maxRate = s.decimal("sat-max-rate");
    double limit = s.decimal("sat-p99-limit-ms");
    Random random = new Random(42);
    List<Step> steps = new ArrayList<>();
    String stop = "ran the maximum number of steps (" + s.integer("sat-max-steps") + ")";
    double best = Double.NaN;
    boolean capped = false;
    int retries = s.integer("sat-retries");
    for (int i = 0; i < s.integer("sat-max-steps") && !pairs.isEmpty(); i++) {
      Step step = measure(s, label, i + 1, rate, pairs, stats, resources, random);
      steps.add(step);
      String failure = failure(step, best, limit);
      if (step.errors() == 0 && step.latency().percentileMs(99) <= limit && !(step.delivered() <= best)) {
        best = step.delivered();
      }
      if (failure != null && retries > 0 && step.errors() == 0) {
        // a shared machine has hiccups: drain, then try the same rate once more before believing it
        log.info("{} step {}: {}; draining and repeating the step", label, i + 1, failure);
        retries--;
        pairs.forEach(Pair::stopSending);
        Work.await(stats.drained(), s.integer("drain-seconds"));
        continue;
      }
      if (failure != null) {
        stop = failure;
        break;
      }
      if (rate >= maxRate) {
        stop = "reached the offered-rate cap sat-max-rate (" + Report.rate(maxRate) + "): not saturated";
        capped = true;
        break;
      }
      retries = s.integer("sat-retries");
      rate = Math.min(rate * s.decimal("sat-factor"), maxRate);
    }
    pairs.forEach(Pair::stopSending);
    Work.await(stats.drained(), s.integer("drain-seconds"));
    Work.bounded(pairs.size(), s.integer("finish-concurrency"), 300, i -> pairs.get(i).finish());
    Work.await(stats.drained(), s.integer("drain-seconds"));
    PhaseStats.Integrity integrity = stats.integrity(relay);
    Result result = new Result(label, steps, Double.isNaN(best) ? 0 : best, stop, capped, integrity);
    report(report, s, result, stats, pairs.size(), relay, resources.database());
    return result;
  }

  /** One step: every pair sends at the step's pace; the first second is not measured. */
  private static Step measure(Settings s, String label, int number, double rate, List<? extends Pair> pairs, PhaseStats stats,
      Resources resources, Random random) {
    long intervalMs = Math.max(1, Math.round(2000.0 * pairs.size() / rate));
    for (Pair pair : pairs) {
      pair.startSending(intervalMs, random.nextInt((int) intervalMs) + 1);
    }
    Work.pause(1.0);
    Latency latency = new Latency();
    long sent0 = stats.sent.sum();
    long delivered0 = stats.delivered.sum();
    long errors0 = stats.errorCount();
    Resources.Snapshot before = resources.snapshot();
    stats.window = latency;
    long t0 = System.nanoTime();
    Work.pause(s.decimal("sat-step-seconds") - 1);
    stats.window = null;
    double seconds = (System.nanoTime() - t0) / 1e9;
    Step step = new Step(rate, (stats.sent.sum() - sent0) / seconds, (stats.delivered.sum() - delivered0) / seconds, latency,
        stats.errorCount() - errors0, Resources.between(before, resources.snapshot()));
    log.info("{} step {}: offered {} (interval {} ms per pair), sent {}, delivered {}, p99 {} ms, errors {}", label, number,
        Report.rate(rate), intervalMs, Report.rate(step.sent()), Report.rate(step.delivered()), Latency.ms(latency.percentileMs(99)),
        step.errors());
    return step;
  }

  /** Why stepping should stop after this step, or null to go on. */
  private static String failure(Step step, double bestBefore, double limit) {
    if (step.errors() > 0) {
      return "errors appeared";
    }
    if (!(step.latency().percentileMs(99) <= limit)) {
      return "p99 exceeded " + Latency.ms(limit) + " ms";
    }
    if (step.delivered() < 0.9 * step.target()) {
      return "delivered rate fell behind the offered rate";
    }
    if (step.delivered() < 1.1 * bestBefore) {
      return "delivered rate stopped growing";
    }
    return null;
  }

  private static void report(Report report, Settings s, Result r, PhaseStats stats, int pairs, boolean relay, boolean database) {
    report.section("Saturation: " + r.label());
    report.line(String.format("- %d pairs; each step offers the rate below for %s s (the first second is not measured), the first"
        + " party sending at a fixed interval and the second answering each message; factor %s per step.", pairs,
        s.text("sat-step-seconds"), s.text("sat-factor")));
    report.line("- Stopped because: " + r.stop() + ".");
    report.line(String.format("- **Saturation throughput: %s** (highest delivered rate of a step with p99 ≤ %s ms and no errors).",
        Report.rate(r.saturation()), s.text("sat-p99-limit-ms")));
    report.blank();
    report.line("| Step | Offered msg/s | Sent msg/s | Delivered msg/s | p50 ms | p99 ms | max ms | Errors | Server CPU | PostgreSQL CPU"
        + " | Server CPU ms per msg | Harness CPU |");
    report.line("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    int n = 1;
    for (Step step : r.steps()) {
      Resources.Usage u = step.usage();
      double cpuMsPerMessage = (u.jvmCpu() + (database ? u.pgCpu() : 0)) * 10 / step.delivered();
      report.line(String.format("| %d | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s | %s |", n++, Report.num(step.target()),
          Report.num(step.sent()), Report.num(step.delivered()), Latency.ms(step.latency().percentileMs(50)),
          Latency.ms(step.latency().percentileMs(99)), Latency.ms(step.latency().maxMs()), step.errors(), Resources.pct(u.jvmCpu()),
          database ? Resources.pct(u.pgCpu()) : "–", step.delivered() > 0 ? String.format("%.2f", cpuMsPerMessage) : "–",
          Resources.pct(u.harnessCpu())));
    }
    report.blank();
    report.line("CPU is in percent of one core (" + Runtime.getRuntime().availableProcessors() + " cores = "
        + 100 * Runtime.getRuntime().availableProcessors() + "%). CPU ms per message: server JVM" + (database ? " plus PostgreSQL" : "")
        + " CPU time divided by the messages delivered.");
    report.blank();
    report.line(Latency.header());
    report.line(stats.setup.row("Connection set-up"));
    if (!relay) {
      report.line(stats.assignment.row("Queue to assignment"));
    }
    report.line(stats.delivery.row("Delivery latency, all steps"));
    report.blank();
    ChatPhase.integrityLines(report, stats, r.integrity(), relay);
    report.line(String.format("- Average delivered message frame: %.0f characters.", stats.averageDeliveredFrameChars()));
    ChatPhase.errorLines(report, stats);
  }
}
