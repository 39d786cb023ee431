package fi.kanava.infra;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versioned SQL migrations (classpath:db/migration), run as the owner role. After every run, the
 * callback in classpath:db/grants gives the application role exactly the privileges the server's
 * SQL needs (docs/architecture.md, "Data"). Blocking JDBC: run on a worker or in main.
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  public static void migrate(Database db) {
    DbTarget owner = db.owner();
    List<String> locations = new ArrayList<>(List.of("classpath:db/migration"));
    if (db.ownerIsApp()) {
      log.warn("db.migration.user is not set: the migrations run as the server's own role {}, which therefore owns the tables and could"
          + " change or delete audit rows and messages. Set db.migration.user and db.migration.password (docs/security.md, \"Database roles\")",
          db.app().user());
    } else {
      locations.add("classpath:db/grants");
    }
    Flyway flyway =
        Flyway.configure()
            .dataSource(owner.jdbcUrl(), owner.user(), owner.password())
            .locations(locations.toArray(String[]::new))
            .placeholders(Map.of("application_role", quoted(db.app().user())))
            .failOnMissingLocations(true)
            .load();
    var result = flyway.migrate();
    var current = flyway.info().current();
    log.info("Database schema at version {} ({} migration(s) applied now)",
        current == null ? "none" : current.getVersion(), result.migrationsExecuted);
  }

  /** A role name as an SQL identifier, whatever characters it has. */
  static String quoted(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }
}
