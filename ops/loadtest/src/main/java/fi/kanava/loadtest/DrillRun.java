package fi.kanava.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault drill ({@code --profile drill}, issue 14): its own PostgreSQL, two clustered Kanava
 * nodes on it, Debian's HAProxy with the shipped configuration in front (two of them by default:
 * {@link Balancers}), then {@link DrillPhase} (traffic through the balancers, a node killed and started again, PostgreSQL stopped and started) and a
 * check of the database against what the clients saw acknowledged. Children are stopped however
 * the run ends.
 */
final class DrillRun implements HarnessRun {
  private static final Logger log = LoggerFactory.getLogger(DrillRun.class);

  private final Settings s;
  private final Report report;
  private final Vertx vertx;
  private final WebClient http;
  private final List<DrillNode> nodes = new ArrayList<>();
  private volatile DrillPostgres pg;
  private volatile Balancers balancers;
  private DrillPhase.Result drill;
  private LatencyPhase.Result single;
  private LatencyPhase.Result cross;
  private DrillStore.Check store;
  private boolean targetsDone;

  DrillRun(Settings s, Report report, Vertx vertx) {
    this.s = s;
    this.report = report;
    this.vertx = vertx;
    this.http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setConnectTimeout(10_000),
        new PoolOptions().setHttp1MaxSize(64).setEventLoopSize(s.integer("event-loops")));
  }

  @Override
  public void execute() throws Exception {
    Loops loops = Loops.start(vertx, s.integer("event-loops"), s.integer("source-addresses"));
    Path work = s.path("work-dir");
    Files.createDirectories(work);
    Path data = Files.createTempDirectory(work, "pg-");
    pg = DrillPostgres.start(data, KanavaServer.freePort());
    String key = Base64.getEncoder().encodeToString(new SecureRandom().generateSeed(32));
    int[] cluster = {KanavaServer.freePort(), KanavaServer.freePort()};
    List<String> members = List.of("127.0.0.1:" + cluster[0], "127.0.0.1:" + cluster[1]);
    for (int i = 0; i < 2; i++) {
      DrillNode node = new DrillNode(s, "node" + (i + 1), KanavaServer.freePort(), cluster[i], KanavaServer.freePort(), members, pg, key);
      nodes.add(node);
      // one after the other: the first runs the migrations and loads the demo data
      node.start(http);
    }
    balancers = Balancers.start(s, http, nodes);
    setUp(data);
    Run.staff(s, new KanavaApi(http, balancers.of(0).port));
    if (s.decimal("drill-cross-seconds") > 0) {
      single = LatencyPhase.run(s, loops, http, "one node", nodes.get(0), nodes.get(0));
      cross = LatencyPhase.run(s, loops, http, "cross-node", nodes.get(0), nodes.get(1));
      DrillReport.latency(report, s, single, cross);
    }
    drill = DrillPhase.run(s, loops, balancers, nodes, pg, http);
    store = DrillStore.check(vertx, pg, drill.stats().ledgers());
    DrillReport.drill(report, s, drill, store);
    nodes.forEach(n -> DrillReport.problems(report, n.name, n.problems()));
  }

  private void setUp(Path data) {
    report.section("Drill set-up");
    report.line("- PostgreSQL: zonky's binaries (as the server embeds), started by the harness on 127.0.0.1:" + pg.port() + " with data in "
        + data + "; fsync, synchronous_commit and full_page_writes on. Stopped with a fast shutdown and started again during the drill.");
    for (DrillNode n : nodes) {
      report.line("- " + n.name + ": `" + s.javaCommand() + " " + s.text("server-java-opts") + " -cp " + s.path("server-jar") + " fi.kanava.Main --demo`,"
          + " environment `" + n.describeEnvironment() + "`.");
    }
    for (Haproxy h : balancers.all()) {
      report.line("- " + h.name + ": `" + Haproxy.BINARY + " -W -db -f " + s.path("haproxy-config") + "`, environment `" + h.describeEnvironment()
          + "`.");
    }
    report.line("- Every client connects through a balancer (" + balancers.all().size() + ", taken in turn: client i through balancer i mod "
        + balancers.all().size() + ") and reconnects through the same one. A node's maintenance is set on every balancer.");
    report.line("- Open-file descriptors the settings need at most, estimated before the start: " + Descriptors.describe(Descriptors.estimate(s))
        + " (hard limit " + Descriptors.hardLimit() + ").");
  }

  @Override
  public void stopChildren() {
    Balancers b = balancers;
    if (b != null) {
      b.stop();
    }
    for (DrillNode n : List.copyOf(nodes)) {
      n.stop();
    }
    DrillPostgres p = pg;
    if (p != null) {
      p.close();
    }
  }

  @Override
  public synchronized void targets() {
    if (targetsDone) {
      return;
    }
    targetsDone = true;
    DrillReport.targets(report, s, drill, store, single, cross);
    log.debug("Targets added");
  }

}
