package fi.kanava.loadtest;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault drill's PostgreSQL: zonky's binaries (the ones the server embeds), run by the harness
 * on its own data directory and port so that the drill can stop it and start it again while the
 * Kanava nodes keep running. Durable as production (fsync, synchronous commit, full-page writes);
 * on loopback with trust for the superuser, which both nodes and the harness connect as. Blocking:
 * call from the harness's main thread.
 */
final class DrillPostgres implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DrillPostgres.class);
  static final String DATABASE = "kanava";
  private static final String USER = "postgres";

  private final Path dataDir;
  private final int port;
  private EmbeddedPostgres postgres;

  private DrillPostgres(Path dataDir, int port) {
    this.dataDir = dataDir;
    this.port = port;
  }

  /** Initialises the data directory, starts PostgreSQL on {@code port} and creates the database. */
  static DrillPostgres start(Path dataDir, int port) throws Exception {
    DrillPostgres pg = new DrillPostgres(dataDir, port);
    pg.up();
    try (Connection c = pg.postgres.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
      s.execute("create database " + DATABASE);
    }
    return pg;
  }

  private void up() throws IOException {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir)
        .setCleanDataDirectory(false)
        .setRegisterShutdownHook(true)
        .setPort(port)
        .setPGStartupWait(Duration.ofSeconds(60));
    builder.setServerConfig("listen_addresses", "127.0.0.1");
    builder.setServerConfig("fsync", "on");
    builder.setServerConfig("synchronous_commit", "on");
    builder.setServerConfig("full_page_writes", "on");
    builder.setServerConfig("max_connections", "300");
    builder.setServerConfig("timezone", "UTC");
    postgres = builder.start();
    log.info("Drill PostgreSQL listening on 127.0.0.1:{} (data in {})", port, dataDir);
  }

  /** Fast shutdown (open connections are cut, as when a database server goes away). */
  synchronized void stop() throws IOException {
    if (postgres != null) {
      log.info("Stopping the drill's PostgreSQL");
      postgres.close();
      postgres = null;
    }
  }

  /** Starts it again on the same port and data directory; returns when it accepts connections. */
  synchronized void startAgain() throws IOException {
    up();
  }

  int port() {
    return port;
  }

  /** How the nodes reach it, as a db.url. */
  String url() {
    return "postgresql://127.0.0.1:" + port + "/" + DATABASE;
  }

  String user() {
    return USER;
  }

  PgConnectOptions options() {
    return new PgConnectOptions().setHost("127.0.0.1").setPort(port).setDatabase(DATABASE).setUser(USER).setPassword("postgres");
  }

  @Override
  public synchronized void close() {
    try {
      stop();
    } catch (IOException e) {
      log.warn("Could not stop the drill's PostgreSQL: {}", e.getMessage());
    }
  }
}
