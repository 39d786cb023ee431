package fi.kanava.infra;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.postgresql.util.PasswordUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL (real binaries shipped in a Maven artifact, unpacked and first started
 * by zonky) used when no database is configured.
 *
 * <ul>
 *   <li><b>Durable:</b> fsync, synchronous commit and full-page writes are on, so a commit that was
 *       acknowledged survives a crash of PostgreSQL or of the machine.
 *   <li><b>Behind passwords:</b> SCRAM-SHA-256 for every connection, no {@code trust} line in
 *       pg_hba.conf. The passwords are generated into {@link EmbeddedCredentials#FILE} in the data
 *       directory (0600) and set in single-user mode before the server first listens.
 *   <li><b>Three roles:</b> the bootstrap superuser, used only here; {@link #OWNER}, which owns the
 *       database and runs the migrations; {@link #APP}, which the server runs as.
 *   <li><b>Upgraded in place:</b> a data directory of an earlier version (trust, every table owned
 *       by the superuser) gets passwords, the roles and the owner on start.
 *   <li><b>Restartable:</b> {@link #restart()} starts a postmaster that died again, on the same port
 *       and data directory, crash recovery included ({@link DatabaseSupervisor} decides when).
 * </ul>
 *
 * Every method blocks: call them from main or a worker, never from an event loop.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  public static final String DATABASE = "kanava";
  public static final String OWNER = "kanava_owner";
  public static final String APP = "kanava_app";
  /** The bootstrap superuser zonky's initdb creates. */
  private static final String SUPERUSER = "postgres";
  private static final String HBA = """
      # Written by Kanava at every start of the embedded PostgreSQL: every connection needs a password (SCRAM).
      local  all  all                scram-sha-256
      host   all  all  127.0.0.1/32  scram-sha-256
      host   all  all  ::1/128       scram-sha-256
      """;

  private final EmbeddedPostgres postgres;
  private final Path dataDir;
  private final int port;
  private final EmbeddedCredentials credentials;
  private final Duration startTimeout;
  private boolean closed;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir, EmbeddedCredentials credentials, Duration startTimeout) {
    this.postgres = postgres;
    this.dataDir = dataDir;
    this.port = postgres.getPort();
    this.credentials = credentials;
    this.startTimeout = startTimeout;
  }

  /**
   * The server's settings, on every start. Zonky turns fsync off ({@code -F}) and synchronous
   * commit off by default; these come after its own and win.
   */
  static Map<String, String> settings() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("listen_addresses", "localhost");
    settings.put("fsync", "on");
    settings.put("synchronous_commit", "on");
    settings.put("full_page_writes", "on");
    settings.put("password_encryption", "scram-sha-256");
    settings.put("timezone", "UTC");
    settings.put("max_connections", "300");
    return settings;
  }

  /**
   * Starts PostgreSQL on a data directory, creating it if needed. {@code port} 0 picks a free
   * port, which restarts then keep. {@code startTimeout} bounds the wait for the server to accept
   * connections, crash recovery included.
   */
  public static EmbeddedDatabase start(Path dataDir, int port, Duration startTimeout) throws IOException {
    Path data = dataDir.toAbsolutePath().normalize();
    Files.createDirectories(data);
    log.info("Starting embedded PostgreSQL with data in {}", data);
    Optional<EmbeddedCredentials> existing = EmbeddedCredentials.read(data);
    EmbeddedCredentials credentials = existing.orElseGet(EmbeddedCredentials::generate);
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setPgBinaryResolver(PostgresBinaries.INSTANCE)
        .setOverrideWorkingDirectory(PostgresBinaries.INSTANCE.workingDirectory())
        .setDataDirectory(data)
        .setCleanDataDirectory(false)
        // Main's shutdown hook stops it after Vert.x, not at the same time
        .setRegisterShutdownHook(false)
        .setPGStartupWait(startTimeout)
        // zonky's own readiness check signs in as the superuser
        .setConnectConfig("password", credentials.superuser())
        // after initdb (if the directory was new), before the postmaster starts
        .setDataDirectoryCustomizer(dir -> secure(data, credentials, existing.isEmpty()));
    settings().forEach(builder::setServerConfig);
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres postgres = builder.start();
    EmbeddedDatabase database = new EmbeddedDatabase(postgres, data, credentials, startTimeout);
    try {
      database.prepareDatabase();
    } catch (SQLException e) {
      postgres.close();
      throw new IOException("cannot prepare the embedded database: " + e.getMessage(), e);
    }
    log.info("Embedded PostgreSQL listening on localhost:{}", database.port);
    return database;
  }

  /**
   * Before the server listens: passwords for the roles if the directory has none yet (new, or
   * made by an earlier version), and pg_hba.conf with passwords only.
   */
  private static void secure(Path data, EmbeddedCredentials credentials, boolean fresh) {
    try {
      if (fresh) {
        log.info("Generating passwords for the embedded PostgreSQL's roles ({} in the data directory, mode 0600)", EmbeddedCredentials.FILE);
        singleUser(data, rolesSql(credentials));
        credentials.write(data);
      } else if (EmbeddedCredentials.restrict(data)) {
        log.warn("{} could be read by others; it is owner-only (0600) again", EmbeddedCredentials.FILE);
      }
      Files.writeString(data.resolve("pg_hba.conf"), HBA, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sets the passwords and creates the owner and application roles, in single-user mode: no
   * connection is possible meanwhile. Only SCRAM verifiers reach the server, never a password.
   */
  private static String rolesSql(EmbeddedCredentials credentials) {
    return String.join("\n",
        "alter role " + SUPERUSER + " password '" + scram(credentials.superuser()) + "'",
        "do $$ begin if not exists (select from pg_roles where rolname = '" + OWNER + "') then create role " + OWNER + "; end if;"
            + " if not exists (select from pg_roles where rolname = '" + APP + "') then create role " + APP + "; end if; end $$",
        "alter role " + OWNER + " login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password '"
            + scram(credentials.owner()) + "'",
        "alter role " + APP + " login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password '"
            + scram(credentials.app()) + "'",
        "");
  }

  private static String scram(String password) {
    return PasswordUtil.encodeScramSha256(password.toCharArray());
  }

  private static void singleUser(Path data, String sql) throws IOException {
    var result = PostgresBinaries.run(PostgresBinaries.INSTANCE.command("postgres", "--single", "-D", data.toString(), SUPERUSER), sql);
    if (result.exitCode() != 0 || result.output().contains("ERROR:") || result.output().contains("FATAL:")) {
      throw new IOException("setting the embedded database's passwords failed: " + result.output());
    }
  }

  /**
   * The database, owned by {@link #OWNER}, which only the owner and {@link #APP} may connect to. A
   * database of an earlier version was owned, with all its tables, functions and Flyway's history,
   * by the superuser: all of it passes to the owner.
   */
  private void prepareDatabase() throws SQLException {
    try (Connection c = connect(SUPERUSER, credentials.superuser(), "postgres"); var s = c.createStatement()) {
      var rs = s.executeQuery("select pg_get_userbyid(datdba) from pg_database where datname = '" + DATABASE + "'");
      if (!rs.next()) {
        s.execute("create database " + DATABASE + " owner " + OWNER);
      } else if (!OWNER.equals(rs.getString(1))) {
        log.info("Upgrading the embedded database: {} and everything in it pass from {} to {}", DATABASE, rs.getString(1), OWNER);
        s.execute("alter database " + DATABASE + " owner to " + OWNER);
      }
      s.execute("revoke all on database " + DATABASE + " from public");
      s.execute("grant connect on database " + DATABASE + " to " + APP);
    }
    try (Connection c = connect(SUPERUSER, credentials.superuser(), DATABASE); var s = c.createStatement()) {
      s.execute(ADOPT);
    }
  }

  /** Gives the owner what in schema public it does not own yet: tables, views, sequences of their own, functions. */
  private static final String ADOPT = """
      do $$
      declare o record;
      begin
        for o in select format('alter %s %s owner to {owner}', case c.relkind when 'S' then 'sequence' when 'v' then 'view'
                   when 'm' then 'materialized view' when 'f' then 'foreign table' else 'table' end, c.oid::regclass) as sql
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S') and c.relowner <> '{owner}'::regrole
              and not exists (select from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype in ('a', 'i'))
        loop
          execute o.sql;
        end loop;
        for o in select format('alter routine %s owner to {owner}', p.oid::regprocedure) as sql
            from pg_proc p join pg_namespace n on n.oid = p.pronamespace
            where n.nspname = 'public' and p.proowner <> '{owner}'::regrole
        loop
          execute o.sql;
        end loop;
      end $$""".replace("{owner}", OWNER);

  private Connection connect(String user, String password, String database) throws SQLException {
    return DriverManager.getConnection(new DbTarget("127.0.0.1", port, database, user, password).jdbcUrl(), user, password);
  }

  private DbTarget target(String user, String password) {
    return new DbTarget("127.0.0.1", port, DATABASE, user, password);
  }

  /** The owner (migrations) and the application role (the server), and this database to supervise. */
  public Database database() {
    return new Database(target(OWNER, credentials.owner()), target(APP, credentials.app()), Optional.of(this));
  }

  public Path dataDirectory() {
    return dataDir;
  }

  /**
   * The postmaster, if it is running: the process named in postmaster.pid, while it lives (and is
   * a postgres, should its number have been given to another process since).
   */
  public Optional<ProcessHandle> postmaster() {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
      return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.get(0).strip()))
          .filter(ProcessHandle::isAlive)
          .filter(p -> p.info().command().map(command -> command.endsWith("postgres")).orElse(true));
    } catch (java.nio.file.NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | NumberFormatException e) {
      // being written by a postmaster that is starting
      return Optional.empty();
    }
  }

  /**
   * Starts the postmaster again if it is not running (crash recovery runs first), on the same
   * port and data directory, and waits until it accepts connections. One attempt: it throws if
   * PostgreSQL did not start, for example while processes of the dead postmaster still hold its
   * shared memory. The caller tries again later.
   */
  public synchronized void restart() throws IOException {
    if (closed) {
      throw new IOException("the embedded database was closed");
    }
    if (postmaster().isEmpty()) {
      Path logFile = dataDir.resolve("log").resolve("postmaster.log");
      Files.createDirectories(logFile.getParent());
      String options = "-p " + port + " " + settings().entrySet().stream().map(e -> "-c " + e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining(" "));
      var result = PostgresBinaries.run(PostgresBinaries.INSTANCE.command("pg_ctl", "-D", dataDir.toString(), "-l", logFile.toString(),
          "-w", "-t", Long.toString(Math.max(1, startTimeout.toSeconds())), "-o", options, "start"), "");
      if (result.exitCode() != 0) {
        throw new IOException("pg_ctl could not start PostgreSQL: " + result.output().replace('\n', ' ') + " / " + lastLines(logFile));
      }
    }
    try (Connection c = connect(SUPERUSER, credentials.superuser(), DATABASE); var s = c.createStatement()) {
      s.execute("select 1");
    } catch (SQLException e) {
      throw new IOException("PostgreSQL does not accept connections yet: " + e.getMessage(), e);
    }
  }

  private static String lastLines(Path file) {
    try {
      List<String> lines = Files.readAllLines(file);
      return String.join(" ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** Stops PostgreSQL (fast shutdown: open transactions are rolled back, committed ones are on disk). */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    log.info("Stopping embedded PostgreSQL");
    postgres.close();
  }
}
