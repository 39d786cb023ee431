package fi.kanava.feedback;

import static fi.kanava.support.ChatFixtures.enter;
import static fi.kanava.support.ChatFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("In-flow feedback: one response per closed conversation, tied to its event, counted by NPS category")
class FeedbackTest {
  private static final String SCRAPE_TOKEN = "feedback-test-scrape-token-0123456789";
  TestApp t;
  Fixtures f;
  ChatFixtures c;

  @BeforeEach
  void start() {
    t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN));
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
  }

  @AfterEach
  void stop() {
    t.close();
  }

  private static JsonObject submit(String id, int score) {
    return new JsonObject().put("type", "feedback.submit").put("conversationId", id).put("score", score);
  }

  /** A chat the nurse accepted and closed as resolved; returns its id. */
  private String closedChat(Pro nurse, Patient patient) {
    String id = patient.ws().request(enter("nurse-chat")).getJsonObject("conversation").getString("id");
    nurse.ws().awaitType("conversation.offer");
    nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
    patient.ws().request(send(id, "p1", "Kiitos!"));
    JsonObject closed = nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "resolved"));
    assertThat(closed.getString("type")).as(closed.encode()).isEqualTo("conversation.closed");
    return id;
  }

  private long responses(String id) {
    return t.row("select count(*) from feedback_response where event_id = $1", UUID.fromString(id)).getLong(0);
  }

  @Test
  void a_response_is_stored_once_with_its_service_event_and_counted() {
    try (Pro nurse = c.professional("nurse-f", "nurse", "available")) {
      c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
      // the unit of a response is the service unit of the professional who served
      t.rows("update account set unit_id = 'test-unit' where id = $1", nurse.id());
      try (Patient patient = c.anonymousPatient()) {
        String id = closedChat(nurse, patient);

        JsonObject reply = patient.ws().request(submit(id, 9).put("statements", new JsonObject().put("access", 5).put("usefulness", 4))
            .put("text", "  Sain apua nopeasti.  "));
        assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("feedback.recorded");
        assertThat(reply.getBoolean("skipped")).isFalse();

        Row row = t.row("select event_kind, queue_id, organisation_id, unit_id, professional_role, channel, language, transferred, consulted, score, statements,"
            + " free_text, skipped from feedback_response where event_id = $1", UUID.fromString(id));
        assertThat(row.getString("event_kind")).isEqualTo("conversation");
        assertThat(row.getString("queue_id")).isEqualTo("nurse-chat");
        assertThat(row.getString("organisation_id")).isEqualTo(Fixtures.ORG);
        assertThat(row.getString("unit_id")).isEqualTo("test-unit");
        assertThat(row.getString("professional_role")).isEqualTo("nurse");
        assertThat(row.getString("channel")).isEqualTo("chat");
        assertThat(row.getString("language")).isEqualTo("fi");
        assertThat(row.getBoolean("transferred")).isFalse();
        assertThat(row.getBoolean("consulted")).isFalse();
        assertThat(row.getInteger("score")).isEqualTo(9);
        assertThat(((JsonObject) row.getValue("statements")).getMap()).isEqualTo(Map.of("access", 5, "usefulness", 4));
        assertThat(row.getString("free_text")).isEqualTo("Sain apua nopeasti.");
        assertThat(row.getBoolean("skipped")).isFalse();

        // one response per event: a second answer, or a skip after it, is refused and changes nothing
        JsonObject again = patient.ws().request(submit(id, 3));
        assertThat(again.getString("code")).as(again.encode()).isEqualTo("feedback_duplicate");
        JsonObject skip = patient.ws().request(new JsonObject().put("type", "feedback.skip").put("conversationId", id));
        assertThat(skip.getString("code")).as(skip.encode()).isEqualTo("feedback_duplicate");
        assertThat(responses(id)).isEqualTo(1);
        assertThat(t.row("select score from feedback_response where event_id = $1", UUID.fromString(id)).getInteger(0)).isEqualTo(9);

        String metrics = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
        String labels = "channel=\"chat\",queue=\"nurse-chat\",unit=\"test-unit\"";
        assertThat(metrics)
            .contains("kanava_feedback_requests_total{" + labels + "} 1.0")
            .contains("kanava_feedback_responses_total{category=\"promoter\"," + labels + "} 1.0")
            // the other categories exist at zero, so NPS over a window is defined from the first response
            .contains("kanava_feedback_responses_total{category=\"detractor\"," + labels + "} 0.0")
            .contains("kanava_feedback_skipped_total{" + labels + "} 0.0");
      }
    }
  }

  @Test
  void skipping_is_one_click_and_is_the_events_one_response() {
    try (Pro nurse = c.professional("nurse-s", "nurse", "available")) {
      c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
      try (Patient patient = c.anonymousPatient()) {
        String id = closedChat(nurse, patient);
        JsonObject reply = patient.ws().request(new JsonObject().put("type", "feedback.skip").put("conversationId", id));
        assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("feedback.recorded");
        assertThat(reply.getBoolean("skipped")).isTrue();
        assertThat(t.row("select skipped, score from feedback_response where event_id = $1", UUID.fromString(id)).getBoolean(0)).isTrue();
        assertThat(patient.ws().request(submit(id, 10)).getString("code")).isEqualTo("feedback_duplicate");
        assertThat(t.get("/metrics", SCRAPE_TOKEN).bodyAsString()).as("a professional without a unit: an empty unit label")
            .contains("kanava_feedback_skipped_total{channel=\"chat\",queue=\"nurse-chat\",unit=\"\"} 1.0");
      }
    }
  }

  @Test
  void bad_input_gets_a_code_and_stores_nothing() {
    try (Pro nurse = c.professional("nurse-b", "nurse", "available")) {
      JsonObject queue = ChatFixtures.queue("nurse-chat", "auto").put("feedbackStatements", new JsonArray(List.of("access", "safety")));
      c.createQueue(queue, nurse.id());
      try (Patient patient = c.anonymousPatient(); Patient stranger = c.anonymousPatient()) {
        String id = patient.ws().request(enter("nurse-chat")).getJsonObject("conversation").getString("id");
        // still open: nothing to give feedback on yet
        assertThat(patient.ws().request(submit(id, 8)).getString("code")).isEqualTo("conversation_not_closed");
        nurse.ws().awaitType("conversation.offer");
        nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
        nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "resolved"));

        for (Object score : List.of(11, -1, 7.5, "9")) {
          JsonObject reply = patient.ws().request(new JsonObject().put("type", "feedback.submit").put("conversationId", id).put("score", score));
          assertThat(reply.getString("code")).as("score %s: %s", score, reply.encode()).isIn("invalid_score", "malformed_frame");
        }
        assertThat(patient.ws().request(new JsonObject().put("type", "feedback.submit").put("conversationId", id)).getString("code"))
            .isEqualTo("invalid_score");
        assertThat(patient.ws().request(submit(id, 8).put("statements", new JsonObject().put("access", 6))).getString("code"))
            .isEqualTo("invalid_statement");
        assertThat(patient.ws().request(submit(id, 8).put("statements", new JsonObject().put("mood", 3))).getString("code"))
            .isEqualTo("invalid_statement");
        // a statement of the model that this queue does not ask
        assertThat(patient.ws().request(submit(id, 8).put("statements", new JsonObject().put("usefulness", 3))).getString("code"))
            .isEqualTo("invalid_statement");
        assertThat(patient.ws().request(submit(id, 8).put("text", "x".repeat(2001))).getString("code")).isEqualTo("text_too_long");

        // someone else's conversation: forbidden, and the refusal is audited
        JsonObject foreign = stranger.ws().request(submit(id, 0));
        assertThat(foreign.getString("code")).as(foreign.encode()).isEqualTo("forbidden");
        assertThat(t.row("select count(*) from audit_event where resource_id = $1 and purpose = 'feedback' and outcome = 'denied'", id)
            .getLong(0)).isEqualTo(1);
        assertThat(responses(id)).isZero();

        // a professional cannot answer for the patient
        assertThat(nurse.ws().request(submit(id, 10)).getString("code")).isEqualTo("forbidden");
        assertThat(responses(id)).isZero();

        // what the queue asks is accepted
        JsonObject ok = patient.ws().request(submit(id, 6).put("statements", new JsonObject().put("access", 2).put("safety", 4)));
        assertThat(ok.getString("type")).as(ok.encode()).isEqualTo("feedback.recorded");
        assertThat(responses(id)).isEqualTo(1);
      }
    }
  }

  @Test
  void a_patient_who_left_the_queue_is_not_asked() {
    try (Pro nurse = c.professional("nurse-l", "nurse", "away")) {
      c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
      try (Patient patient = c.anonymousPatient()) {
        String id = patient.ws().request(enter("nurse-chat")).getJsonObject("conversation").getString("id");
        patient.ws().request(new JsonObject().put("type", "queue.leave").put("conversationId", id));
        assertThat(patient.ws().request(submit(id, 5)).getString("code")).isEqualTo("feedback_not_asked");
        assertThat(responses(id)).isZero();
      }
    }
  }
}
