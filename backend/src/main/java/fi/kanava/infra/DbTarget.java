package fi.kanava.infra;

import io.vertx.pgclient.PgConnectOptions;

/** Where the PostgreSQL server is and who we connect as: enough for both Flyway (JDBC) and the Vert.x pool. */
public record DbTarget(String host, int port, String database, String user, String password) {

  public static DbTarget fromConfig(KanavaConfig.Db db) {
    PgConnectOptions options = PgConnectOptions.fromUri(db.url().orElseThrow());
    String user = db.user().orElse(options.getUser());
    String password = db.password().orElse(options.getPassword());
    return new DbTarget(options.getHost(), options.getPort(), options.getDatabase(), user, password);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(database)
        .setUser(user)
        .setPassword(password)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
  }

  /** Never print the password. */
  @Override
  public String toString() {
    return "DbTarget[" + user + "@" + host + ":" + port + "/" + database + "]";
  }
}
