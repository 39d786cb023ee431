package fi.kanava.conversation;

import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.HttpAssertions;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/console/conversations}: the console's list of the caller's active conversations, and with
 * {@code ?state=closed} the ones closed in the last 24 hours. Real PostgreSQL, real sockets, the injected clock.
 */
@DisplayName("The console's conversation lists")
class ConsoleConversationsTest {
  static TestApp t;
  static Fixtures f;
  static ChatFixtures c;
  static int counter;

  @BeforeAll
  static void start() {
    t = TestApp.start();
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static String unique(String prefix) {
    return prefix + "-" + (++counter);
  }

  private static JsonObject about(String type, String conversationId) {
    return new JsonObject().put("type", type).put("conversationId", conversationId);
  }

  /** The patient enters the nurse's auto-assigned queue, and the nurse accepts the offer: the conversation's id. */
  private static String accepted(Pro nurse, Patient patient, String queue) {
    JsonObject entered = patient.ws().request(enter(queue));
    String id = entered.getJsonObject("conversation").getString("id");
    nurse.ws().await(fr -> "conversation.offer".equals(fr.getString("type"))
        && id.equals(fr.getJsonObject("conversation").getString("id")));
    JsonObject reply = nurse.ws().request(about("conversation.accept", id));
    assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("conversation.state");
    return id;
  }

  private static void close(Pro nurse, String id) {
    JsonObject reply = nurse.ws().request(about("conversation.close", id).put("outcome", "resolved"));
    assertThat(reply.getString("type")).as(reply.encode()).isNotEqualTo("error");
  }

  private static List<String> ids(JsonArray views) {
    return views.stream().map(o -> ((JsonObject) o).getString("id")).toList();
  }

  private static long audited(UUID actor, String conversationId, String purpose) {
    return t.row("select count(*) from audit_event where actor_id = $1 and resource_id = $2 and action = 'conversation.read'"
        + " and purpose = $3 and outcome = 'allowed'", actor, conversationId, purpose).getLong(0);
  }

  @Test
  @DisplayName("closed conversations leave the list and are found, newest first and only the caller's, under ?state=closed for 24 hours, each read audited")
  void closed_conversations_are_found_again() {
    String queue = unique("closed");
    String otherQueue = unique("closed-other");
    String username = unique("closer");
    Pro nurse = c.professional(username, "nurse", null);
    Pro colleague = c.professional(unique("colleague"), "nurse", null);
    try (Patient a = c.anonymousPatient(); Patient b = c.anonymousPatient(); Patient live = c.anonymousPatient();
        Patient elsewhere = c.anonymousPatient()) {
      c.createQueue(ChatFixtures.queue(queue, "auto"), nurse.id());
      c.createQueue(ChatFixtures.queue(otherQueue, "auto"), colleague.id());
      nurse.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
      colleague.ws().request(new JsonObject().put("type", "presence").put("status", "available"));

      String first = accepted(nurse, a, queue);
      String second = accepted(nurse, b, queue);
      String open = accepted(nurse, live, queue);
      String colleagues = accepted(colleague, elsewhere, otherQueue);
      close(nurse, first);
      t.clock.advance(Duration.ofMinutes(5));
      close(nurse, second);
      close(colleague, colleagues);

      // a fresh access token: the clock moved past the first one's lifetime
      String token = f.accessToken(username);
      var active = t.get("/api/console/conversations", token);
      assertThat(active.statusCode()).as(active.bodyAsString()).isEqualTo(200);
      assertThat(ids(active.bodyAsJsonArray())).containsExactly(open);
      assertThat(ids(t.get("/api/console/conversations?state=active", token).bodyAsJsonArray())).containsExactly(open);

      var closed = t.get("/api/console/conversations?state=closed", token);
      assertThat(closed.statusCode()).isEqualTo(200);
      assertThat(ids(closed.bodyAsJsonArray())).containsExactly(second, first);
      JsonObject view = closed.bodyAsJsonArray().getJsonObject(0);
      assertThat(view.getString("state")).isEqualTo("closed");
      assertThat(view.getString("outcome")).isEqualTo("resolved");
      assertThat(view.getString("closedAt")).isEqualTo(TestApp.START.plus(Duration.ofMinutes(5)).toString());
      assertThat(view.getJsonArray("triage")).isNotEmpty();
      assertThat(audited(nurse.id(), second, "console_closed_list")).isEqualTo(1);
      assertThat(audited(nurse.id(), first, "console_closed_list")).isEqualTo(1);
      assertThat(audited(nurse.id(), open, "console_closed_list")).isZero();
      assertThat(audited(nurse.id(), colleagues, "console_closed_list")).isZero();

      // a day after the first was closed it is no longer listed; the second still is, for five minutes more
      t.clock.advance(Duration.ofHours(24).minus(Duration.ofMinutes(4)));
      assertThat(ids(t.get("/api/console/conversations?state=closed", f.accessToken(username)).bodyAsJsonArray())).containsExactly(second);
      t.clock.advance(Duration.ofMinutes(5));
      assertThat(ids(t.get("/api/console/conversations?state=closed", f.accessToken(username)).bodyAsJsonArray())).isEmpty();
    } finally {
      nurse.close();
      colleague.close();
    }
  }

  @Test
  @DisplayName("a state other than active or closed is refused as invalid_parameter")
  void unknown_state_is_refused() {
    Pro nurse = c.professional(unique("strict"), "nurse", null);
    try {
      HttpAssertions.assertError(t.get("/api/console/conversations?state=queued", nurse.token()), 400, "invalid_parameter");
    } finally {
      nurse.close();
    }
  }
}
