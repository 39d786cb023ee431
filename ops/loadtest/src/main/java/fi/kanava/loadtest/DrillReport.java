package fi.kanava.loadtest;

import java.util.List;

/** The fault drill's sections and targets in the report. */
final class DrillReport {
  private DrillReport() {}

  static void drill(Report report, Settings s, DrillPhase.Result r, DrillStore.Check store) {
    PhaseStats stats = r.stats();
    PhaseStats.Integrity i = r.integrity();
    double calmSeconds = s.decimal("drill-warmup-seconds") - Math.min(5, s.decimal("drill-warmup-seconds") / 3);
    report.section("Fault drill");
    report.line(String.format("- Traffic: %d nurses and %d patients (of %s asked for) connected through HAProxy; each patient sends a message every"
        + " %s ms and its nurse answers each: **%s offered**. Sending goes on through the faults (unsent messages wait in the client's outbox).",
        r.nurses(), r.patients(), s.text("conversations"), s.text("message-interval-ms"),
        Report.rate(r.patients() * 2 * 1000.0 / s.integer("message-interval-ms"))));
    report.line(String.format("- Before the first fault (%.0f s measured): **%s delivered**; delivery latency p50 %s ms, p99 %s ms, max %s ms.",
        calmSeconds, Report.rate(r.calm().count() / calmSeconds), Latency.ms(r.calm().percentileMs(50)), Latency.ms(r.calm().percentileMs(99)),
        Latency.ms(r.calm().maxMs())));
    report.line(String.format("- Messages: sent %,d; acknowledged %,d; delivered to the other side %,d; **lost %,d** (acknowledged, never"
        + " delivered); **duplicated %,d** (delivered twice, by message number or sequence number); sent but never acknowledged %,d; sequence"
        + " gaps %,d%s.", stats.sent.sum(), stats.acked.sum(), stats.delivered.sum(), i.lost(), i.duplicated(), i.unacked(), i.seqGaps(),
        r.drained() ? "" : " (**not everything arrived within drain-seconds**)"));
    if (store != null) {
      report.line(String.format("- Database after the drill: %,d rows of the drill's messages; **acknowledged but not stored %,d; stored twice %,d**.",
          store.stored(), store.ackedMissing(), store.storedTwice()));
    }
    report.blank();
    report.line("| Fault | Clients disturbed | Resumed | p50 s | p99 s | max s | Recovery |\n|---|---:|---:|---:|---:|---:|---|");
    for (Faults.Fault f : r.faults()) {
      report.line(String.format("| %s | %,d | %,d | %s | %s | %s | %s |", f.name, f.disturbed.sum(), f.resumed.count(),
          seconds(f.resumed.percentileMs(50)), seconds(f.resumed.percentileMs(99)), seconds(f.resumed.maxMs()), f.detail));
    }
    report.blank();
    report.line("- Resumed: the client's first acknowledged message after its trouble began (its socket closed, or a send or an open was"
        + " answered with a retryable error), measured from the start of the fault. A client counts once per fault.");
    report.line("- Delivery latency over the whole drill (faults included; a message resent after a fault keeps its first send time): "
        + "p50 " + Latency.ms(stats.delivery.percentileMs(50)) + " ms, p99 " + Latency.ms(stats.delivery.percentileMs(99)) + " ms, max "
        + Latency.ms(stats.delivery.maxMs()) + " ms. Slowest seconds: " + String.join("; ", stats.slowestSeconds(5)) + ".");
    ChatPhase.errorLines(report, stats);
  }

  static void problems(Report report, String name, List<String> problems) {
    report.section("Log of " + name);
    if (problems.isEmpty()) {
      report.line("No warnings, errors or blocked-thread reports.");
      return;
    }
    report.line("Warnings, errors and blocked-thread reports (grouped, numbers blanked):");
    report.blank();
    problems.forEach(p -> report.line("- `" + p.replace('`', '\'') + "`"));
  }

  static void targets(Report report, Settings s, DrillPhase.Result r, DrillStore.Check store) {
    if (r == null) {
      report.target("Zero lost and zero duplicated across a node kill and a database restart", null, false);
      return;
    }
    PhaseStats.Integrity i = r.integrity();
    boolean zero = i.lost() == 0 && i.duplicated() == 0 && store != null && store.ackedMissing() == 0 && store.storedTwice() == 0
        && r.drained() && i.unacked() == 0;
    report.target("Zero lost and zero duplicated across a node kill and a database restart", String.format(
        "lost %,d, duplicated %,d (clients); not stored %s, stored twice %s (database); %,d acknowledged of %,d sent",
        i.lost(), i.duplicated(), store == null ? "?" : Long.toString(store.ackedMissing()), store == null ? "?" : Long.toString(store.storedTwice()),
        r.stats().acked.sum(), r.stats().sent.sum()), zero);
    double rate = s.decimal("target-rate");
    double calmSeconds = s.decimal("drill-warmup-seconds") - Math.min(5, s.decimal("drill-warmup-seconds") / 3);
    double reached = r.calm().count() / calmSeconds;
    report.target(String.format("%s through HAProxy to two clustered nodes", Report.rate(rate)),
        String.format("%s delivered before the faults, p99 %s ms", Report.rate(reached), Latency.ms(r.calm().percentileMs(99))), reached >= 0.97 * rate);
    for (Faults.Fault f : r.faults()) {
      report.target("Clients resumed after: " + f.name, String.format("%,d of %,d disturbed clients; p50 %s s, max %s s", f.resumed.count(),
          f.disturbed.sum(), seconds(f.resumed.percentileMs(50)), seconds(f.resumed.maxMs())), f.resumed.count() == f.disturbed.sum());
    }
  }

  private static String seconds(double ms) {
    return Double.isNaN(ms) ? "–" : String.format("%.2f", ms / 1000);
  }

}
