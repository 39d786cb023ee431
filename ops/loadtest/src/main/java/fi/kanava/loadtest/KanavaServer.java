package fi.kanava.loadtest;

import io.vertx.ext.web.client.WebClient;
import io.vertx.pgclient.PgConnectOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kanava server under test: {@code java -jar kanava.jar --demo} on a free loopback port with a
 * fresh embedded-database directory (its PostgreSQL on a free port the harness chooses, so that the
 * durable relay can use the same database) or the database of {@code --db-url}, raised
 * per-connection rate limits and access tokens that outlive the run. Stopping sends SIGTERM (the
 * server's shutdown hook stops PostgreSQL), waits, and then makes sure no PostgreSQL of this data
 * directory is left.
 */
final class KanavaServer {
  private static final Logger log = LoggerFactory.getLogger(KanavaServer.class);
  /** The line fi.kanava.DemoData logs when the demo data is complete. */
  static final String DEMO_LOADED = "Demo data loaded";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);
  private static final String PASSWORD_VARIABLE = "KANAVA_DB_PASSWORD";

  final int port;
  final Path dataDir;
  final Map<String, String> env;
  /** The database the server uses; for the embedded one, as far as the harness knows it when the server starts. */
  private final PgConnectOptions db;
  private final boolean embedded;
  private final ChildProcess child;

  private KanavaServer(int port, Path dataDir, Map<String, String> env, PgConnectOptions db, boolean embedded, ChildProcess child) {
    this.port = port;
    this.dataDir = dataDir;
    this.env = env;
    this.db = db;
    this.embedded = embedded;
    this.child = child;
  }

  static KanavaServer start(Settings s, WebClient http) throws Exception {
    Path jar = s.path("server-jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing: build it first with ./mvnw -B -q -DskipTests package");
    }
    Path work = s.path("work-dir");
    Files.createDirectories(work);
    Path dataDir = Files.createTempDirectory(work, "pg-").toAbsolutePath();
    int port = freePort();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KANAVA_HTTP_HOST", "127.0.0.1");
    env.put("KANAVA_HTTP_PORT", Integer.toString(port));
    PgConnectOptions db = Database.configured(s);
    boolean embedded = db == null;
    if (embedded) {
      int dbPort = freePort();
      env.put("KANAVA_DB_EMBEDDED_DATA_DIR", dataDir.toString());
      env.put("KANAVA_DB_EMBEDDED_PORT", Integer.toString(dbPort));
      db = new PgConnectOptions().setHost("127.0.0.1").setPort(dbPort);
    } else {
      env.put("KANAVA_DB_URL", "postgresql://" + db.getHost() + ":" + db.getPort() + "/" + db.getDatabase()
          + (db.getSslMode() == null ? "" : "?sslmode=" + db.getSslMode().value));
      env.put("KANAVA_DB_USER", db.getUser());
      env.put(PASSWORD_VARIABLE, db.getPassword());
    }
    env.putAll(harnessEnvironment(s));
    List<String> command = new ArrayList<>(List.of(s.javaCommand()));
    command.addAll(Arrays.stream(s.text("server-java-opts").split("\\s+")).filter(o -> !o.isBlank()).toList());
    command.addAll(List.of("-jar", jar.toString(), "--demo"));
    ChildProcess child = ChildProcess.start("kanava", command, env, work.resolve("kanava-server.log"), DEMO_LOADED);
    KanavaServer server = new KanavaServer(port, dataDir, env, db, embedded, child);
    try {
      awaitReady(child, http, port);
    } catch (Exception e) {
      server.stop();
      throw new IllegalStateException("Kanava did not start (see " + work.resolve("kanava-server.log") + "): " + e.getMessage(), e);
    }
    log.info("Kanava is ready on 127.0.0.1:{} (pid {}, database in {})", port, child.pid(), dataDir);
    return server;
  }

  /** What every server the harness starts needs: limits raised for many clients from one address, tokens that outlive the run. */
  static Map<String, String> harnessEnvironment(Settings s) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KANAVA_WS_RATE_LIMIT_PER_SECOND", s.text("rate-limit"));
    env.put("KANAVA_WS_RATE_LIMIT_BURST", s.text("rate-burst"));
    // every simulated client comes from 127.0.0.1: the per-address abuse limits would refuse all but a few
    env.put("KANAVA_ABUSE_ANONYMOUS_SESSIONS_BURST", "100000");
    env.put("KANAVA_ABUSE_QUEUE_ENTRIES_BURST", "100000");
    env.put("KANAVA_ABUSE_OPEN_CONVERSATIONS_PER_ADDRESS", "100000");
    env.put("KANAVA_ABUSE_LOGIN_FAILURES_BURST", "100000");
    // sockets close when their access token expires (default five minutes); the run is longer
    env.put("KANAVA_AUTH_ACCESS_TOKEN_TTL", "PT2H");
    return env;
  }

  /** Waits until a starting server has loaded its demo data and answers /health/ready with 200. */
  static void awaitReady(ChildProcess child, WebClient http, int port) throws Exception {
    child.line(DEMO_LOADED).await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    int status = http.get(port, "127.0.0.1", "/health/ready").send().map(r -> r.statusCode()).await(30, TimeUnit.SECONDS);
    if (status != 200) {
      throw new IllegalStateException("/health/ready answered " + status);
    }
  }

  long pid() {
    return child.pid();
  }

  /** The server's environment for the report: the database password, if any, blanked. */
  String describeEnvironment() {
    Map<String, String> shown = new LinkedHashMap<>(env);
    shown.computeIfPresent(PASSWORD_VARIABLE, (k, v) -> "…");
    return shown.toString();
  }

  /** How the harness connects to the server's database (with {@code --db-user} and the password as configured). */
  PgConnectOptions database(Settings s) {
    return embedded ? Database.embedded(s, db.getPort(), dataDir) : new PgConnectOptions(db);
  }

  /** Where the server's PostgreSQL keeps its data, when it runs on this machine under the harness; else null. */
  Path postgresDataDir() {
    return embedded ? dataDir : null;
  }

  List<String> problems() {
    return child.problems();
  }

  Resources resources() {
    return new Resources(child.pid(), postgresDataDir());
  }

  /** Stops the server and its database and removes the data directory. Safe to call twice. */
  synchronized void stop() {
    child.stop(Duration.ofSeconds(60));
    List<Long> leftovers = ProcStats.postgresOf(dataDir);
    if (!leftovers.isEmpty()) {
      log.warn("PostgreSQL of {} still runs after the server stopped; stopping pids {}", dataDir, leftovers);
      leftovers.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
      leftovers.forEach(pid -> ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> h).join()));
    }
    deleteTree(dataDir);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      log.warn("Could not remove {}: {}", dir, e.getMessage());
    }
  }
}
