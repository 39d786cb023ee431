package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.ext.web.client.WebClient;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery latency with the patients on one node and the nurses on a given node, both connected
 * to the nodes directly (not through HAProxy), so that it is known which node each socket is on:
 * the same node for the one-node figure, the other node for the cross-node one (every message then
 * crosses the clustered event bus). The conversations are closed at the end.
 */
final class LatencyPhase {
  private static final Logger log = LoggerFactory.getLogger(LatencyPhase.class);

  record Result(String label, Latency steady, double delivered, int conversations, PhaseStats.Integrity integrity) {}

  private LatencyPhase() {}

  static Result run(Settings s, Loops loops, WebClient http, String label, DrillNode patientNode, DrillNode nurseNode) {
    PhaseStats stats = new PhaseStats(label);
    Faults none = new Faults();
    KanavaApi patientApi = new KanavaApi(http, patientNode.httpPort);
    KanavaApi nurseApi = new KanavaApi(http, nurseNode.httpPort);
    int textLength = s.integer("text-length");
    List<DrillNurse> nurses = Work.bounded(s.integer("nurses"), 4, 300, i -> nurseApi.login(Run.username(i), KanavaApi.NURSE_PASSWORD)
        .compose(token -> {
          DrillNurse nurse = new DrillNurse(loops, nurseNode.httpPort, textLength, stats, none);
          return nurse.start(token).map(nurse);
        })).stream().filter(Objects::nonNull).toList();
    List<DrillPatient> patients = Work.bounded(s.integer("conversations"), s.integer("connect-concurrency"), 600, i -> {
      DrillPatient p = new DrillPatient(loops, patientApi, patientNode.httpPort, textLength, stats, none);
      return p.enter(s.integer("accept-timeout-seconds") * 1000L).map(p).recover(e -> {
        p.stop();
        return Future.succeededFuture(null);
      });
    }).stream().filter(Objects::nonNull).toList();
    log.info("{}: {} nurses on {}, {} patients on {}", label, nurses.size(), nurseNode.name, patients.size(), patientNode.name);
    long interval = s.integer("message-interval-ms");
    for (int i = 0; i < patients.size(); i++) {
      patients.get(i).startSending(interval, i * interval / Math.max(1, patients.size()));
    }
    Latency steady = new Latency();
    double seconds = s.decimal("drill-cross-seconds");
    Work.pause(5);
    stats.window = steady;
    Work.pause(seconds);
    stats.window = null;
    patients.forEach(DrillPatient::stopSending);
    Work.await(stats.drained(), s.integer("drain-seconds"));
    PhaseStats.Integrity integrity = stats.integrity(false);
    Work.await(Future.join(nurses.stream().map(DrillNurse::closeAll).toList()), 60);
    patients.forEach(ResumingClient::stop);
    nurses.forEach(ResumingClient::stop);
    log.info("{}: p50 {} ms, p99 {} ms over {} deliveries", label, Latency.ms(steady.percentileMs(50)), Latency.ms(steady.percentileMs(99)),
        steady.count());
    return new Result(label, steady, steady.count() / seconds, patients.size(), integrity);
  }
}
