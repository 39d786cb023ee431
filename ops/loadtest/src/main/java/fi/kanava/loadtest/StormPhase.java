package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle connections on one node, then a reconnect storm: with the other node in maintenance in
 * HAProxy (its open sockets kept), N idle authenticated patient sockets connect through HAProxy and
 * so all land on the victim node, whose memory is measured before and after them (after a full GC,
 * as the idle phase does). The other node is put back, and the victim is killed with SIGKILL: all N
 * reconnect through HAProxy at once, onto the other node, which meanwhile carries the drill's
 * conversations. Measured: how long until every one of them is {@code ready} again.
 */
final class StormPhase {
  private static final Logger log = LoggerFactory.getLogger(StormPhase.class);

  record Result(int requested, int opened, double openSeconds, IdlePhase.Memory before, IdlePhase.Memory after,
      IdlePhase.PerConnection perConnection, Faults.Fault storm, double allResumedSeconds, PhaseStats stats) {}

  private StormPhase() {}

  static Result run(Settings s, Loops loops, WebClient http, Haproxy haproxy, DrillNode victim, DrillNode other, Faults drillFaults)
      throws IOException {
    int n = s.integer("drill-idle-clients");
    PhaseStats stats = new PhaseStats("storm");
    Faults faults = new Faults();
    KanavaApi direct = new KanavaApi(http, victim.httpPort);
    KanavaApi balanced = new KanavaApi(http, haproxy.port);
    haproxy.state(other.name, "maint");
    IdlePhase.Memory before = IdlePhase.measure(victim.pid(), direct);
    long started = System.nanoTime();
    List<IdleClient> clients = Work.bounded(n, s.integer("connect-concurrency"), 600 + n / 20, i -> {
      IdleClient c = new IdleClient(loops, balanced, haproxy.port, stats, faults);
      return c.open(60_000).map(c).recover(e -> {
        c.stop();
        return Future.succeededFuture(null);
      });
    }).stream().filter(Objects::nonNull).toList();
    double openSeconds = (System.nanoTime() - started) / 1e9;
    log.info("Storm: {} of {} idle sockets open on {} after {} s", clients.size(), n, victim.name, String.format("%.1f", openSeconds));
    IdlePhase.Memory after = IdlePhase.measure(victim.pid(), direct);
    IdlePhase.PerConnection per = IdlePhase.PerConnection.between(before, after, clients.size());
    haproxy.state(other.name, "ready");
    haproxy.awaitUp(other.name, 60);

    String name = "kill -9 of " + victim.name + " holding " + clients.size() + " idle sockets (reconnect storm)";
    drillFaults.begin(name);
    Faults.Fault storm = faults.begin(name);
    log.info("Storm: kill -9 {} (pid {})", victim.name, victim.pid());
    victim.kill();
    long deadline = System.nanoTime() + s.integer("drill-storm-timeout-seconds") * 1_000_000_000L;
    double allResumed = Double.NaN;
    while (System.nanoTime() < deadline) {
      if (storm.resumed.count() >= clients.size()) {
        allResumed = storm.resumed.maxMs() / 1000;
        break;
      }
      Work.pause(0.2);
    }
    log.info("Storm: {} of {} resumed; all after {} s", storm.resumed.count(), clients.size(), allResumed);
    clients.forEach(ResumingClient::stop);
    return new Result(n, clients.size(), openSeconds, before, after, per, storm, allResumed, stats);
  }
}
