package fi.kanava.auth;

import fi.kanava.access.AccessPolicy;
import fi.kanava.access.AccessGuard;

import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fi.kanava.access.AccessPolicy.Actor;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.access.AccessPolicy.ConversationFacts;
import fi.kanava.conversation.ConversationState;
import fi.kanava.infra.ApiError;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Account administration and the audit trail")
class AccountsAndAuditTest {
  static TestApp t;
  static Fixtures f;
  static String admin;
  static String platformAdmin;

  @BeforeAll
  static void start() {
    t = TestApp.start();
    f = new Fixtures(t).organisations();
    f.account("the-admin", "admin");
    admin = f.accessToken("the-admin");
    f.account("the-platform-admin", "platform_admin");
    platformAdmin = f.accessToken("the-platform-admin");
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static JsonObject newAccount(String username, String role) {
    return new JsonObject().put("username", username).put("password", Fixtures.PASSWORD).put("displayName", "Name " + username)
        .put("role", role).put("organisationId", Fixtures.ORG).put("unitId", "test-unit").put("languages", new JsonArray(List.of("fi", "se")));
  }

  private static List<Row> auditRows(String where, Object... params) {
    return t.rows("select * from audit_event where " + where + " order by id", params);
  }


  @Nested
  @DisplayName("admin endpoints")
  class Admin {
    @Test
    void an_admin_creates_lists_disables_and_enables_an_account() {
      HttpResponse<Buffer> created = t.post("/api/admin/accounts", admin, newAccount("new-nurse", "nurse"));
      assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
      JsonObject account = created.bodyAsJsonObject();
      assertThat(account.getString("role")).isEqualTo("nurse");
      assertThat(account.getJsonArray("languages")).containsExactly("fi", "se");
      assertThat(account.containsKey("password")).isFalse();
      assertThat(account.encode()).doesNotContain("argon2");

      JsonArray list = t.get("/api/admin/accounts", admin).bodyAsJsonArray();
      assertThat(list.stream().map(o -> ((JsonObject) o).getString("username"))).contains("new-nurse", "the-admin");

      String id = account.getString("id");
      assertThat(t.post("/api/admin/accounts/" + id + "/disable", admin, null).bodyAsJsonObject().getBoolean("disabled")).isTrue();
      assertThat(t.post("/api/auth/login", null, new JsonObject().put("username", "new-nurse").put("password", Fixtures.PASSWORD))
          .statusCode()).isEqualTo(401);
      assertThat(t.post("/api/admin/accounts/" + id + "/enable", admin, null).bodyAsJsonObject().getBoolean("disabled")).isFalse();
      assertThat(f.login("new-nurse").getString("accessToken")).isNotBlank();
    }

    @Test
    void bad_account_requests_are_refused_with_a_code_and_store_nothing() {
      assertError(t.post("/api/admin/accounts", admin, newAccount("weak", "nurse").put("password", "short")), 400, "weak_password");
      assertError(t.post("/api/admin/accounts", admin, newAccount("badrole", "wizard")), 400, "invalid_field");
      assertError(t.post("/api/admin/accounts", admin, newAccount("badlang", "nurse").put("languages", new JsonArray(List.of("de")))),
          400, "invalid_field");
      // an admin may not name another organisation, existing or not; for a platform admin an unknown one is unknown
      assertError(t.post("/api/admin/accounts", admin, newAccount("noorg", "nurse").put("organisationId", "nowhere")), 403, "forbidden");
      assertError(t.post("/api/admin/accounts", platformAdmin, newAccount("noorg", "nurse").put("organisationId", "nowhere")),
          400, "unknown_organisation");
      assertError(t.post("/api/admin/accounts", admin, newAccount("nounit", "nurse").put("unitId", "nowhere")), 400, "unknown_unit");
      assertError(t.post("/api/admin/accounts", admin, newAccount("nospec", "specialist")), 400, "missing_field");
      assertError(t.post("/api/admin/accounts", admin, newAccount("extra", "nurse").put("isRoot", true)), 400, "unknown_field");
      assertError(t.post("/api/admin/accounts", admin, newAccount("types", "nurse").put("languages", "fi")), 400, "wrong_type");
      assertError(t.post("/api/admin/accounts", admin, newAccount("partnerhere", "partner")), 400, "role_not_allowed");
      t.post("/api/admin/accounts", admin, newAccount("dup", "nurse"));
      assertError(t.post("/api/admin/accounts", admin, newAccount("DUP", "nurse")), 409, "username_taken");
      assertError(t.post("/api/admin/accounts/not-a-uuid/disable", admin, null), 400, "invalid_id");
      assertError(t.post("/api/admin/accounts/" + UUID.randomUUID() + "/disable", admin, null), 404, "account_not_found");

      var names = TestApp.await(t.pool().query("select username from account").execute());
      List<String> usernames = new java.util.ArrayList<>();
      names.forEach(r -> usernames.add(r.getString(0)));
      assertThat(usernames).doesNotContain("weak", "badrole", "badlang", "noorg", "nounit", "nospec", "extra", "types", "partnerhere", "DUP");
    }

    @Test
    void a_partner_organisation_cannot_exceed_its_seats() {
      // the partner's accounts are the partner organisation's business: a platform admin makes them here
      JsonObject partner = newAccount("partner-1", "partner").put("organisationId", Fixtures.PARTNER_ORG);
      partner.remove("unitId");
      assertThat(t.post("/api/admin/accounts", platformAdmin, partner).statusCode()).isEqualTo(201);
      assertError(t.post("/api/admin/accounts", platformAdmin, partner.copy().put("username", "partner-2")), 409, "seat_limit_reached");
    }

    @Test
    void a_platform_admin_manages_organisations_and_units_and_an_admin_only_its_own_organisation_s_units() {
      assertThat(t.post("/api/admin/organisations", platformAdmin,
          new JsonObject().put("id", "other-area").put("name", "Other").put("kind", "wellbeing_area")).statusCode()).isEqualTo(201);
      assertThat(t.post("/api/admin/organisations/other-area/units", platformAdmin,
          new JsonObject().put("id", "other-unit").put("name", "Unit")).statusCode()).isEqualTo(201);
      assertError(t.post("/api/admin/organisations/nowhere/units", platformAdmin, new JsonObject().put("id", "x-unit").put("name", "U")),
          404, "organisation_not_found");
      assertError(t.post("/api/admin/organisations", platformAdmin,
          new JsonObject().put("id", "Bad Id").put("name", "Other").put("kind", "wellbeing_area")), 400, "invalid_field");
      JsonArray orgs = t.get("/api/admin/organisations", platformAdmin).bodyAsJsonArray();
      assertThat(orgs.stream().map(o -> ((JsonObject) o).getString("id"))).contains("other-area", Fixtures.ORG, Fixtures.PARTNER_ORG);

      assertError(t.post("/api/admin/organisations", admin,
          new JsonObject().put("id", "admins-area").put("name", "Mine").put("kind", "wellbeing_area")), 403, "forbidden");
      assertError(t.post("/api/admin/organisations/other-area/units", admin, new JsonObject().put("id", "y-unit").put("name", "U")),
          403, "forbidden");
      assertThat(t.post("/api/admin/organisations/" + Fixtures.ORG + "/units", admin,
          new JsonObject().put("id", "own-unit").put("name", "Unit")).statusCode()).isEqualTo(201);
      assertThat(t.get("/api/admin/organisations", admin).bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("id")))
          .containsExactly(Fixtures.ORG);
    }
  }

  @Nested
  @DisplayName("forbidden access")
  class Forbidden {
    @Test
    void a_nurse_calling_an_admin_endpoint_gets_403_and_an_audit_row() {
      UUID nurse = f.account("curious-nurse", "nurse");
      assertError(t.get("/api/admin/accounts", f.accessToken("curious-nurse")), 403, "forbidden");
      List<Row> rows = auditRows("actor_id = $1", nurse);
      assertThat(rows).hasSize(1);
      Row row = rows.get(0);
      assertThat(row.getString("actor_kind")).isEqualTo("professional");
      assertThat(row.getString("actor_role")).isEqualTo("nurse");
      assertThat(row.getString("action")).isEqualTo("MANAGE_ACCOUNTS");
      assertThat(row.getString("outcome")).isEqualTo("denied");
      assertThat(row.getString("reason")).isEqualTo("admin_only");
      assertThat(row.getString("purpose")).isEqualTo("account_administration");
      assertThat(row.getOffsetDateTime("occurred_at").toInstant()).isEqualTo(t.clock.instant());
    }

    @Test
    void a_patient_calling_an_admin_endpoint_gets_403_and_an_audit_row() {
      JsonObject session = t.post("/api/patient/session", null, null).bodyAsJsonObject();
      assertError(t.post("/api/admin/accounts", session.getString("accessToken"), newAccount("sneaky", "admin")), 403, "forbidden");
      assertThat(auditRows("actor_kind = 'patient' and outcome = 'denied'")).isNotEmpty();
    }
  }

  @Nested
  @DisplayName("the access guard")
  class Guard {
    private ConversationFacts conversation(UUID patient, UUID assigned) {
      return new ConversationFacts(patient, "nurse-chat", ConversationState.ACTIVE, Optional.of(assigned), Set.of(), Set.of(), Set.of());
    }

    @Test
    void audits_a_professional_read_and_a_denied_attempt_but_not_a_patient_reading_their_own() {
      UUID patient = UUID.randomUUID();
      UUID nurse = UUID.randomUUID();
      UUID conversationId = UUID.randomUUID();
      AccessGuard guard = t.app.services().guard();
      ConversationFacts facts = conversation(patient, nurse);

      TestApp.await(guard.require(Actor.of(Principal.professional(nurse, Role.NURSE, Fixtures.ORG)), ConversationAction.READ,
          conversationId, facts, "care"));
      TestApp.await(guard.require(Actor.of(Principal.patient(patient)), ConversationAction.READ, conversationId, facts, "own"));
      assertThatThrownBy(() -> TestApp.await(guard.require(Actor.of(Principal.professional(UUID.randomUUID(), Role.PHYSICIAN, Fixtures.ORG)),
          ConversationAction.READ, conversationId, facts, "care")))
          .isInstanceOf(ApiError.class)
          .extracting(e -> ((ApiError) e).status()).isEqualTo(403);
      TestApp.await(guard.require(Actor.of(Principal.patient(patient)), ConversationAction.EXPORT, conversationId, facts, "own_copy"));

      List<Row> rows = auditRows("patient_id = $1", patient);
      assertThat(rows).extracting(r -> r.getString("actor_kind") + ":" + r.getString("action") + ":" + r.getString("outcome"))
          .containsExactly("professional:conversation.read:allowed", "professional:conversation.read:denied",
              "patient:conversation.export:allowed");
      assertThat(rows.get(0).getString("resource_id")).isEqualTo(conversationId.toString());
      assertThat(rows.get(0).getString("purpose")).isEqualTo("care");
    }
  }

  @Nested
  @DisplayName("the audit table")
  class AppendOnly {
    @Test
    void rows_cannot_be_updated_deleted_or_truncated_by_the_server_s_database_user_nor_by_the_owner() {
      UUID nurse = f.account("audited-nurse", "nurse");
      t.get("/api/admin/accounts", f.accessToken("audited-nurse"));
      assertThat(auditRows("actor_id = $1", nurse)).hasSize(1);

      // the server's role has no such privilege; the owner has, but the triggers refuse
      for (var pool : List.of(t.pool(), t.ownerPool())) {
        String refusal = pool == t.pool() ? "permission denied for table audit_event" : "append-only";
        for (String sql : List.of(
            "update audit_event set outcome = 'allowed' where actor_id = $1",
            "delete from audit_event where actor_id = $1")) {
          assertThatThrownBy(() -> TestApp.await(pool.preparedQuery(sql).execute(Tuple.of(nurse))))
              .isInstanceOf(PgException.class)
              .hasMessageContaining(refusal);
        }
        assertThatThrownBy(() -> TestApp.await(pool.query("truncate audit_event").execute()))
            .isInstanceOf(PgException.class)
            .hasMessageContaining(refusal);
      }
      List<Row> rows = auditRows("actor_id = $1", nurse);
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0).getString("outcome")).isEqualTo("denied");
    }
  }
}
