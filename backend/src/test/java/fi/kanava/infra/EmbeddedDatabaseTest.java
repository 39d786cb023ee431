package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded database")
class EmbeddedDatabaseTest {
  private static final Duration START = Duration.ofSeconds(60);

  static Connection connect(DbTarget target) throws SQLException {
    return DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
  }

  static List<String> column(DbTarget target, String sql) throws SQLException {
    try (Connection c = connect(target); var s = c.createStatement(); var rs = s.executeQuery(sql)) {
      List<String> out = new ArrayList<>();
      while (rs.next()) {
        out.add(rs.getString(1));
      }
      return out;
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("as it starts on a new data directory")
  class Fresh {
    EmbeddedDatabase db;
    Database roles;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
      db = EmbeddedDatabase.start(dir.resolve("postgres"), 0, START);
      roles = db.database();
    }

    @AfterAll
    void stop() throws Exception {
      db.close();
    }

    @Test
    @DisplayName("runs with fsync, synchronous commit and full-page writes on")
    void is_durable() throws Exception {
      for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
        assertThat(column(roles.app(), "show " + setting)).as(setting).containsExactly("on");
      }
    }

    @Test
    @DisplayName("has no trust line in pg_hba.conf and refuses a wrong or missing password for every role")
    void admits_only_passwords() throws Exception {
      List<String> rules = Files.readAllLines(db.dataDirectory().resolve("pg_hba.conf")).stream()
          .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
      assertThat(rules).isNotEmpty().allSatisfy(line -> assertThat(line).endsWith("scram-sha-256").doesNotContain("trust"));
      for (DbTarget role : List.of(roles.owner(), roles.app(), roles.app().as("postgres", "postgres"))) {
        for (String wrong : List.of("wrong", "")) {
          assertThatThrownBy(() -> connect(role.as(role.user(), wrong)).close())
              .as(role.user() + " with password '" + wrong + "'")
              .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isIn("28P01", "08004"));
        }
      }
      assertThat(column(roles.app(), "select current_user")).containsExactly(EmbeddedDatabase.APP);
    }

    @Test
    @DisplayName("keeps the generated passwords in its data directory, readable by the owner only")
    void keeps_the_passwords_private() throws Exception {
      Path file = db.dataDirectory().resolve(EmbeddedCredentials.FILE);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      EmbeddedCredentials stored = EmbeddedCredentials.read(db.dataDirectory()).orElseThrow();
      assertThat(stored.app()).isEqualTo(roles.app().password()).hasSizeGreaterThanOrEqualTo(32);
      assertThat(stored.owner()).isEqualTo(roles.owner().password()).isNotEqualTo(stored.app());
    }

    @Test
    @DisplayName("gives the database to the owner role; neither it nor the application role is a superuser")
    void has_an_owner_and_an_application_role() throws Exception {
      assertThat(column(roles.app(), "select pg_get_userbyid(datdba) from pg_database where datname = current_database()"))
          .containsExactly(EmbeddedDatabase.OWNER);
      assertThat(column(roles.app(), "select rolname || ':' || rolsuper || rolcreaterole || rolcreatedb || rolreplication || rolbypassrls"
          + " from pg_roles where rolname in ('kanava_owner', 'kanava_app') order by 1"))
          .containsExactly("kanava_app:falsefalsefalsefalsefalse", "kanava_owner:falsefalsefalsefalsefalse");
    }
  }

  @Test
  @DisplayName("keeps its data and its passwords across a restart")
  void keeps_its_data_across_a_restart(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("postgres");
    String password;
    try (EmbeddedDatabase db = EmbeddedDatabase.start(data, 0, START)) {
      password = db.database().app().password();
      try (var c = connect(db.database().owner()); var s = c.createStatement()) {
        s.execute("create table kept (value text)");
        s.execute("insert into kept values ('still here')");
      }
    }
    try (EmbeddedDatabase db = EmbeddedDatabase.start(data, 0, START)) {
      assertThat(db.database().app().password()).isEqualTo(password);
      assertThat(column(db.database().owner(), "select value from kept")).containsExactly("still here");
    }
  }

  @Test
  @DisplayName("upgrades a data directory of the earlier version: trust and superuser-owned tables become passwords and the owner role")
  void upgrades_an_old_data_directory(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("postgres");
    // what the earlier EmbeddedDatabase made: zonky's defaults (trust), the schema migrated as the superuser
    try (EmbeddedPostgres old = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
        .setServerConfig("listen_addresses", "localhost").start()) {
      try (var c = old.getPostgresDatabase().getConnection(); var s = c.createStatement()) {
        s.execute("create database kanava");
      }
      DbTarget superuser = new DbTarget("127.0.0.1", old.getPort(), "kanava", "postgres", "postgres");
      Flyway.configure().dataSource(superuser.jdbcUrl(), "postgres", "").locations("classpath:db/migration").target("3").load().migrate();
      try (var c = connect(superuser); var s = c.createStatement()) {
        s.execute("insert into organisation (id, name, kind, created_at) values ('old-area', 'Old area', 'wellbeing_area', now())");
      }
    }

    try (EmbeddedDatabase db = EmbeddedDatabase.start(data, 0, START)) {
      Database roles = db.database();
      assertThat(Files.readString(data.resolve("pg_hba.conf"))).doesNotContain("trust");
      assertThatThrownBy(() -> connect(roles.app().as("postgres", "")).close()).isInstanceOf(SQLException.class);
      assertThat(column(roles.owner(), "select distinct tableowner from pg_tables where schemaname = 'public'"))
          .containsExactly(EmbeddedDatabase.OWNER);
      assertThat(column(roles.owner(), "select distinct pg_get_userbyid(proowner) from pg_proc where pronamespace = 'public'::regnamespace"))
          .containsExactly(EmbeddedDatabase.OWNER);

      Migrations.migrate(roles);
      assertThat(column(roles.app(), "select name from organisation")).containsExactly("Old area");
      assertThat(column(roles.owner(), "select count(*) from flyway_schema_history where version = '3'")).containsExactly("1");
    }
  }
}
