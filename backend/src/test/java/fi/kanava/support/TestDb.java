package fi.kanava.support;

import fi.kanava.infra.DbTarget;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL (real binaries) for the whole test JVM; each caller gets a new, empty
 * database in it, so every test class starts from nothing.
 */
public final class TestDb {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  private TestDb() {}

  private static synchronized EmbeddedPostgres server() {
    if (postgres == null) {
      try {
        postgres = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          postgres.close();
        } catch (IOException ignored) {
          // the JVM is going away; the temporary data directory goes with the process
        }
      }));
    }
    return postgres;
  }

  /** A fresh, empty database (no schema yet). Blocking: call it from the test thread. */
  public static DbTarget newDatabase() {
    EmbeddedPostgres server = server();
    String name = "kanava_test_" + COUNTER.incrementAndGet();
    try (Connection c = server.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return new DbTarget("127.0.0.1", server.getPort(), name, "postgres", "postgres");
  }
}
