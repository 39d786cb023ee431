package fi.kanava.infra;

import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Versioned SQL migrations (classpath:db/migration). Blocking JDBC: run on a worker or in main. */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  public static void migrate(DbTarget target) {
    Flyway flyway =
        Flyway.configure()
            .dataSource(target.jdbcUrl(), target.user(), target.password())
            .locations("classpath:db/migration")
            .failOnMissingLocations(true)
            .load();
    var result = flyway.migrate();
    var current = flyway.info().current();
    log.info("Database schema at version {} ({} migration(s) applied now)",
        current == null ? "none" : current.getVersion(), result.migrationsExecuted);
  }
}
