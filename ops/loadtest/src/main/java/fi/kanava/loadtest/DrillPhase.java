package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault drill's traffic and faults. Nurses and patients connect through the balancers, taking
 * them in turn (each client stays with its own: it reconnects through it); each patient
 * sends a message every interval and its nurse answers each, for the whole drill. After a calm
 * warm-up one node is killed with SIGKILL and started again; later PostgreSQL is stopped and
 * started. The clients resume on their own ({@link ResumingClient}). At the end sending stops and
 * every message gets time to arrive before lost and duplicated ones are counted.
 */
final class DrillPhase {
  private static final Logger log = LoggerFactory.getLogger(DrillPhase.class);

  record Result(PhaseStats stats, PhaseStats.Integrity integrity, Latency calm, List<Faults.Fault> faults, int patients, int nurses,
      boolean drained, StormPhase.Result storm) {}

  private DrillPhase() {}

  /**
   * Waits until every client the fault disturbed has resumed (at most drill-resume-timeout-seconds),
   * so that the next fault meets a settled system, then drill-settle-seconds more.
   */
  private static void settle(Settings s, Faults faults, Faults.Fault fault) {
    long deadline = System.nanoTime() + s.integer("drill-resume-timeout-seconds") * 1_000_000_000L;
    while (fault.resumed.count() < fault.disturbed.sum() && System.nanoTime() < deadline) {
      Work.pause(0.2);
    }
    log.info("Drill: {} of {} disturbed clients resumed after {}", fault.resumed.count(), fault.disturbed.sum(), fault.name);
    faults.quiet("no fault (after: " + fault.name + ")");
    Work.pause(s.decimal("drill-settle-seconds"));
  }

  static Result run(Settings s, Loops loops, Balancers balancers, List<DrillNode> nodes, DrillPostgres pg, WebClient http) throws Exception {
    PhaseStats stats = new PhaseStats("drill");
    Faults faults = new Faults();
    int textLength = s.integer("text-length");
    List<DrillNurse> nurses = Work.bounded(s.integer("nurses"), 4, 300, i -> new KanavaApi(http, balancers.of(i).port)
        .login(Run.username(i), KanavaApi.NURSE_PASSWORD).compose(token -> {
          DrillNurse nurse = new DrillNurse(loops, balancers.of(i).port, textLength, stats, faults);
          return nurse.start(token).map(nurse);
        }));
    if (nurses.contains(null)) {
      throw new IllegalStateException("Not every nurse could sign in and go available: " + stats.errors());
    }
    long acceptMs = s.integer("accept-timeout-seconds") * 1000L;
    List<DrillPatient> patients = Work.bounded(s.integer("conversations"), s.integer("connect-concurrency"), 600, i -> {
      DrillPatient p = new DrillPatient(loops, new KanavaApi(http, balancers.of(i).port), balancers.of(i).port, textLength, stats, faults);
      return p.enter(acceptMs).map(p).recover(e -> {
        p.stop();
        return Future.succeededFuture(null);
      });
    }).stream().filter(Objects::nonNull).toList();
    log.info("Drill: {} nurses, {} of {} conversations accepted", nurses.size(), patients.size(), s.integer("conversations"));
    if (patients.isEmpty()) {
      throw new IllegalStateException("No conversation was accepted: " + stats.errors());
    }

    long interval = s.integer("message-interval-ms");
    for (int i = 0; i < patients.size(); i++) {
      patients.get(i).startSending(interval, i * interval / patients.size());
    }
    Latency calm = new Latency();
    Work.pause(Math.min(5, s.decimal("drill-warmup-seconds") / 3));
    stats.window = calm;
    Work.pause(s.decimal("drill-warmup-seconds") - Math.min(5, s.decimal("drill-warmup-seconds") / 3));
    stats.window = null;

    DrillNode victim = nodes.get(0);
    Faults.Fault kill = faults.begin("kill -9 of " + victim.name + ", started again after " + s.text("drill-node-down-seconds") + " s");
    log.info("Drill: kill -9 {} (pid {})", victim.name, victim.pid());
    victim.kill();
    Work.pause(s.decimal("drill-node-down-seconds"));
    victim.start(http);
    kill.recoveredNanos = System.nanoTime();
    kill.detail = String.format("%s was ready again (demo data loaded, /health/ready 200) %.1f s after the kill", victim.name,
        (kill.recoveredNanos - kill.startNanos) / 1e9);
    settle(s, faults, kill);

    Faults.Fault db = faults.begin("PostgreSQL stopped (fast shutdown), started again after " + s.text("drill-db-down-seconds") + " s");
    log.info("Drill: stopping PostgreSQL");
    pg.stop();
    Work.pause(s.decimal("drill-db-down-seconds"));
    pg.startAgain();
    db.recoveredNanos = System.nanoTime();
    db.detail = String.format("PostgreSQL accepted connections again %.1f s after the stop began", (db.recoveredNanos - db.startNanos) / 1e9);
    settle(s, faults, db);

    StormPhase.Result storm = null;
    if (s.integer("drill-idle-clients") > 0) {
      storm = StormPhase.run(s, loops, http, balancers, victim, nodes.get(1), faults);
      Work.pause(Math.min(10, s.decimal("drill-settle-seconds")));
    }

    log.info("Drill: stopping the senders and waiting for every message to arrive");
    patients.forEach(DrillPatient::stopSending);
    long drainDeadline = System.nanoTime() + s.integer("drain-seconds") * 1_000_000_000L;
    boolean drained = Work.await(stats.drained(), s.integer("drain-seconds"));
    PhaseStats.Integrity integrity = stats.integrity(false);
    // a message acknowledged but still on its way counts as lost only once the drain time is over
    while (integrity.lost() > 0 && System.nanoTime() < drainDeadline) {
      Work.pause(0.2);
      integrity = stats.integrity(false);
    }
    patients.forEach(ResumingClient::stop);
    nurses.forEach(ResumingClient::stop);
    log.info("Drill done: sent {}, acknowledged {}, delivered {}, lost {}, duplicated {}", stats.sent.sum(), stats.acked.sum(),
        stats.delivered.sum(), integrity.lost(), integrity.duplicated());
    return new Result(stats, integrity, calm, faults.all(), patients.size(), nurses.size(), drained, storm);
  }
}
