package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle connections on one node, then a reconnect storm: with the other node in maintenance on every
 * balancer (its open sockets kept), N idle authenticated patient sockets connect through the
 * balancers, taken in turn, and so all land on the victim node, whose memory is measured before and
 * after them (after a full GC, as the idle phase does). The other node is put back on every
 * balancer, and the victim is killed with SIGKILL: all N reconnect, each through the balancer it
 * used, onto the other node, which meanwhile carries the drill's conversations. Measured: how long
 * until every one of them is {@code ready} again, and the open descriptors of every process at the
 * two peaks (the file-descriptor limit is what bounds N on one machine).
 */
final class StormPhase {
  private static final Logger log = LoggerFactory.getLogger(StormPhase.class);

  /** How a balancer carried the storm: its share of the clients and its frontend's sessions (the drill's included). */
  record Landing(String balancer, int clients, long sessionsOpen, long sessionsResumed, long sessionsTotal) {}

  record Result(int requested, int opened, double openSeconds, IdlePhase.Memory before, IdlePhase.Memory after,
      IdlePhase.PerConnection perConnection, Faults.Fault storm, double allResumedSeconds, PhaseStats stats, List<Landing> landings,
      Map<String, Long> descriptorsOpen, Map<String, Long> descriptorsResumed) {}

  private StormPhase() {}

  static Result run(Settings s, Loops loops, WebClient http, Balancers balancers, DrillNode victim, DrillNode other, Faults drillFaults)
      throws IOException {
    int n = s.integer("drill-idle-clients");
    PhaseStats stats = new PhaseStats("storm");
    Faults faults = new Faults();
    KanavaApi direct = new KanavaApi(http, victim.httpPort);
    balancers.state(other.name, "maint");
    IdlePhase.Memory before = IdlePhase.measure(victim.pid(), direct);
    long started = System.nanoTime();
    AtomicIntegerArray landed = new AtomicIntegerArray(balancers.all().size());
    List<IdleClient> clients = Work.bounded(n, s.integer("connect-concurrency"), 600 + n / 20, i -> {
      Haproxy through = balancers.of(i);
      IdleClient c = new IdleClient(loops, new KanavaApi(http, through.port), through.port, stats, faults);
      return c.open(60_000).map(v -> {
        landed.incrementAndGet(balancers.index(i));
        return c;
      }).recover(e -> {
        stats.error("idle patient not opened: " + ResumingClient.reason(e));
        c.stop();
        return Future.succeededFuture(null);
      });
    }).stream().filter(Objects::nonNull).toList();
    double openSeconds = (System.nanoTime() - started) / 1e9;
    log.info("Storm: {} of {} idle sockets open on {} after {} s", clients.size(), n, victim.name, String.format("%.1f", openSeconds));
    Map<String, Long> fdsOpen = descriptors(balancers, victim, other);
    List<long[]> sessionsOpen = sessions(balancers);
    log.info("Storm: open descriptors {}", fdsOpen);
    IdlePhase.Memory after = IdlePhase.measure(victim.pid(), direct);
    IdlePhase.PerConnection per = IdlePhase.PerConnection.between(before, after, clients.size());
    balancers.state(other.name, "ready");
    balancers.awaitUp(other.name, 60);

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
    Map<String, Long> fdsResumed = descriptors(balancers, victim, other);
    List<long[]> sessionsResumed = sessions(balancers);
    log.info("Storm: open descriptors {}", fdsResumed);
    List<Landing> landings = new ArrayList<>();
    for (int b = 0; b < balancers.all().size(); b++) {
      landings.add(new Landing(balancers.all().get(b).name, landed.get(b), sessionsOpen.get(b)[0], sessionsResumed.get(b)[0], sessionsResumed.get(b)[1]));
    }
    clients.forEach(ResumingClient::stop);
    return new Result(n, clients.size(), openSeconds, before, after, per, storm, allResumed, stats, landings, fdsOpen, fdsResumed);
  }

  /** Open descriptors of the harness, every balancer's worker and both nodes (-1: gone, as the killed node). */
  private static Map<String, Long> descriptors(Balancers balancers, DrillNode victim, DrillNode other) {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("harness", Descriptors.open(ProcessHandle.current().pid()));
    for (Haproxy h : balancers.all()) {
      long pid;
      try {
        pid = h.workerPid();
      } catch (IOException e) {
        pid = -1;
      }
      out.put(h.name, pid < 0 ? -1 : Descriptors.open(pid));
    }
    out.put(victim.name, Descriptors.open(victim.pid()));
    out.put(other.name, Descriptors.open(other.pid()));
    return out;
  }

  private static List<long[]> sessions(Balancers balancers) throws IOException {
    List<long[]> out = new ArrayList<>();
    for (Haproxy h : balancers.all()) {
      out.add(h.frontendSessions());
    }
    return out;
  }
}
