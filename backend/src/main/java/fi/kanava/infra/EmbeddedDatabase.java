package fi.kanava.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL (real binaries shipped in a Maven artifact) used when no database is
 * configured. Its data directory survives restarts. Start and stop block: call them from main,
 * never from an event loop.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  public static final String DATABASE = "kanava";

  private final EmbeddedPostgres postgres;
  private final DbTarget target;
  private final Path dataDirectory;

  private EmbeddedDatabase(EmbeddedPostgres postgres, DbTarget target, Path dataDirectory) {
    this.postgres = postgres;
    this.target = target;
    this.dataDirectory = dataDirectory;
  }

  public static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir);
    Path absolute = dataDir.toAbsolutePath().normalize();
    log.info("Starting embedded PostgreSQL with data in {}", absolute);
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setDataDirectory(absolute)
            .setCleanDataDirectory(false)
            .setServerConfig("listen_addresses", "localhost").setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on").setServerConfig("full_page_writes", "on");
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres postgres = builder.start();
    try (var connection = postgres.getPostgresDatabase().getConnection();
        var statement = connection.createStatement()) {
      var rs = statement.executeQuery("select 1 from pg_database where datname = '" + DATABASE + "'");
      if (!rs.next()) {
        statement.execute("create database " + DATABASE);
      }
    } catch (java.sql.SQLException e) {
      postgres.close();
      throw new IOException("cannot prepare the embedded database: " + e.getMessage(), e);
    }
    log.info("Embedded PostgreSQL listening on localhost:{}", postgres.getPort());
    return new EmbeddedDatabase(postgres, new DbTarget("127.0.0.1", postgres.getPort(), DATABASE, "postgres", "postgres"), absolute);
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  public DbTarget target() {
    return target;
  }

  @Override
  public void close() throws IOException {
    log.info("Stopping embedded PostgreSQL");
    postgres.close();
  }
}
