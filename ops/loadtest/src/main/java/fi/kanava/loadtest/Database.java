package fi.kanava.loadtest;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The PostgreSQL of the run, as the harness and the durable relay reach it: the embedded one the
 * Kanava server starts (on a port the harness gives it), or the one {@code --db-url} names, which
 * the server uses too. Who connects is {@code --db-user} (default {@code postgres}, the embedded
 * server's superuser, or the url's user) with the password from {@code --db-password-file}, else
 * from the server's credentials file in the embedded data directory, else {@code PGPASSWORD}, else
 * {@code postgres} (zonky's default). The password is never logged or reported. Used from the
 * harness's main thread only, which may wait.
 */
final class Database implements AutoCloseable {
  static final String EMBEDDED_DATABASE = "kanava";
  private static final String DEFAULT_USER = "postgres";
  private static final String DEFAULT_PASSWORD = "postgres";
  /**
   * Where the server is to keep the generated passwords of its embedded database (issue 9, being
   * written as this is: keys {@code superuser}, {@code owner}, {@code application}). Read when present.
   */
  static final String EMBEDDED_CREDENTIALS = "kanava-credentials.properties";
  private static final List<String> DURABILITY = List.of("fsync", "synchronous_commit", "full_page_writes");

  /** What the database says about the three settings a commit's durability depends on. */
  record Durability(Map<String, String> settings, List<String> overrides) {
    /** Every commit flushed to disk, with full pages after a checkpoint: fsync and full_page_writes on, synchronous_commit not off. */
    boolean on() {
      return "on".equals(settings.get("fsync")) && "on".equals(settings.get("full_page_writes"))
          && settings.containsKey("synchronous_commit") && !"off".equals(settings.get("synchronous_commit"));
    }

    /** "fsync on, synchronous_commit on, full_page_writes on". */
    String brief() {
      List<String> parts = new ArrayList<>();
      settings.forEach((name, value) -> parts.add(name + " " + value));
      return String.join(", ", parts);
    }

    /** The brief form, and whether synchronous_commit is set differently for a role or a database. */
    String describe() {
      String overridden = overrides.isEmpty() ? "no per-role or per-database override of synchronous_commit"
          : "overridden per role or database: " + String.join(", ", overrides);
      return brief() + " (" + overridden + ")";
    }
  }

  private final PgConnectOptions options;
  private final Pool pool;

  private Database(Vertx vertx, PgConnectOptions options) {
    this.options = options;
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1).setName("loadtest-db")).connectingTo(options).using(vertx).build();
  }

  /** The configured external database, for the server's environment too; null when the server's embedded one is used. */
  static PgConnectOptions configured(Settings s) {
    String url = s.text("db-url");
    if (url.isBlank()) {
      return null;
    }
    checkUrl(url);
    PgConnectOptions options = PgConnectOptions.fromUri(url.strip());
    if (!s.text("db-user").isBlank()) {
      options.setUser(s.text("db-user").strip());
    }
    return options.setPassword(password(s, null));
  }

  /** Refuses a {@code --db-url} that is not a URL or that holds a password (which would end up in the report's settings). */
  static void checkUrl(String url) {
    URI uri;
    try {
      uri = new URI(url.strip());
    } catch (URISyntaxException e) {
      // not the exception's message: it would repeat the url and whatever it holds
      throw new IllegalArgumentException("--db-url is not a URL of the form postgresql://host:port/database");
    }
    String userInfo = uri.getRawUserInfo();
    String query = uri.getRawQuery();
    if (userInfo != null && userInfo.contains(":") || query != null && query.toLowerCase(Locale.ROOT).contains("password")) {
      throw new IllegalArgumentException("--db-url must not hold a password: use --db-password-file or PGPASSWORD");
    }
  }

  /** The embedded database of a server the harness started on {@code port} with its data in {@code dataDir}. */
  static PgConnectOptions embedded(Settings s, int port, Path dataDir) {
    return new PgConnectOptions().setHost("127.0.0.1").setPort(port).setDatabase(EMBEDDED_DATABASE)
        .setUser(s.text("db-user").isBlank() ? DEFAULT_USER : s.text("db-user").strip()).setPassword(password(s, dataDir));
  }

  /**
   * {@code --db-password-file}; else, for the embedded database, the credentials file the server
   * keeps in its data directory if there is one; else {@code PGPASSWORD}; else zonky's default.
   */
  private static String password(Settings s, Path embeddedDataDir) {
    String file = s.text("db-password-file").strip();
    Path path = null;
    if (!file.isEmpty()) {
      path = Path.of(file);
      if (!path.isAbsolute()) {
        if (embeddedDataDir == null) {
          throw new IllegalArgumentException("--db-password-file must be an absolute path with --db-url");
        }
        path = embeddedDataDir.resolve(path);
      }
    } else if (embeddedDataDir != null && Files.isRegularFile(embeddedDataDir.resolve(EMBEDDED_CREDENTIALS))) {
      path = embeddedDataDir.resolve(EMBEDDED_CREDENTIALS);
    }
    if (path != null) {
      return read(path, s.text("db-password-key").strip());
    }
    String env = System.getenv("PGPASSWORD");
    return env != null && !env.isEmpty() ? env : DEFAULT_PASSWORD;
  }

  /** A {@code .properties} file's value of {@code key}, or any other file's first line. */
  private static String read(Path path, String key) {
    try {
      if (path.getFileName().toString().endsWith(".properties")) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
          properties.load(reader);
        }
        String value = properties.getProperty(key);
        if (value == null) {
          throw new IllegalStateException(path + " has no " + key + " (set --db-password-key)");
        }
        return value.strip();
      }
      return Files.readAllLines(path, StandardCharsets.UTF_8).stream().findFirst().orElse("").strip();
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the password file " + path + ": " + e.getClass().getSimpleName());
    }
  }

  static Database connect(Vertx vertx, PgConnectOptions options) {
    return new Database(vertx, options);
  }

  /** Where the database is and who connects, without the password. */
  String describe() {
    return options.getUser() + "@" + options.getHost() + ":" + options.getPort() + "/" + options.getDatabase();
  }

  /** The connection as PG* variables for a child process ({@link PgConnectOptions#fromEnv()}): never on a command line. */
  Map<String, String> childEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PGHOST", options.getHost());
    env.put("PGPORT", Integer.toString(options.getPort()));
    env.put("PGDATABASE", options.getDatabase());
    env.put("PGUSER", options.getUser());
    env.put("PGPASSWORD", options.getPassword());
    if (options.getSslMode() != null) {
      env.put("PGSSLMODE", options.getSslMode().value);
    }
    return env;
  }

  /**
   * fsync, synchronous_commit and full_page_writes as SHOW gives them in this session, and any
   * value of synchronous_commit set for a role or a database (which would change it for the server's sessions).
   */
  Durability durability() throws Exception {
    Map<String, String> settings = new LinkedHashMap<>();
    for (String name : DURABILITY) {
      settings.put(name, pool.query("show " + name).execute().await(30, TimeUnit.SECONDS).iterator().next().getString(0));
    }
    List<String> overrides = new ArrayList<>();
    for (Row row : pool.query("select coalesce(r.rolname, 'every role') || ' in ' || coalesce(d.datname, 'every database') || ': ' || c"
        + " from pg_db_role_setting s cross join unnest(s.setconfig) c left join pg_roles r on r.oid = s.setrole"
        + " left join pg_database d on d.oid = s.setdatabase where c like 'synchronous_commit=%'").execute().await(30, TimeUnit.SECONDS)) {
      overrides.add(row.getString(0));
    }
    return new Durability(settings, overrides);
  }

  /** The durable relay's table, created afresh. */
  void prepareRelayTable() throws Exception {
    RelayStore.recreate(pool).await(60, TimeUnit.SECONDS);
  }

  long relayRows() throws Exception {
    return RelayStore.count(pool).await(60, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    try {
      pool.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the run is ending; nothing waits for this pool
    }
  }
}
