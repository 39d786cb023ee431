package fi.kanava.loadtest;

/** The five targets, each MET / NOT MET with the figure it was judged on. */
final class Targets {
  private Targets() {}

  static void add(Report report, Settings s, ChatPhase.Result chat, IdlePhase.Result idle, SaturationPhase.Result kanava,
      SaturationPhase.Result baseline) {
    int connections = s.integer("target-connections");
    report.target(String.format("%,d concurrent WebSocket connections held", connections),
        idle == null ? null : String.format("%,d of %,d requested opened, %,d still open after %s s", idle.opened(), idle.requested(),
            idle.stillOpen(), s.text("idle-hold-seconds")),
        idle != null && idle.stillOpen() >= connections);

    double rate = s.decimal("target-rate");
    double p99Target = s.decimal("target-p99-ms");
    report.target(String.format("%s persisted and delivered with p99 under %s ms", Report.rate(rate), Latency.ms(p99Target)),
        chat == null ? null : String.format("%s sustained (offered %s), steady-state p99 %s ms%s", Report.rate(chat.sustained()),
            Report.rate(s.chatOfferedRate()), Latency.ms(chat.steady().percentileMs(99)), chat.steadyReached() ? "" : " (no steady state)"),
        chat != null && chat.steadyReached() && chat.sustained() >= 0.97 * rate && chat.steady().percentileMs(99) < p99Target);

    double ratio = kanava == null || baseline == null || baseline.saturation() <= 0 ? Double.NaN
        : kanava.saturation() / baseline.saturation();
    boolean capped = kanava != null && baseline != null && baseline.capped();
    report.target(String.format("Saturation throughput at least %.0f%% of the bare relay's", 100 * s.decimal("target-ratio")),
        Double.isNaN(ratio) ? null : String.format("Kanava %s / relay %s = %.0f%%%s", Report.rate(kanava.saturation()),
            Report.rate(baseline.saturation()), 100 * ratio, capped ? " (inconclusive: the relay was not saturated below sat-max-rate)" : ""),
        !Double.isNaN(ratio) && !capped && ratio >= s.decimal("target-ratio"));

    double kb = s.decimal("target-kb-per-connection");
    report.target(String.format("Under %s KB of server memory per idle connection", Latency.ms(kb)),
        idle == null ? null : String.format("%.1f KB per connection (live heap + off-heap RSS; plain RSS growth %.1f KB, live heap %.1f KB;"
            + " %,d connections)",
            idle.kbEstimate(), idle.kbRss(), idle.kbHeap(), idle.opened()),
        idle != null && idle.kbEstimate() < kb);

    long lost = 0;
    long duplicated = 0;
    long delivered = 0;
    boolean measured = false;
    for (PhaseStats.Integrity i : new PhaseStats.Integrity[] {chat == null ? null : chat.integrity(),
        kanava == null ? null : kanava.integrity()}) {
      if (i != null) {
        measured = true;
        lost += i.lost();
        duplicated += i.duplicated();
        delivered += i.ledgers();
      }
    }
    report.target("Zero lost or duplicated messages (Kanava: chat and saturation phases)",
        measured ? String.format("lost %,d, duplicated %,d over %,d conversations", lost, duplicated, delivered) : null,
        measured && lost == 0 && duplicated == 0 && delivered > 0);
  }
}
