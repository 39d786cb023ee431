package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run, phase by phase: start Kanava, read its database's durability settings, set up nurses
 * and the queue, chat, idle connections, saturation; then, while the idle server keeps its database
 * running, the durable relay on that database; stop Kanava; start the bare relay and step it the
 * same way; then the targets. Children are stopped however the run ends.
 */
final class Run implements HarnessRun {
  private static final Logger log = LoggerFactory.getLogger(Run.class);

  private final Settings s;
  private final Report report;
  private final Vertx vertx;
  private final WebClient http;
  private volatile KanavaServer server;
  private volatile RelayServer relay;
  private ChatPhase.Result chat;
  private IdlePhase.Result idle;
  private SaturationPhase.Result kanava;
  private SaturationPhase.Result durable;
  private SaturationPhase.Result baseline;
  /** The server's database as the harness reaches it; null until the server runs, or when it could not be reached. */
  private Database db;
  /** Its durability settings as read back; null when they could not be read. */
  private Database.Durability durability;
  private boolean targetsDone;
  /** The average size of the message frames Kanava delivered, for the relay's frames. */
  private double frameChars;

  Run(Settings s, Report report, Vertx vertx) {
    this.s = s;
    this.report = report;
    this.vertx = vertx;
    this.http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setConnectTimeout(10_000),
        new PoolOptions().setHttp1MaxSize(64).setEventLoopSize(s.integer("event-loops")));
  }

  @Override
  public void execute() throws Exception {
    Loops loops = Loops.start(vertx, s.integer("event-loops"), s.integer("source-addresses"));
    if (s.runs("chat") || s.runs("idle") || s.runs("saturation") || s.runs("durable")) {
      try {
        kanava(loops);
        if (s.runs("durable")) {
          durable = durable(loops);
        }
      } finally {
        if (db != null) {
          db.close();
        }
        if (server != null) {
          serverLog();
          server.stop();
        }
      }
    }
    if (s.runs("baseline")) {
      baseline = baseline(loops);
    }
  }

  /** The phases against Kanava, in order. */
  private void kanava(Loops loops) throws Exception {
    server = KanavaServer.start(s, http);
    report.section("Server under test");
    String opts = s.text("server-java-opts").isBlank() ? "" : " " + s.text("server-java-opts").strip();
    report.line("- `" + s.javaCommand() + opts + " -jar " + s.path("server-jar") + " --demo` (pid " + server.pid() + "), environment: `"
        + server.describeEnvironment() + "`; JVM defaults otherwise (heap, GC, event loops).");
    readDurability();
    if (!(s.runs("chat") || s.runs("idle") || s.runs("saturation"))) {
      return;
    }
    KanavaApi api = new KanavaApi(http, server.port);
    List<NurseSim> nurses = nurses(loops, api, new PhaseStats("setup"));
    if (s.runs("chat")) {
      chat = ChatPhase.run(s, loops, api, server, nurses, report);
    }
    if (s.runs("idle")) {
      idle = IdlePhase.run(s, loops, api, server, report);
    }
    if (s.runs("saturation")) {
      PhaseStats stats = new PhaseStats("saturation");
      nurses.forEach(n -> n.phase(stats));
      kanava = SaturationPhase.run(s, "Kanava", kanavaPairs(loops, api, stats), stats, server.resources(), false, report);
      frameChars = stats.averageDeliveredFrameChars();
    }
    Work.await(Future.join(nurses.stream().map(NurseSim::stop).toList()), 30);
  }

  /**
   * Connects to the server's database and reads back its durability settings for the report; a
   * failure is reported (and leaves the durable relay without a database), it does not stop the run.
   */
  private void readDurability() {
    String where = server.postgresDataDir() != null ? "the embedded PostgreSQL the server started (data in " + server.postgresDataDir() + ")"
        : "`" + s.text("db-url") + "`";
    Database connected = null;
    try {
      connected = Database.connect(vertx, server.database(s));
      durability = connected.durability();
      db = connected;
      report.line("- Database: " + where + ". Read back with SHOW as " + db.describe() + ": **" + durability.describe() + "**"
          + (durability.on() ? "." : ": commits are **not** durable, so persistence is cheaper than on a production database."));
    } catch (Exception e) {
      if (connected != null) {
        connected.close();
      }
      log.warn("Could not read the database's durability settings: {}", e.getMessage());
      report.line("- Database: " + where + ". Its durability settings could not be read (" + e.getMessage() + "); set --db-user,"
          + " --db-password-file or --db-password-key (docs/performance.md). The durable relay cannot run without it.");
    }
  }

  /** Nurse accounts (created through the admin API), the queue, and one signed-in, available socket per nurse. */
  private List<NurseSim> nurses(Loops loops, KanavaApi api, PhaseStats setup) throws Exception {
    int count = s.integer("nurses");
    staff(s, api);
    List<NurseSim> nurses = Work.bounded(count, 4, 300, i -> api.login(username(i), KanavaApi.NURSE_PASSWORD).compose(token -> {
      NurseSim nurse = new NurseSim(username(i), loops, server.port, s.integer("text-length"), setup);
      return nurse.start(token).map(nurse);
    }));
    if (nurses.contains(null)) {
      throw new IllegalStateException("Not every nurse could sign in and go available: " + setup.errors());
    }
    log.info("{} nurses available (capacity {} each) in queue {}", count, s.integer("nurse-capacity"), PatientSim.QUEUE);
    return nurses;
  }

  /** Creates the nurse accounts (through the admin API) and the load-test queue they serve. */
  static void staff(Settings s, KanavaApi api) throws Exception {
    int count = s.integer("nurses");
    String admin = api.login("admin", KanavaApi.DEMO_PASSWORD).await(60, TimeUnit.SECONDS);
    List<String> ids = Work.bounded(count, 4, 300, i -> api.createNurse(admin, username(i), "Kuorma Hoitaja " + (i + 1))
        .compose(id -> api.capacity(admin, id, s.integer("nurse-capacity")).map(id)));
    if (ids.contains(null)) {
      throw new IllegalStateException("Could not create the nurse accounts");
    }
    api.createQueue(admin, PatientSim.QUEUE).await(60, TimeUnit.SECONDS);
    api.members(admin, PatientSim.QUEUE, ids).await(60, TimeUnit.SECONDS);
  }

  static String username(int i) {
    return String.format("lt-nurse-%03d", i + 1);
  }

  /** The saturation phase's patients, each accepted by a nurse and waiting to be driven. */
  private List<PatientSim> kanavaPairs(Loops loops, KanavaApi api, PhaseStats stats) {
    int pairs = s.integer("sat-pairs");
    if (pairs > s.integer("nurses") * s.integer("nurse-capacity")) {
      report.note("sat-pairs is larger than nurses × nurse-capacity: the extra patients wait in the queue and time out.");
    }
    long timeoutMs = s.integer("accept-timeout-seconds") * 1000L;
    List<PatientSim> out = Work.bounded(pairs, s.integer("connect-concurrency"), 120 + pairs / 10, i -> {
      PatientSim p = new PatientSim(loops, api, server.port, s.integer("text-length"), timeoutMs, stats);
      return p.open().compose(v -> p.enter()).map(p).recover(e -> p.abandon().map((PatientSim) null));
    }).stream().filter(Objects::nonNull).toList();
    log.info("Saturation: {} of {} conversations accepted", out.size(), pairs);
    return out;
  }

  /**
   * The durable relay on the server's database (the server is idle meanwhile), and a check that it
   * stored every message once. A relay that cannot run is noted; the run goes on.
   */
  private SaturationPhase.Result durable(Loops loops) {
    if (db == null) {
      report.note("The durable relay did not run: the harness could not connect to the server's database (see Server under test).");
      return null;
    }
    try {
      db.prepareRelayTable();
      relay = RelayServer.durable(s, db, server.postgresDataDir());
      PhaseStats stats = new PhaseStats("durable relay");
      SaturationPhase.Result result = relayPhase(loops, "durable relay (baseline)", stats);
      relay.stop();
      long stored = db.relayRows();
      long sent = stats.sent.sum();
      report.line("- The bare relay plus, before forwarding, an insert of each message into the server's PostgreSQL (" + db.describe()
          + ", table `" + RelayStore.TABLE + "`, created afresh): group commit as Kanava's (messages that arrive on an event loop while"
          + " its previous insert is at the database go together in one insert of at most " + RelayStore.MAX_BATCH + ", no timer);"
          + " no authentication, no access check, no acknowledgement. Kanava's server ran, idle, meanwhile.");
      report.line("- Durability, read back with SHOW: " + durability.describe() + ".");
      report.line(String.format("- Stored: %,d rows for %,d messages sent%s.", stored, sent,
          stored == sent ? " (each stored once)" : " (**mismatch**: not every message was stored exactly once)"));
      if (stored != sent) {
        report.note(String.format("The durable relay stored %,d rows for %,d messages sent.", stored, sent));
      }
      return result;
    } catch (Exception e) {
      log.error("The durable relay failed", e);
      report.note("The durable relay failed: " + e.getMessage() + " (its log: " + s.path("work-dir").resolve("durable-relay.log") + ").");
      return null;
    } finally {
      if (relay != null) {
        relay.stop();
      }
    }
  }

  private SaturationPhase.Result baseline(Loops loops) throws Exception {
    relay = RelayServer.bare(s);
    try {
      return relayPhase(loops, "bare relay (baseline)", new PhaseStats("baseline"));
    } finally {
      relay.stop();
    }
  }

  /** Steps the running relay like Kanava, with as many pairs and frames of the size Kanava delivered. */
  private SaturationPhase.Result relayPhase(Loops loops, String label, PhaseStats stats) {
    // the relayed frame is {"room":"<36-character id>","text":"..."}: 57 characters around the text
    int textLength = frameChars > 0 ? Math.max(40, (int) Math.round(frameChars) - 57) : s.integer("text-length");
    int port = relay.port;
    List<RelayPair> pairs = Work.bounded(s.integer("sat-pairs"), s.integer("connect-concurrency"), 120, i -> {
      RelayPair pair = new RelayPair(loops, port, textLength, stats);
      return pair.open().map(pair);
    }).stream().filter(Objects::nonNull).toList();
    SaturationPhase.Result result = SaturationPhase.run(s, label, pairs, stats, relay.resources(), true, report);
    report.line(frameChars > 0 ? String.format("- Relay text length %d characters, so that relayed frames are the size of Kanava's"
        + " delivered message frames (%.0f characters).", textLength, frameChars)
        : String.format("- Relay text length %d characters (text-length: Kanava's saturation phase did not run).", textLength));
    return result;
  }

  private void serverLog() {
    report.section("Server log");
    report.line("Full log: `" + s.path("work-dir").resolve("kanava-server.log") + "`.");
    report.problems(server.problems());
  }

  /** Stops whatever child still runs; safe to call more than once and from the shutdown hook. */
  @Override
  public void stopChildren() {
    KanavaServer k = server;
    if (k != null) {
      k.stop();
    }
    RelayServer r = relay;
    if (r != null) {
      r.stop();
    }
  }

  /** Adds the targets to the report with whatever was measured. */
  @Override
  public synchronized void targets() {
    if (targetsDone) {
      return;
    }
    targetsDone = true;
    Targets.add(report, s, new Targets.Measured(chat, idle, kanava, durable, baseline, durability));
  }
}
