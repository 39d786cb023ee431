package fi.kanava.infra;

import java.util.Optional;

/**
 * The database a node uses and who connects to it. The owner role runs the migrations and owns
 * every table; the application role serves requests and has only the privileges the server's SQL
 * needs (granted after every migration run, see {@code db/grants}). With the embedded PostgreSQL
 * the node also supervises the database.
 */
public record Database(DbTarget owner, DbTarget app, Optional<EmbeddedDatabase> embedded) {

  /**
   * An external PostgreSQL: the server connects with {@code db.user}, the migrations with
   * {@code db.migration.user} or, when that is not set, with {@code db.user} too (see
   * docs/security.md, "Database roles").
   */
  public static Database external(KanavaConfig.Db config) {
    DbTarget app = DbTarget.fromConfig(config);
    DbTarget owner = config.migrationUser().map(user -> app.as(user, config.migrationPassword().orElse(null))).orElse(app);
    return new Database(owner, app, Optional.empty());
  }

  /** True when no separate owner is configured: the server's own role runs the migrations and owns the tables. */
  public boolean ownerIsApp() {
    return java.util.Objects.equals(owner.user(), app.user());
  }
}
