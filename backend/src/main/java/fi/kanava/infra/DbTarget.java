package fi.kanava.infra;

import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;

/** Where the PostgreSQL server is and who we connect as: enough for both Flyway (JDBC) and the Vert.x pool. */
public record DbTarget(String host, int port, String database, String user, String password, SslMode sslMode) {

  public DbTarget(String host, int port, String database, String user, String password) {
    this(host, port, database, user, password, SslMode.DISABLE);
  }

  public static DbTarget fromConfig(KanavaConfig.Db db) {
    PgConnectOptions options = PgConnectOptions.fromUri(db.url().orElseThrow());
    String user = db.user().orElse(options.getUser());
    String password = db.password().orElse(options.getPassword());
    SslMode ssl = options.getSslMode() == null ? SslMode.DISABLE : options.getSslMode();
    return new DbTarget(options.getHost(), options.getPort(), options.getDatabase(), user, password, ssl);
  }

  /** The same server and database, reached as another user. */
  public DbTarget as(String otherUser, String otherPassword) {
    return new DbTarget(host, port, database, otherUser, otherPassword, sslMode);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?sslmode=" + sslMode.value;
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(database)
        .setUser(user)
        .setPassword(password)
        .setSslMode(sslMode)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256)
        // every statement is prepared and planned once per connection: see docs/architecture.md, "Data"
        .addProperty("plan_cache_mode", "force_generic_plan");
  }

  /** Never print the password. */
  @Override
  public String toString() {
    return "DbTarget[" + user + "@" + host + ":" + port + "/" + database + ", sslmode=" + sslMode.value + "]";
  }
}
