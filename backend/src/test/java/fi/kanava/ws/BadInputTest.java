package fi.kanava.ws;

import static fi.kanava.support.ChatFixtures.enter;
import static fi.kanava.support.ChatFixtures.send;
import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Bad input is refused with a code, never a 500")
class BadInputTest {
  static TestApp t;
  static Fixtures f;
  static ChatFixtures c;
  static String admin;
  static int counter;

  @BeforeAll
  static void start() {
    t = TestApp.start();
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
    f.account("bad-input-admin", "admin");
    admin = f.accessToken("bad-input-admin");
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static String unique(String prefix) {
    return prefix + "-" + (++counter);
  }

  /** Sends raw frame text that carries {@code "ref": ref} and waits for the reply or error with that ref. */
  private static JsonObject raw(WsClient ws, String ref, String text) {
    ws.sendText(text);
    return ws.await(frame -> ref.equals(frame.getString("ref")));
  }

  private static long count(String sql, Object... params) {
    return t.row(sql, params).getLong(0);
  }

  @Nested
  @DisplayName("on the socket")
  class Socket {
    @Test
    @DisplayName("a message with NUL or a lone surrogate is invalid_text, nothing is stored, and the socket stays usable")
    void unstorable_message_text() {
      String queue = unique("text");
      c.createQueue(ChatFixtures.queue(queue, "pick").put("patientMayWriteWhileQueued", true)); // the patient writes while waiting
      try (Patient p = c.anonymousPatient()) {
        String id = p.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
        JsonObject nul = p.ws().request(send(id, "nul", "Hei\u0000 hoitaja"));
        assertThat(nul.getString("type")).isEqualTo("error");
        assertThat(nul.getString("code")).isEqualTo("invalid_text");
        String lone = "{\"type\":\"message.send\",\"ref\":\"lone\",\"conversationId\":\"" + id
            + "\",\"clientMsgId\":\"lone\",\"text\":\"Hei \\ud83d\"}";
        assertThat(raw(p.ws(), "lone", lone).getString("code")).isEqualTo("invalid_text");
        JsonObject badId = p.ws().request(send(id, "id\u0000", "Hei"));
        assertThat(badId.getString("code")).isEqualTo("invalid_text");
        assertThat(count("select count(*) from message where conversation_id = $1", UUID.fromString(id))).isZero();

        assertThat(p.ws().request(send(id, "ok", "Hei \uD83D\uDE00")).getString("type")).isEqualTo("message.ack");
        assertThat(t.row("select body from message where conversation_id = $1", UUID.fromString(id)).getString(0))
            .isEqualTo("Hei \uD83D\uDE00");
      }
    }

    @Test
    @DisplayName("a NUL in a questionnaire answer or its key is invalid_text and no conversation is made")
    void unstorable_answers() {
      String queue = unique("answers");
      c.createQueue(ChatFixtures.queue(queue, "pick"));
      try (Patient p = c.anonymousPatient()) {
        assertThat(p.ws().request(enter(queue, Map.of("breathing", false, "topic", "other\u0000"))).getString("code"))
            .isEqualTo("invalid_text");
        assertThat(p.ws().request(enter(queue, Map.of("breathing", false, "topic", "other", "x\u0000", 1))).getString("code"))
            .isEqualTo("invalid_text");
        assertThat(p.ws().request(enter(queue).put("municipality", "Inari\u0000")).getString("code")).isEqualTo("invalid_text");
        assertThat(count("select count(*) from conversation where patient_id = $1", p.id())).isZero();
        assertThat(p.ws().request(enter(queue)).getString("type")).isEqualTo("queue.entered");
      }
    }

    @Test
    @DisplayName("a float where an integer belongs is malformed_frame, not truncated")
    void floats_for_integers() {
      String queue = unique("floats");
      c.createQueue(ChatFixtures.queue(queue, "pick"));
      try (Patient p = c.anonymousPatient()) {
        String id = p.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
        JsonObject open = p.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", id).put("afterSeq", 2.0));
        assertThat(open.getString("code")).isEqualTo("malformed_frame");
        assertThat(open.getString("message")).contains("afterSeq");
        JsonObject read = raw(p.ws(), "half", "{\"type\":\"read\",\"ref\":\"half\",\"conversationId\":\"" + id + "\",\"seq\":1.5}");
        assertThat(read.getString("code")).isEqualTo("malformed_frame");
        assertThat(read.getString("message")).contains("seq");
        assertThat(p.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", id).put("afterSeq", 0))
            .getString("type")).isNotEqualTo("error");
      }
    }

    @Test
    @DisplayName("a frame that is not an object, or whose type is not a string, is malformed_frame")
    void frames_that_are_not_objects() {
      try (Patient p = c.anonymousPatient()) {
        for (String text : List.of("[]", "[{\"type\":\"ping\"}]", "1", "\"x\"", "null", "true",
            "{\"type\":1}", "{\"type\":true}", "{\"type\":null}", "{\"type\":{}}", "{\"type\":[\"ping\"]}")) {
          p.ws().sendText(text);
          JsonObject error = p.ws().awaitType("error");
          assertThat(error.getString("code")).as(text).isEqualTo("malformed_frame");
        }
        JsonObject typeless = raw(p.ws(), "n", "{\"ref\":\"n\",\"type\":7}");
        assertThat(typeless.getString("code")).isEqualTo("malformed_frame");
        assertThat(typeless.getString("message")).contains("type");
        assertThat(p.ws().request(new JsonObject().put("type", "ping")).getString("type")).isEqualTo("pong");
      }
    }
  }

  @Nested
  @DisplayName("in REST bodies")
  class Rest {
    @Test
    @DisplayName("a NUL or lone surrogate in a login body is 400 invalid_text")
    void login() {
      f.account("nul-user", "nurse");
      assertError(t.post("/api/auth/login", null, new JsonObject().put("username", "nul-user\u0000").put("password", Fixtures.PASSWORD)),
          400, "invalid_text");
      assertError(t.post("/api/auth/login", null, new JsonObject().put("username", "nul-user").put("password", "x\u0000")),
          400, "invalid_text");
      assertError(t.post("/api/auth/login", null, "{\"username\":\"nul-user\\udc00\",\"password\":\"x\"}"), 400, "invalid_text");
      assertThat(f.login("nul-user").getString("accessToken")).isNotBlank();
    }

    @Test
    @DisplayName("a NUL anywhere in a queue definition is 400 invalid_text and nothing is stored")
    void queue_definition() {
      String queue = unique("nul-queue");
      JsonObject name = ChatFixtures.queue(queue, "auto");
      name.getJsonObject("names").put("fi", "Jono\u0000");
      assertError(t.post("/api/admin/queues", admin, name), 400, "invalid_text");
      JsonObject question = ChatFixtures.queue(queue, "auto");
      question.getJsonObject("questionnaire").getJsonArray("questions").getJsonObject(0).getJsonObject("text").put("sv\u0000", "Andnöd?");
      assertError(t.post("/api/admin/queues", admin, question), 400, "invalid_text");
      JsonObject phrase = ChatFixtures.queue(queue, "auto").put("cannedPhrases", new JsonObject().put("fi", new JsonArray().add("Hei\u0000")));
      assertError(t.post("/api/admin/queues", admin, phrase), 400, "invalid_text");
      assertThat(count("select count(*) from queue where id = $1", queue)).isZero();
    }

    @Test
    @DisplayName("a float for an integer is 400 wrong_type and nothing changes")
    void float_for_an_integer() {
      UUID nurse = f.account(unique("float-nurse"), "nurse");
      String path = "/api/admin/accounts/" + nurse + "/capacity";
      assertError(t.send(HttpMethod.PUT, path, admin, new JsonObject().put("maxConcurrent", 2.5)), 400, "wrong_type");
      assertError(t.send(HttpMethod.PUT, path, admin, "{\"maxConcurrent\":3.0}"), 400, "wrong_type");
      assertThat(t.send(HttpMethod.PUT, path, admin, new JsonObject().put("maxConcurrent", 3)).bodyAsJsonObject().getInteger("maxConcurrent"))
          .isEqualTo(3);
    }
  }
}
