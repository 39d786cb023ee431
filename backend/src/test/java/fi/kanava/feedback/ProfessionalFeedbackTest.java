package fi.kanava.feedback;

import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Professional feedback: asked after every N closes, skippable, stored without the account, reported apart from patients'")
class ProfessionalFeedbackTest {
  private static final String SCRAPE_TOKEN = "profeedback-test-scrape-token-0123456789";
  TestApp t;
  Fixtures f;
  ChatFixtures c;

  @BeforeEach
  void start() {
    t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN, "feedback.professional-every-closed", "2"));
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
  }

  @AfterEach
  void stop() {
    t.close();
  }

  /** Ten seconds pass on the injected clock; a patient enters, the nurse accepts and closes it. */
  private void closedChat(Pro nurse) {
    t.clock.advance(Duration.ofSeconds(10));
    try (Patient patient = c.anonymousPatient()) {
      String id = patient.ws().request(enter("nurse-chat")).getJsonObject("conversation").getString("id");
      nurse.ws().await(fr -> "conversation.offer".equals(fr.getString("type")) && id.equals(fr.getJsonObject("conversation").getString("id")));
      nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
      JsonObject closed = nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "resolved"));
      assertThat(closed.getString("type")).as(closed.encode()).isEqualTo("conversation.closed");
    }
  }

  private static JsonObject submit(int score) {
    return new JsonObject().put("type", "profeedback.submit").put("score", score);
  }

  @Test
  @DisplayName("the question falls due after two closes, bad input changes nothing, an answer is stored once by role and counted apart")
  void asked_answered_and_reported_apart() {
    f.account("pro-supervisor", "supervisor");
    try (Pro nurse = c.professional("pro-nurse", "nurse", "available")) {
      c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
      // not asked: answering now is refused
      assertThat(nurse.ws().request(submit(8)).getString("code")).isEqualTo("profeedback_not_asked");

      closedChat(nurse);
      closedChat(nurse);
      JsonObject ask = nurse.ws().awaitType("profeedback.ask");
      assertThat(ask.getJsonArray("statements").getList()).containsExactly("easy", "helps");
      assertThat(nurse.ws().all("profeedback.ask")).hasSize(1); // asked once

      for (Object score : java.util.List.of(11, -1, "7")) {
        JsonObject reply = nurse.ws().request(new JsonObject().put("type", "profeedback.submit").put("score", score));
        assertThat(reply.getString("code")).as("score %s: %s", score, reply.encode()).isIn("invalid_score", "malformed_frame");
      }
      assertThat(nurse.ws().request(submit(6).put("statements", new JsonObject().put("easy", 9))).getString("code"))
          .isEqualTo("invalid_statement");
      assertThat(t.row("select count(*) from professional_feedback").getLong(0)).isZero();

      JsonObject recorded = nurse.ws().request(submit(6).put("statements", new JsonObject().put("easy", 2)).put("text", " Liian monta klikkausta. "));
      assertThat(recorded.getString("type")).as(recorded.encode()).isEqualTo("profeedback.recorded");
      assertThat(recorded.getBoolean("skipped")).isFalse();
      assertThat(nurse.ws().request(submit(9)).getString("code")).isEqualTo("profeedback_not_asked");
      Row row = t.row("select role, organisation_id, score, free_text, skipped from professional_feedback");
      assertThat(row.getString("role")).isEqualTo("nurse");
      assertThat(row.getString("organisation_id")).isEqualTo(Fixtures.ORG);
      assertThat(row.getInteger("score")).isEqualTo(6);
      assertThat(row.getString("free_text")).isEqualTo("Liian monta klikkausta.");
      // nothing about patients' feedback changed
      assertThat(t.row("select count(*) from feedback_response").getLong(0)).isZero();

      String metrics = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
      assertThat(metrics)
          .contains("kanava_professional_feedback_responses_total{category=\"detractor\",role=\"nurse\"} 1.0")
          .contains("kanava_professional_feedback_responses_total{category=\"promoter\",role=\"physician\"} 0.0")
          // the patients' detractors of the queue stay at zero
          .contains("kanava_feedback_responses_total{category=\"detractor\",channel=\"chat\",queue=\"nurse-chat\",unit=\"\"} 0.0");

      JsonObject report = t.get("/api/reports/monthly?month=2026-03", f.accessToken("pro-supervisor")).bodyAsJsonObject();
      JsonObject pro = report.getJsonObject("professionalFeedback");
      assertThat(pro.getLong("responses")).isEqualTo(1);
      assertThat(pro.getLong("detractors")).isEqualTo(1);
      assertThat(pro.getDouble("nps")).isEqualTo(-100.0);
      assertThat(pro.getJsonObject("byRole").getJsonObject("nurse").getLong("responses")).isEqualTo(1);
      // patients' NPS of the month is not touched by it
      assertThat(report.getJsonObject("total").getLong("npsResponses")).isZero();
      assertThat(report.getJsonObject("total").getValue("nps")).isNull();
      assertThat(t.get("/api/reports/monthly?month=2026-02", f.accessToken("pro-supervisor")).bodyAsJsonObject()
          .getJsonObject("professionalFeedback").getLong("responses")).isZero();
    }
  }

  @Test
  @DisplayName("a pending question is shown again on a new connection, and skipping is one click that counts the closes again")
  void pending_question_survives_a_reconnect_and_skip_is_one_click() {
    try (Pro nurse = c.professional("pro-nurse2", "nurse", "available")) {
      c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
      closedChat(nurse);
      closedChat(nurse);
      nurse.ws().awaitType("profeedback.ask");
      try (WsClient again = WsClient.connect(t, f.accessToken("pro-nurse2"))) {
        again.awaitType("profeedback.ask");
        JsonObject skipped = again.request(new JsonObject().put("type", "profeedback.skip"));
        assertThat(skipped.getBoolean("skipped")).as(skipped.encode()).isTrue();
      }
      assertThat(t.row("select skipped, score from professional_feedback").getBoolean(0)).isTrue();
      // one more close is not enough: the count starts again from the skip
      closedChat(nurse);
      assertThat(t.row("select asked_at from professional_feedback_prompt where account_id = $1", nurse.id()).getValue(0)).isNull();
      closedChat(nurse);
      nurse.ws().awaitType("profeedback.ask");
    }
  }

  @Test
  @DisplayName("a supervisor is neither asked nor may answer")
  void supervisors_are_not_asked() {
    f.account("pro-sup2", "supervisor");
    try (WsClient sup = WsClient.connect(t, f.accessToken("pro-sup2"))) {
      assertThat(sup.request(submit(5)).getString("code")).isEqualTo("forbidden");
    }
  }
}
