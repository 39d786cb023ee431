package fi.kanava.directory;

import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.auth.Accounts;
import fi.kanava.auth.Organisations;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The expert registry (docs/protocol.md, "Expert registry") over real HTTP, sockets and database:
 * who shows, what they are good at, how available and how loaded they are, and who may look.
 */
@DisplayName("Expert registry: searching colleagues by specialty, language, availability and load")
class ExpertRegistryTest {
  TestApp t;
  Fixtures f;
  ChatFixtures c;
  Pro nurse;
  Pro physician;
  Pro specialist;

  @BeforeEach
  void start() {
    t = TestApp.start();
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
    nurse = c.professional("nurse-anna", "nurse", "available");
    physician = c.professional("doctor-bo", "physician", "away");
    specialist = c.professional("hygienist-sara", "specialist", null);
    assertThat(put("/api/me/expertise", nurse.token(), entry(List.of("Diabetes", "  Wound   care "), List.of("insulin pumps"), List.of("fi", "sv")))
        .statusCode()).isEqualTo(200);
    assertThat(put("/api/me/expertise", physician.token(), entry(List.of("diabetes", "internal medicine"), List.of(), List.of("fi", "se")))
        .statusCode()).isEqualTo(200);
    assertThat(put("/api/me/expertise", specialist.token(), entry(List.of("orthodontics"), List.of("dental photography"), List.of("fi")))
        .statusCode()).isEqualTo(200);
  }

  @AfterEach
  void stop() {
    nurse.close();
    physician.close();
    specialist.close();
    t.close();
  }

  private static JsonObject entry(List<String> specialties, List<String> skills, List<String> languages) {
    return new JsonObject().put("specialties", new JsonArray(specialties)).put("skills", new JsonArray(skills))
        .put("languages", new JsonArray(languages));
  }

  private HttpResponse<Buffer> put(String path, String token, JsonObject body) {
    return t.send(HttpMethod.PUT, path, token, body);
  }

  private HttpResponse<Buffer> search(String token, String query) {
    return t.get("/api/professionals" + (query.isEmpty() ? "" : "?" + query), token);
  }

  /** The display names a search returns, in order. */
  private List<String> names(String token, String query) {
    HttpResponse<Buffer> response = search(token, query);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonArray().stream().map(JsonObject.class::cast).map(p -> p.getString("name")).toList();
  }

  private JsonObject one(String token, String query, UUID id) {
    HttpResponse<Buffer> response = search(token, query);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonArray().stream().map(JsonObject.class::cast).filter(p -> p.getString("id").equals(id.toString()))
        .findFirst().orElseThrow(() -> new AssertionError(id + " not in " + response.bodyAsString()));
  }

  private static String q(String text) {
    return "q=" + URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  @Nested
  @DisplayName("finding")
  class Finding {
    @Test
    @DisplayName("by specialty, skill, profession or name, case and spacing aside, with the terms stored normalised")
    void by_specialty() {
      assertThat(names(nurse.token(), q("DIABETES"))).containsExactlyInAnyOrder("Test nurse-anna", "Test doctor-bo");
      assertThat(names(nurse.token(), q("wound care"))).containsExactly("Test nurse-anna");
      assertThat(names(nurse.token(), q("photo"))).containsExactly("Test hygienist-sara");
      assertThat(names(nurse.token(), q("physiotherapist"))).containsExactly("Test hygienist-sara");
      assertThat(names(nurse.token(), q("doctor-b"))).containsExactly("Test doctor-bo");
      assertThat(names(nurse.token(), q("100%"))).isEmpty();
      JsonObject anna = one(physician.token(), q("wound"), nurse.id());
      assertThat(anna.getJsonArray("specialties").getList()).containsExactly("diabetes", "wound care");
      assertThat(anna.getJsonArray("skills").getList()).containsExactly("insulin pumps");
      assertThat(anna.getString("role")).isEqualTo("nurse");
    }

    @Test
    @DisplayName("by language and role")
    void by_language_and_role() {
      assertThat(names(nurse.token(), "language=se")).containsExactly("Test doctor-bo");
      assertThat(names(nurse.token(), "language=sv")).containsExactly("Test nurse-anna");
      assertThat(names(nurse.token(), "role=specialist")).containsExactly("Test hygienist-sara");
      assertThat(names(nurse.token(), q("diabetes") + "&role=physician&language=fi")).containsExactly("Test doctor-bo");
    }

    @Test
    @DisplayName("marks the caller as self, and lists no admins, supervisors, partners or disabled accounts")
    void self_and_others() {
      f.account("boss", "supervisor");
      f.account("partner-pia", "partner");
      UUID gone = f.account("nurse-gone", "nurse");
      TestApp.await(t.app.services().accounts().disable(gone));
      List<String> all = names(nurse.token(), "");
      assertThat(all).containsExactlyInAnyOrder("Test nurse-anna", "Test doctor-bo", "Test hygienist-sara");
      assertThat(one(nurse.token(), "", nurse.id()).getBoolean("self")).isTrue();
      assertThat(one(nurse.token(), "", physician.id()).getBoolean("self")).isFalse();
    }

    @Test
    @DisplayName("never shows another organisation's people, whatever the search")
    void other_organisation() {
      TestApp.await(t.app.services().organisations().create(Fixtures.decode(
          new JsonObject().put("id", "other-area").put("name", "Other area").put("kind", "wellbeing_area"), Organisations.NewOrganisation.class)));
      TestApp.await(t.app.services().accounts().create(Fixtures.decode(new JsonObject().put("username", "other-doc").put("password", Fixtures.PASSWORD)
          .put("displayName", "Other Diabetes Doctor").put("role", "physician").put("organisationId", "other-area")
          .put("languages", new JsonArray(List.of("fi", "se"))).put("specialties", new JsonArray(List.of("diabetes"))), Accounts.NewAccount.class)));
      assertThat(names(nurse.token(), q("diabetes"))).containsExactlyInAnyOrder("Test nurse-anna", "Test doctor-bo");
      assertThat(names(nurse.token(), "language=se")).containsExactly("Test doctor-bo");
      // and they in turn see only their own
      assertThat(names(f.accessToken("other-doc"), "")).containsExactly("Other Diabetes Doctor");
    }
  }

  @Nested
  @DisplayName("availability and load")
  class AvailabilityAndLoad {
    @Test
    @DisplayName("availability follows presence changes, and available colleagues come first")
    void availability() {
      assertThat(one(nurse.token(), "", physician.id()).getString("status")).isEqualTo("away");
      assertThat(one(nurse.token(), "", specialist.id()).getString("status")).isEqualTo("away");
      assertThat(names(nurse.token(), "available=true")).containsExactly("Test nurse-anna");
      assertThat(names(nurse.token(), "").get(0)).isEqualTo("Test nurse-anna");

      physician.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
      nurse.ws().request(new JsonObject().put("type", "presence").put("status", "busy"));
      JsonObject bo = one(nurse.token(), "", physician.id());
      assertThat(bo.getString("status")).isEqualTo("available");
      assertThat(bo.getBoolean("available")).isTrue();
      assertThat(names(nurse.token(), "available=true")).containsExactly("Test doctor-bo");
      assertThat(names(nurse.token(), "")).containsExactly("Test doctor-bo", "Test nurse-anna", "Test hygienist-sara");
    }

    @Test
    @DisplayName("load counts accepted open conversations against capacity; among the available the least loaded come first")
    void load() {
      physician.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
      c.createQueue(ChatFixtures.queue("chat", "auto"), nurse.id());
      assertThat(names(specialist.token(), "available=true")).containsExactly("Test doctor-bo", "Test nurse-anna");
      try (Patient patient = c.anonymousPatient()) {
        String id = patient.ws().request(enter("chat")).getJsonObject("conversation").getString("id");
        nurse.ws().await(fr -> "conversation.offer".equals(fr.getString("type")));
        JsonObject accepted = nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
        assertThat(accepted.getString("type")).as(accepted.encode()).isEqualTo("conversation.state");
        JsonObject load = one(specialist.token(), "", nurse.id()).getJsonObject("load");
        assertThat(load.getLong("active")).isEqualTo(1);
        assertThat(load.getLong("waitingTransfers")).isZero();
        assertThat(load.getInteger("maxConcurrent")).isEqualTo(4);
        assertThat(names(specialist.token(), "available=true")).containsExactly("Test doctor-bo", "Test nurse-anna");
        assertThat(one(specialist.token(), "", physician.id()).getJsonObject("load").getLong("active")).isZero();

        // transferred by name: it waits in the physician's personal queue, and counts there
        JsonObject requested = nurse.ws().request(new JsonObject().put("type", "transfer.request").put("conversationId", id)
            .put("toProfessional", physician.id().toString()).put("note", new JsonObject().put("situation", "Diabetes, lääkärin arvio")));
        assertThat(requested.getString("type")).as(requested.encode()).isEqualTo("transfer.requested");
        JsonObject doctorLoad = one(specialist.token(), "", physician.id()).getJsonObject("load");
        assertThat(doctorLoad.getLong("active")).isZero();
        assertThat(doctorLoad.getLong("waitingTransfers")).isEqualTo(1);
        assertThat(one(specialist.token(), "", nurse.id()).getJsonObject("load").getLong("active")).isZero();
        assertThat(names(specialist.token(), "available=true")).containsExactly("Test nurse-anna", "Test doctor-bo");
      }
    }
  }

  @Nested
  @DisplayName("who may look and edit")
  class Access {
    @Test
    @DisplayName("patients, supervisors, partners and admins are refused, and every search is audited")
    void refused() {
      f.account("boss", "supervisor");
      f.account("partner-pia", "partner");
      f.account("admin-ari", "admin");
      try (Patient patient = c.anonymousPatient()) {
        assertThat(search(patient.token(), "").statusCode()).isEqualTo(403);
      }
      for (String who : List.of("boss", "partner-pia", "admin-ari")) {
        assertThat(search(f.accessToken(who), "").statusCode()).as(who).isEqualTo(403);
      }
      assertThat(search(null, "").statusCode()).isEqualTo(401);
      names(nurse.token(), q("diabetes"));
      var rows = t.rows("select actor_id, outcome, reason, resource_type, resource_id from audit_event where action = 'expert_registry.list'"
          + " order by id");
      assertThat(rows).hasSize(5);
      assertThat(rows.subList(0, 4)).allSatisfy(r -> assertThat(r.getString("outcome")).isEqualTo("denied"));
      assertThat(rows.get(4).getUUID("actor_id")).isEqualTo(nurse.id());
      assertThat(rows.get(4).getString("outcome")).isEqualTo("allowed");
      assertThat(rows.get(4).getString("resource_type")).isEqualTo("directory");
      assertThat(rows.get(4).getString("resource_id")).isEqualTo(Fixtures.ORG);
    }

    @Test
    @DisplayName("bad parameters get clear codes")
    void bad_parameters() {
      assertThat(code(search(nurse.token(), "language=xx"))).isEqualTo("invalid_language");
      assertThat(code(search(nurse.token(), "role=admin"))).isEqualTo("invalid_role");
      assertThat(code(search(nurse.token(), "role=wizard"))).isEqualTo("invalid_role");
      assertThat(code(search(nurse.token(), q("x".repeat(101))))).isEqualTo("query_too_long");
      assertThat(code(search(nurse.token(), "available=maybe"))).isEqualTo("invalid_parameter");
    }

    @Test
    @DisplayName("an admin edits entries of its own organisation only; bad entries change nothing")
    void admin_edits() {
      String admin = tokenOf("admin-ari", "admin");
      var edited = put("/api/admin/accounts/" + specialist.id() + "/expertise", admin,
          entry(List.of("Orthodontics", "ORTHODONTICS", "child dentistry"), List.of(), List.of("fi", "sv")));
      assertThat(edited.statusCode()).as(edited.bodyAsString()).isEqualTo(200);
      assertThat(edited.bodyAsJsonObject().getJsonArray("specialties").getList()).containsExactly("orthodontics", "child dentistry");
      assertThat(names(nurse.token(), "language=sv")).containsExactlyInAnyOrder("Test nurse-anna", "Test hygienist-sara");
      var account = t.get("/api/admin/accounts", admin).bodyAsJsonArray().stream().map(JsonObject.class::cast)
          .filter(a -> a.getString("id").equals(specialist.id().toString())).findFirst().orElseThrow();
      assertThat(account.getJsonArray("specialties").getList()).containsExactly("orthodontics", "child dentistry");

      assertThat(code(put("/api/me/expertise", nurse.token(), entry(List.of("x".repeat(61)), List.of(), List.of("fi"))))).isEqualTo("invalid_field");
      assertThat(code(put("/api/me/expertise", nurse.token(), entry(List.of("a\nb"), List.of(), List.of("fi"))))).isEqualTo("invalid_field");
      assertThat(code(put("/api/me/expertise", nurse.token(), entry(List.of(), List.of(), List.of())))).isEqualTo("invalid_field");
      assertThat(code(put("/api/me/expertise", nurse.token(), entry(List.of(), List.of(), List.of("xx"))))).isEqualTo("invalid_field");
      assertThat(code(put("/api/me/expertise", nurse.token(), new JsonObject().put("specialties", new JsonArray())))).isEqualTo("missing_field");
      assertThat(one(physician.token(), "", nurse.id()).getJsonArray("specialties").getList()).containsExactly("diabetes", "wound care");

      // a nurse is no admin; an admin of another organisation is refused (403), an unknown account is 404
      assertThat(put("/api/admin/accounts/" + specialist.id() + "/expertise", nurse.token(), entry(List.of(), List.of(), List.of("fi")))
          .statusCode()).isEqualTo(403);
      TestApp.await(t.app.services().organisations().create(Fixtures.decode(
          new JsonObject().put("id", "other-area").put("name", "Other area").put("kind", "wellbeing_area"), Organisations.NewOrganisation.class)));
      TestApp.await(t.app.services().accounts().create(Fixtures.decode(new JsonObject().put("username", "other-admin").put("password", Fixtures.PASSWORD)
          .put("displayName", "Other Admin").put("role", "admin").put("organisationId", "other-area")
          .put("languages", new JsonArray(List.of("fi"))), Accounts.NewAccount.class)));
      assertThat(put("/api/admin/accounts/" + specialist.id() + "/expertise", f.accessToken("other-admin"), entry(List.of("hacked"), List.of(), List.of("fi")))
          .statusCode()).isEqualTo(403);
      assertThat(code(put("/api/admin/accounts/" + UUID.randomUUID() + "/expertise", admin, entry(List.of(), List.of(), List.of("fi")))))
          .isEqualTo("account_not_found");
      assertThat(one(nurse.token(), "", specialist.id()).getJsonArray("specialties").getList()).containsExactly("orthodontics", "child dentistry");
      // a supervisor keeps no registry entry
      assertThat(put("/api/me/expertise", tokenOf("boss", "supervisor"), entry(List.of("x"), List.of(), List.of("fi"))).statusCode()).isEqualTo(403);
    }
  }

  private String tokenOf(String username, String role) {
    f.account(username, role);
    return f.accessToken(username);
  }

  private static String code(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isBetween(400, 499);
    return response.bodyAsJsonObject().getString("code");
  }
}
