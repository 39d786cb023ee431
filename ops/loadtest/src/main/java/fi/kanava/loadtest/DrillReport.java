package fi.kanava.loadtest;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The fault drill's sections and targets in the report. */
final class DrillReport {
  private DrillReport() {}

  static void drill(Report report, Settings s, DrillPhase.Result r, DrillStore.Check store) {
    PhaseStats stats = r.stats();
    PhaseStats.Integrity i = r.integrity();
    double calmSeconds = s.decimal("drill-warmup-seconds") - Math.min(5, s.decimal("drill-warmup-seconds") / 3);
    report.section("Fault drill");
    report.line(String.format("- Traffic: %d nurses and %d patients (of %s asked for) connected through the balancers; each patient sends a message every"
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
        + " answered with a retryable error), measured from the start of the fault. Each episode of trouble counts: a client disturbed again before the next fault (a"
        + " resend refused again) counts again.");
    report.line("- Delivery latency over the whole drill (faults included; a message resent after a fault keeps its first send time): "
        + "p50 " + Latency.ms(stats.delivery.percentileMs(50)) + " ms, p99 " + Latency.ms(stats.delivery.percentileMs(99)) + " ms, max "
        + Latency.ms(stats.delivery.maxMs()) + " ms. Slowest seconds: " + String.join("; ", stats.slowestSeconds(5)) + ".");
    ChatPhase.errorLines(report, stats);
    if (r.storm() != null) {
      storm(report, r.storm());
    }
  }

  static void latency(Report report, Settings s, LatencyPhase.Result single, LatencyPhase.Result cross) {
    report.section("Cross-node delivery latency");
    report.line(String.format("- Each: %s nurses and up to %s patients connected to the nodes directly (not through HAProxy), a message every %s ms"
        + " from each patient and an answer to each from its nurse (%s offered); %s s measured after 5 s of warm-up, then the"
        + " conversations are closed. One node first (patients and nurses on node1), then cross-node (patients on node1, nurses on node2:"
        + " every message crosses the clustered event bus, in both directions).", s.text("nurses"), s.text("conversations"),
        s.text("message-interval-ms"), Report.rate(s.chatOfferedRate()), s.text("drill-cross-seconds")));
    report.blank();
    report.line("| Measure | Conversations | Delivered | Count | p50 ms | p95 ms | p99 ms | max ms | Lost | Duplicated |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (LatencyPhase.Result r : List.of(single, cross)) {
      Latency l = r.steady();
      report.line(String.format("| %s | %d | %s | %d | %s | %s | %s | %s | %d | %d |", r.label(), r.conversations(), Report.rate(r.delivered()),
          l.count(), Latency.ms(l.percentileMs(50)), Latency.ms(l.percentileMs(95)), Latency.ms(l.percentileMs(99)), Latency.ms(l.maxMs()),
          r.integrity().lost(), r.integrity().duplicated()));
    }
  }

  static void storm(Report report, StormPhase.Result r) {
    report.section("Idle connections on one node, then a reconnect storm");
    report.line(String.format("- %,d of %,d idle authenticated patient sockets (an anonymous session each, no conversation) opened through"
        + " the balancers in %.1f s while node2 was in maintenance on every one, so all on node1.", r.opened(), r.requested(), r.openSeconds()));
    IdlePhase.PerConnection p = r.perConnection();
    report.line(String.format("- **node1's memory per idle connection: %.1f KB** (live heap %.1f KB + resident memory outside the heap %.1f KB,"
        + " counted as 0 when negative; plain RSS growth %.1f KB), measured after a full GC before and after opening them: RSS %.0f → %.0f MB,"
        + " live heap %.0f → %.0f MB.", p.kbEstimate(), p.kbHeap(), p.kbOutsideHeap(), p.kbRss(), r.before().os().rssKb() / 1024.0,
        r.after().os().rssKb() / 1024.0, r.before().jvm().heapUsed() / 1048576.0, r.after().jvm().heapUsed() / 1048576.0));
    Faults.Fault f = r.storm();
    report.line(String.format("- node2 back in rotation on every balancer, then node1 killed with SIGKILL: %,d sockets closed, **%,d resumed**"
        + " (reconnected through the balancer each used and ready on node2); time from the kill until ready: p50 %s s, p99 %s s, **all resumed after %s s**.", f.disturbed.sum(),
        f.resumed.count(), seconds(f.resumed.percentileMs(50)), seconds(f.resumed.percentileMs(99)), seconds(r.allResumedSeconds() * 1000)));
    report.line("- Meanwhile node2 carried the drill's conversations; their messages are counted with the drill's (above).");
    for (StormPhase.Landing l : r.landings()) {
      report.line(String.format("- %s: %,d storm clients opened through it; its frontend held %,d sessions once they were open and %,d once"
          + " all had resumed (the drill's included), %,d sessions in all since it started.", l.balancer(), l.clients(), l.sessionsOpen(),
          l.sessionsResumed(), l.sessionsTotal()));
    }
    report.line("- Open descriptors with every storm socket open: " + descriptors(r.descriptorsOpen()) + "; once all had resumed: "
        + descriptors(r.descriptorsResumed()) + " (hard limit " + Descriptors.hardLimit() + ").");
    ChatPhase.errorLines(report, r.stats());
  }

  static void problems(Report report, String name, List<String> problems) {
    report.section("Log of " + name);
    report.problems(problems);
  }

  static void targets(Report report, Settings s, DrillPhase.Result r, DrillStore.Check store, LatencyPhase.Result single,
      LatencyPhase.Result cross) {
    double p99Target = s.decimal("target-p99-ms");
    report.target(String.format("Cross-node delivery p99 under %s ms at %s", Latency.ms(p99Target), Report.rate(s.decimal("target-rate"))),
        cross == null ? null : String.format("cross-node p50 %s / p99 %s ms at %s delivered; one node p50 %s / p99 %s ms at %s",
            Latency.ms(cross.steady().percentileMs(50)), Latency.ms(cross.steady().percentileMs(99)), Report.rate(cross.delivered()),
            Latency.ms(single.steady().percentileMs(50)), Latency.ms(single.steady().percentileMs(99)), Report.rate(single.delivered())),
        cross != null && cross.steady().percentileMs(99) < p99Target && cross.delivered() >= 0.97 * s.decimal("target-rate"));
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
    StormPhase.Result storm = r.storm();
    report.target("Reconnect storm of 10,000 clients after a node kill resumed in under 60 s", storm == null ? null
        : String.format("%,d of %,d clients resumed, all after %s s (%,d clients: see the limits)", storm.storm().resumed.count(),
            storm.opened(), seconds(storm.allResumedSeconds() * 1000), storm.opened()),
        storm != null && storm.opened() >= 10_000 && storm.allResumedSeconds() < 60);
    report.target("Under 20 KB of server memory per idle connection (50,000 on one node)", storm == null ? null
        : String.format("%.1f KB per connection over %,d connections on one node", storm.perConnection().kbEstimate(), storm.opened()),
        storm != null && storm.perConnection().kbEstimate() < 20 && storm.opened() >= 50_000);
    for (Faults.Fault f : r.faults().stream().filter(f -> f.disturbed.sum() > 0 && !f.name.startsWith("no fault")).toList()) {
      report.target("Clients resumed after: " + f.name, String.format("%,d of %,d disturbed clients; p50 %s s, max %s s", f.resumed.count(),
          f.disturbed.sum(), seconds(f.resumed.percentileMs(50)), seconds(f.resumed.maxMs())), f.resumed.count() == f.disturbed.sum());
    }
  }

  private static String descriptors(Map<String, Long> counts) {
    return counts.entrySet().stream().map(e -> e.getKey() + " " + (e.getValue() > 0 ? String.format("%,d", e.getValue()) : "gone"))
        .collect(Collectors.joining(", "));
  }

  private static String seconds(double ms) {
    return Double.isNaN(ms) ? "–" : String.format("%.2f", ms / 1000);
  }

}
