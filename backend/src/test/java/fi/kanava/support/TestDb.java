package fi.kanava.support;

import fi.kanava.infra.Database;
import fi.kanava.infra.DbTarget;
import fi.kanava.infra.EmbeddedDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded PostgreSQL (real binaries) for the whole test JVM; each caller gets a new, empty
 * database in it, so every test class starts from nothing. As in production, the database is
 * owned by {@link EmbeddedDatabase#OWNER}, which runs the migrations, and the server connects as
 * {@link EmbeddedDatabase#APP}, so what the tests do, they do with the server's privileges.
 *
 * <p>This server is zonky's default, not {@link EmbeddedDatabase}: fsync and synchronous commit
 * off, trust authentication. Nothing here outlives the test JVM or must survive a crash, and the
 * suite commits tens of thousands of times, each of which would otherwise wait for the disk. The
 * durable settings and password authentication are tested on {@link EmbeddedDatabase} itself
 * (EmbeddedDatabaseTest); the privileges, which trust does not change, on this server
 * (DatabaseRolesTest).
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
      execute("create role " + EmbeddedDatabase.OWNER + " login", "create role " + EmbeddedDatabase.APP + " login");
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

  private static void execute(String... statements) {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      for (String statement : statements) {
        s.execute(statement);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A fresh, empty database (no schema yet) owned by the owner role. Blocking: call it from the test thread. */
  public static Database newDatabase() {
    EmbeddedPostgres server = server();
    String name = "kanava_test_" + COUNTER.incrementAndGet();
    execute("create database " + name + " owner " + EmbeddedDatabase.OWNER, "revoke all on database " + name + " from public",
        "grant connect on database " + name + " to " + EmbeddedDatabase.APP);
    DbTarget owner = new DbTarget("127.0.0.1", server.getPort(), name, EmbeddedDatabase.OWNER, "unused: trust");
    return new Database(owner, owner.as(EmbeddedDatabase.APP, "unused: trust"), Optional.empty());
  }
}
