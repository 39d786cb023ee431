package fi.kanava.loadtest;

/** The targets, each MET / NOT MET with the figure it was judged on. */
final class Targets {
  private Targets() {}

  /** What the run measured; null for what it did not. */
  record Measured(ChatPhase.Result chat, IdlePhase.Result idle, SaturationPhase.Result kanava, SaturationPhase.Result durable,
      SaturationPhase.Result baseline, Database.Durability durability) {}

  static void add(Report report, Settings s, Measured m) {
    ChatPhase.Result chat = m.chat();
    IdlePhase.Result idle = m.idle();
    SaturationPhase.Result kanava = m.kanava();
    int connections = s.integer("target-connections");
    report.target(String.format("%,d concurrent WebSocket connections held", connections),
        idle == null ? null : String.format("%,d of %,d requested opened, %,d still open after %s s", idle.opened(), idle.requested(),
            idle.stillOpen(), s.text("idle-hold-seconds")),
        idle != null && idle.stillOpen() >= connections);

    double rate = s.decimal("target-rate");
    double p99Target = s.decimal("target-p99-ms");
    Database.Durability durability = m.durability();
    report.target(String.format("%s persisted and delivered with p99 under %s ms, durability on", Report.rate(rate), Latency.ms(p99Target)),
        chat == null ? null : String.format("%s sustained (offered %s), steady-state p99 %s ms%s; database %s", Report.rate(chat.sustained()),
            Report.rate(s.chatOfferedRate()), Latency.ms(chat.steady().percentileMs(99)), chat.steadyReached() ? "" : " (no steady state)",
            durability == null ? "durability not read" : durability.brief()),
        chat != null && chat.steadyReached() && chat.sustained() >= 0.97 * rate && chat.steady().percentileMs(99) < p99Target
            && durability != null && durability.on());

    ratio(report, kanava, m.durable(), "durable relay", s.decimal("target-durable-ratio"));
    ratio(report, kanava, m.baseline(), "bare relay", s.decimal("target-ratio"));

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

  /** Kanava's saturation throughput as a share of a relay's: inconclusive when the relay was not saturated. */
  private static void ratio(Report report, SaturationPhase.Result kanava, SaturationPhase.Result relay, String name, double target) {
    double ratio = kanava == null || relay == null || relay.saturation() <= 0 ? Double.NaN : kanava.saturation() / relay.saturation();
    boolean capped = relay != null && relay.capped();
    report.target(String.format("Saturation throughput at least %.0f%% of the %s's", 100 * target, name),
        Double.isNaN(ratio) ? null : String.format("Kanava %s / %s %s = %.0f%%%s", Report.rate(kanava.saturation()), name,
            Report.rate(relay.saturation()), 100 * ratio, capped ? " (inconclusive: the relay was not saturated below sat-max-rate)" : ""),
        !Double.isNaN(ratio) && !capped && ratio >= target);
  }
}
