package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the server's own database role may do, tried in SQL against real PostgreSQL on the
 * connections the server uses (TestApp runs it as the application role, as in production).
 */
@DisplayName("The server's database role")
class DatabaseRolesTest {
  static TestApp t;
  static String conversation;

  @BeforeAll
  static void start() {
    t = TestApp.start();
    Fixtures f = new Fixtures(t).organisations();
    ChatFixtures c = new ChatFixtures(t, f);
    try (Pro nurse = c.professional("roles-nurse", "nurse", null); Patient patient = c.anonymousPatient()) {
      c.createQueue(ChatFixtures.queue("roles", "pick"), nurse.id());
      conversation = patient.ws().request(ChatFixtures.enter("roles")).getJsonObject("conversation").getString("id");
      nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", conversation));
      assertThat(patient.ws().request(ChatFixtures.send(conversation, "p1", "Hei")).getString("type")).isEqualTo("message.ack");
    }
    assertThat(t.row("select count(*) from message").getLong(0)).isPositive();
    assertThat(t.row("select count(*) from audit_event").getLong(0)).isPositive();
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  /** Refused for want of privilege (SQLSTATE 42501: "permission denied ..." or "must be owner ..."). */
  private static void refused(String sql) {
    assertThatThrownBy(() -> t.rows(sql)).as(sql).isInstanceOfSatisfying(PgException.class,
        e -> assertThat(e.getSqlState()).as(e.getErrorMessage()).isEqualTo("42501"));
  }

  @Test
  @DisplayName("is neither a superuser nor the owner of anything, and cannot create roles or databases")
  void is_not_privileged() {
    Row role = t.row("select current_user, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles where rolname = current_user");
    assertThat(role.getString(0)).isEqualTo(EmbeddedDatabase.APP);
    assertThat(List.of(role.getBoolean(1), role.getBoolean(2), role.getBoolean(3), role.getBoolean(4))).containsOnly(false);
    assertThat(t.row("select count(*) from pg_class where relnamespace = 'public'::regnamespace and relowner = (select oid from pg_roles where rolname = current_user)")
        .getLong(0)).isZero();
    assertThat(t.row("select pg_get_userbyid(datdba) from pg_database where datname = current_database()").getString(0))
        .isEqualTo(EmbeddedDatabase.OWNER);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "update audit_event set outcome = 'allowed'",
      "delete from audit_event",
      "truncate audit_event",
      "update message set body = 'changed'",
      "delete from message",
      "truncate message"})
  @DisplayName("cannot change or remove audit rows or messages")
  void cannot_change_audit_rows_or_messages(String sql) {
    long audit = t.row("select count(*) from audit_event").getLong(0);
    List<String> bodies = t.rows("select body from message order by seq").stream().map(r -> r.getString(0)).toList();
    refused(sql);
    assertThat(t.row("select count(*) from audit_event").getLong(0)).isEqualTo(audit);
    assertThat(t.rows("select body from message order by seq").stream().map(r -> r.getString(0)).toList()).isEqualTo(bodies);
  }

  @Test
  @DisplayName("can insert and read audit rows and messages (what the server does)")
  void can_insert_and_read_them() {
    t.rows("insert into audit_event (occurred_at, actor_kind, action, resource_type, purpose, outcome)"
        + " values (now(), 'system', 'roles.test', 'system', 'test', 'allowed')");
    assertThat(t.row("select count(*) from audit_event where action = 'roles.test'").getLong(0)).isEqualTo(1);
    assertThat(t.row("select count(*) from message where conversation_id = $1::uuid", conversation).getLong(0)).isPositive();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "alter table audit_event disable trigger audit_event_no_update_or_delete",
      "alter table audit_event disable trigger all",
      "alter table message disable trigger all",
      "drop trigger audit_event_no_update_or_delete on audit_event",
      "create trigger sneaky before insert on message for each row execute function audit_event_is_append_only()"})
  @DisplayName("cannot disable, drop or add triggers")
  void cannot_touch_triggers(String sql) {
    refused(sql);
    assertThat(t.row("select count(*) from pg_trigger where tgrelid = 'audit_event'::regclass and tgenabled = 'O'").getLong(0))
        .isEqualTo(2);
  }

  @Test
  @DisplayName("cannot set session_replication_role (which would skip the audit triggers)")
  void cannot_skip_triggers() {
    refused("set session_replication_role = replica");
    assertThat(t.row("show session_replication_role").getString(0)).isEqualTo("origin");
  }

  @Test
  @DisplayName("has privileges on every table of the schema but Flyway's history: a new table without grants fails here")
  void every_table_is_granted() {
    List<String> ungranted = t.ownerRows("select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')"
        + " and c.relname <> 'flyway_schema_history' and not has_table_privilege($1, c.oid, 'select')", EmbeddedDatabase.APP)
        .stream().map(r -> r.getString(0)).toList();
    assertThat(ungranted).as("tables without grants for the application role: add them to db/grants/afterMigrate__application_role_grants.sql")
        .isEmpty();
    assertThat(t.ownerRows("select has_table_privilege($1, 'flyway_schema_history', 'select')", EmbeddedDatabase.APP).get(0).getBoolean(0))
        .isFalse();
  }

  @Test
  @DisplayName("keeps its grants when a second node migrates the same database")
  void a_second_node_keeps_the_grants() {
    try (TestApp other = t.anotherNode()) {
      assertThat(other.row("select count(*) from message").getLong(0)).isPositive();
      assertThat(t.row("select has_table_privilege('message', 'update')").getBoolean(0)).isFalse();
    }
  }

  @Test
  @DisplayName("runs as the owner when no migration user is configured, and the server warns (external databases only)")
  void without_a_migration_user_the_owner_serves() {
    Database external = Database.external(ConfigLoader.withOverrides(Map.of("db.url", "postgresql://db.example:5432/kanava",
        "db.user", "app", "db.password", "p")).db());
    assertThat(external.ownerIsApp()).isTrue();
    Database separate = Database.external(ConfigLoader.withOverrides(Map.of("db.url", "postgresql://db.example:5432/kanava",
        "db.user", "app", "db.password", "p", "db.migration.user", "owner", "db.migration.password", "q")).db());
    assertThat(separate.ownerIsApp()).isFalse();
    assertThat(separate.owner().user()).isEqualTo("owner");
    assertThat(separate.owner().password()).isEqualTo("q");
    assertThat(separate.app().user()).isEqualTo("app");
  }
}
