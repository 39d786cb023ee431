package fi.kanava.chat;

import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Queue administration and the chat REST endpoints")
class QueueAdminTest {
  static TestApp t;
  static Fixtures f;
  static String admin;

  @BeforeAll
  static void start() {
    t = TestApp.start();
    f = new Fixtures(t).organisations();
    f.account("queue-admin", "admin");
    admin = f.accessToken("queue-admin");
  }

  @AfterAll
  static void stop() {
    t.close();
  }


  @Test
  void an_admin_creates_updates_staffs_and_lists_a_queue() {
    HttpResponse<Buffer> created = t.post("/api/admin/queues", admin, ChatFixtures.queue("admin-q", "auto"));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    assertError(t.post("/api/admin/queues", admin, ChatFixtures.queue("admin-q", "auto")), 409, "queue_exists");

    JsonObject changed = ChatFixtures.queue("ignored", "pick").put("maxLength", 7);
    changed.remove("id");
    HttpResponse<Buffer> updated = t.send(HttpMethod.PUT, "/api/admin/queues/admin-q", admin, changed);
    assertThat(updated.statusCode()).as(updated.bodyAsString()).isEqualTo(200);
    assertThat(updated.bodyAsJsonObject().getString("routingMode")).isEqualTo("pick");
    assertError(t.send(HttpMethod.PUT, "/api/admin/queues/no-such", admin, changed), 404, "queue_not_found");

    UUID nurse = f.account("staffed-nurse", "nurse");
    HttpResponse<Buffer> members = t.send(HttpMethod.PUT, "/api/admin/queues/admin-q/members", admin,
        new JsonObject().put("accountIds", new JsonArray(List.of(nurse.toString()))));
    assertThat(members.statusCode()).as(members.bodyAsString()).isEqualTo(200);
    assertError(t.send(HttpMethod.PUT, "/api/admin/queues/admin-q/members", admin,
        new JsonObject().put("accountIds", new JsonArray(List.of(UUID.randomUUID().toString())))), 400, "unknown_account");

    HttpResponse<Buffer> capacity = t.send(HttpMethod.PUT, "/api/admin/accounts/" + nurse + "/capacity", admin,
        new JsonObject().put("maxConcurrent", 6));
    assertThat(capacity.bodyAsJsonObject().getInteger("maxConcurrent")).isEqualTo(6);
    assertError(t.send(HttpMethod.PUT, "/api/admin/accounts/" + nurse + "/capacity", admin, new JsonObject().put("maxConcurrent", 0)),
        400, "invalid_field");

    JsonArray all = t.get("/api/admin/queues", admin).bodyAsJsonArray();
    JsonObject stored = all.stream().map(JsonObject.class::cast).filter(q -> q.getString("id").equals("admin-q")).findFirst().orElseThrow();
    assertThat(stored.getInteger("maxLength")).isEqualTo(7);
  }

  @Test
  @DisplayName("an admin reads a queue's members and an account's capacity; a member named twice counts once; a disabled account cannot join")
  void members_and_capacity_can_be_read() {
    t.post("/api/admin/queues", admin, ChatFixtures.queue("read-q", "auto"));
    UUID nurse = f.account("read-nurse", "nurse");
    UUID gone = f.account("gone-nurse", "nurse");
    TestApp.await(t.app.services().accounts().disable(gone));
    HttpResponse<Buffer> set = t.send(HttpMethod.PUT, "/api/admin/queues/read-q/members", admin,
        new JsonObject().put("accountIds", new JsonArray(List.of(nurse.toString(), nurse.toString()))));
    assertThat(set.bodyAsJsonObject().getJsonArray("accountIds")).containsExactly(nurse.toString());
    assertError(t.send(HttpMethod.PUT, "/api/admin/queues/read-q/members", admin,
        new JsonObject().put("accountIds", new JsonArray(List.of(gone.toString())))), 400, "unknown_account");

    JsonObject members = t.get("/api/admin/queues/read-q/members", admin).bodyAsJsonObject();
    assertThat(members.getJsonArray("accountIds")).containsExactly(nurse.toString());
    JsonObject member = members.getJsonArray("members").getJsonObject(0);
    assertThat(member.getString("role")).isEqualTo("nurse");
    assertThat(member.getInteger("maxConcurrent")).isEqualTo(4);
    assertError(t.get("/api/admin/queues/no-such/members", admin), 404, "queue_not_found");

    assertThat(t.get("/api/admin/accounts/" + nurse + "/capacity", admin).bodyAsJsonObject().getInteger("maxConcurrent")).isEqualTo(4);
    assertError(t.get("/api/admin/accounts/" + UUID.randomUUID() + "/capacity", admin), 404, "account_not_found");
    f.account("reading-nurse", "nurse");
    assertError(t.get("/api/admin/queues/read-q/members", f.accessToken("reading-nurse")), 403, "forbidden");
  }

  @Test
  @DisplayName("an archived queue leaves the patients' list and takes no new entries until it is restored")
  void archiving_a_queue() {
    t.post("/api/admin/queues", admin, ChatFixtures.queue("old-q", "pick"));
    String patient = t.post("/api/patient/session", null, null).bodyAsJsonObject().getString("accessToken");
    HttpResponse<Buffer> archived = t.post("/api/admin/queues/old-q/archive", admin, null);
    assertThat(archived.statusCode()).as(archived.bodyAsString()).isEqualTo(200);
    assertThat(archived.bodyAsJsonObject().getString("archivedAt")).isNotNull();
    assertThat(t.get("/api/queues", patient).bodyAsJsonArray().stream().map(JsonObject.class::cast).map(q -> q.getString("id")))
        .doesNotContain("old-q");
    JsonObject listed = t.get("/api/admin/queues", admin).bodyAsJsonArray().stream().map(JsonObject.class::cast)
        .filter(q -> q.getString("id").equals("old-q")).findFirst().orElseThrow();
    assertThat(listed.getString("archivedAt")).isEqualTo(archived.bodyAsJsonObject().getString("archivedAt"));
    try (var ws = fi.kanava.support.WsClient.connect(t, patient)) {
      JsonObject refused = ws.request(ChatFixtures.enter("old-q"));
      assertThat(refused.getString("code")).isEqualTo("queue_archived");
      assertThat(t.row("select count(*) from conversation where queue_id = 'old-q'").getLong(0)).isZero();

      t.post("/api/admin/queues/old-q/restore", admin, null);
      assertThat(t.get("/api/queues", patient).bodyAsJsonArray().stream().map(JsonObject.class::cast).map(q -> q.getString("id")))
          .contains("old-q");
      assertThat(ws.request(ChatFixtures.enter("old-q")).getString("type")).isEqualTo("queue.entered");
    }
    assertError(t.post("/api/admin/queues/no-such/archive", admin, null), 404, "queue_not_found");
  }

  @Test
  void bad_queue_definitions_are_refused_naming_the_field_and_nothing_is_stored() {
    JsonObject badHours = ChatFixtures.queue("bad-hours", "auto").put("openingHours",
        new JsonObject().put("weekly", new JsonObject().put("mon", new JsonArray().add(new JsonArray(List.of("16:00", "08:00"))))));
    HttpResponse<Buffer> hours = t.post("/api/admin/queues", admin, badHours);
    assertError(hours, 400, "invalid_field");
    assertThat(hours.bodyAsJsonObject().getString("field")).isEqualTo("openingHours");
    JsonObject badQuestions = ChatFixtures.queue("bad-questions", "auto").put("questionnaire", new JsonObject().put("questions", new JsonArray()));
    assertThat(t.post("/api/admin/queues", admin, badQuestions).bodyAsJsonObject().getString("field")).isEqualTo("questionnaire");
    assertError(t.post("/api/admin/queues", admin, ChatFixtures.queue("bad-mode", "random")), 400, "invalid_field");
    assertError(t.post("/api/admin/queues", admin, ChatFixtures.queue("bad-lang", "auto").put("languages", new JsonArray(List.of("de")))),
        400, "invalid_field");
    assertError(t.post("/api/admin/queues", admin, ChatFixtures.queue("extra", "auto").put("priority", 1)), 400, "unknown_field");
    var count = TestApp.await(t.pool().query("select count(*) from queue where id like 'bad-%' or id = 'extra'").execute());
    assertThat(count.iterator().next().getLong(0)).isZero();
  }

  @Test
  void only_admins_manage_queues_patients_see_the_list_and_professionals_get_phrases() {
    t.post("/api/admin/queues", admin, ChatFixtures.queue("rest-q", "pick"));
    f.account("rest-nurse", "nurse");
    String nurse = f.accessToken("rest-nurse");
    assertError(t.post("/api/admin/queues", nurse, ChatFixtures.queue("nurse-made", "pick")), 403, "forbidden");
    String patient = t.post("/api/patient/session", null, null).bodyAsJsonObject().getString("accessToken");

    JsonArray queues = t.get("/api/queues", patient).bodyAsJsonArray();
    JsonObject listed = queues.stream().map(JsonObject.class::cast).filter(q -> q.getString("id").equals("rest-q")).findFirst().orElseThrow();
    assertThat(listed.getBoolean("open")).isTrue();
    assertThat(listed.fieldNames()).doesNotContain("questionnaire", "cannedPhrases");
    assertThat(t.get("/api/queues/rest-q/questionnaire", patient).bodyAsJsonObject().getJsonArray("questions")).hasSize(2);
    assertError(t.get("/api/queues/rest-q/phrases?lang=fi", patient), 403, "forbidden");
    assertThat(t.get("/api/queues/rest-q/phrases?lang=fi", nurse).bodyAsJsonArray()).containsExactly("Hei, miten voin auttaa?");
    assertThat(t.get("/api/queues", null).statusCode()).isEqualTo(401);
    assertThat(t.get("/api/patient/conversations/current", patient).statusCode()).isEqualTo(204);
    assertError(t.get("/api/conversations/" + UUID.randomUUID() + "/messages", patient), 404, "conversation_not_found");
    assertError(t.get("/api/conversations/not-a-uuid/messages", patient), 400, "invalid_id");
  }
}
