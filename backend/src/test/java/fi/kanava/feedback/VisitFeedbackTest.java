package fi.kanava.feedback;

import static fi.kanava.support.VisitLinks.frame;
import static fi.kanava.support.VisitLinks.join;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Feedback after a remote visit (docs/protocol.md, "Feedback"): real REST and sockets, a real
 * database; the visit's call is ended through its roster, as fi.kanava.rtc ends it.
 */
@DisplayName("Feedback after a visit: asked of its patient and relatives, tied to the visit, once each")
class VisitFeedbackTest {
  private static final String SCRAPE_TOKEN = "visit-feedback-test-scrape-token-0123456789";

  TestApp t;
  Fixtures f;
  ChatFixtures c;
  Pro nurse;

  @BeforeEach
  void start() {
    t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN, "visit.code-ttl", "PT2H", "abuse.anonymous-sessions.burst", "6"));
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
    nurse = c.professional("fb-visit-nurse", "nurse", "available");
    c.createQueue(ChatFixtures.queue("video-clinic", "auto").put("feedbackStatements", new JsonArray().add("access").add("safety")), nurse.id());
  }

  @AfterEach
  void stop() {
    nurse.close();
    t.close();
  }

  private JsonObject post(String path, JsonObject body) {
    HttpResponse<Buffer> r = t.post(path, nurse.token(), body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject();
  }



  /** The member arrives and the nurse lets them in. */
  private void admit(WsClient member, String visitId) {
    JsonObject status = member.request(frame("visit.arrive", visitId));
    assertThat(status.getString("state")).as(status.encode()).isEqualTo("waiting");
    JsonObject room = nurse.ws().await(fr -> "visit.waiting-room".equals(fr.getString("type")) && !fr.getJsonArray("waiting").isEmpty());
    String memberId = room.getJsonArray("waiting").getJsonObject(0).getString("id");
    JsonObject admitted = nurse.ws().request(frame("visit.admit", visitId).put("memberId", memberId));
    assertThat(admitted.getString("type")).as(admitted.encode()).isEqualTo("visit.waiting-room");
    member.await(fr -> "visit.status".equals(fr.getString("type")) && "admitted".equals(fr.getString("state")));
  }

  private long responses(String visitId) {
    return t.row("select count(*) from feedback_response where event_id = $1", UUID.fromString(visitId)).getLong(0);
  }

  @Test
  @DisplayName("a completed visit asks its patient and relative (not the interpreter); each answers once, tied to the visit; strangers are refused and audited")
  void feedback_after_a_visit() {
    // a visit's unit is its professional's service unit, and so is its responses'
    t.rows("update account set unit_id = 'test-unit' where organisation_id = $1 and role = 'nurse'", Fixtures.ORG);
    JsonObject visit = post("/api/visits", new JsonObject().put("startsAt", TestApp.START.plus(Duration.ofMinutes(10)).toString())
        .put("durationMinutes", 30).put("channel", "video").put("language", "se").put("interpreterNeeded", true)
        .put("patientName", "Ánde Ántte").put("queueId", "video-clinic"));
    String id = visit.getString("id");
    JsonObject relativeLink = post("/api/visits/" + id + "/members", new JsonObject().put("kind", "relative").put("name", "Elle")).getJsonObject("joinLink");
    JsonObject interpreterLink = post("/api/visits/" + id + "/members", new JsonObject().put("kind", "interpreter").put("name", "Tulkka"))
        .getJsonObject("joinLink");
    JsonObject other = post("/api/visits", new JsonObject().put("startsAt", TestApp.START.plus(Duration.ofMinutes(40)).toString())
        .put("durationMinutes", 30).put("channel", "video").put("language", "fi").put("interpreterNeeded", false).put("patientName", "Vieras"));

    try (WsClient patient = join(t, visit.getJsonObject("joinLink")); WsClient relative = join(t, relativeLink);
        WsClient interpreter = join(t, interpreterLink); WsClient stranger = join(t, other.getJsonObject("joinLink"))) {
      admit(patient, id);
      admit(relative, id);
      admit(interpreter, id);
      // not yet: a visit still on asks nothing
      assertThat(patient.request(frame("feedback.skip", id)).getString("code")).isEqualTo("feedback_not_asked");

      TestApp.await(t.app.services().visits().roster().callEnded(UUID.fromString(id), UUID.randomUUID(), true));
      for (WsClient asked : new WsClient[] {patient, relative}) {
        JsonObject ask = asked.awaitType("feedback.ask");
        assertThat(ask.getString("visitId")).isEqualTo(id);
        assertThat(ask.getJsonArray("statements")).containsExactly("access", "safety");
      }

      // bad input stores nothing
      assertThat(patient.request(frame("feedback.submit", id).put("score", 11)).getString("code")).isEqualTo("invalid_score");
      assertThat(patient.request(frame("feedback.submit", id).put("score", -1)).getString("code")).isEqualTo("invalid_score");
      assertThat(patient.request(frame("feedback.submit", id).put("score", 7).put("statements", new JsonObject().put("usefulness", 4)))
          .getString("code")).as("a statement the queue does not ask").isEqualTo("invalid_statement");
      assertThat(patient.request(frame("feedback.submit", id).put("score", 7).put("conversationId", UUID.randomUUID().toString()))
          .getString("type")).as("one event per frame").isEqualTo("error");
      // the interpreter is not asked; a stranger is refused and audited
      assertThat(interpreter.request(frame("feedback.submit", id).put("score", 10)).getString("code")).isEqualTo("feedback_not_asked");
      assertThat(stranger.request(frame("feedback.submit", id).put("score", 0)).getString("code")).isEqualTo("not_a_member");
      assertThat(t.row("select count(*) from audit_event where action = 'visit.attend' and resource_id = $1 and purpose = 'feedback'"
          + " and outcome = 'denied'", id).getLong(0)).isEqualTo(1);
      assertThat(responses(id)).isZero();

      JsonObject recorded = patient.request(frame("feedback.submit", id).put("score", 9).put("statements", new JsonObject().put("access", 5))
          .put("text", "Giitu!"));
      assertThat(recorded.getString("type")).as(recorded.encode()).isEqualTo("feedback.recorded");
      assertThat(recorded.getString("visitId")).isEqualTo(id);
      assertThat(recorded.getBoolean("skipped")).isFalse();
      Row row = t.row("select event_kind, queue_id, organisation_id, unit_id, professional_role, channel, language, transferred, consulted, score, statements,"
          + " free_text, respondent is not null from feedback_response where event_id = $1 and not skipped", UUID.fromString(id));
      assertThat(row.getString("event_kind")).isEqualTo("visit");
      assertThat(row.getString("queue_id")).isEqualTo("video-clinic");
      assertThat(row.getString("organisation_id")).isEqualTo(Fixtures.ORG);
      assertThat(row.getString("unit_id")).isEqualTo("test-unit");
      assertThat(row.getString("professional_role")).isEqualTo("nurse");
      assertThat(row.getString("channel")).isEqualTo("video");
      assertThat(row.getString("language")).isEqualTo("se");
      assertThat(row.getBoolean("transferred")).isFalse();
      assertThat(row.getBoolean("consulted")).isFalse();
      assertThat(row.getInteger("score")).isEqualTo(9);
      assertThat(((JsonObject) row.getValue("statements")).getMap()).isEqualTo(Map.of("access", 5));
      assertThat(row.getString("free_text")).isEqualTo("Giitu!");
      assertThat(row.getBoolean(12)).isTrue();

      // the relative's own response: a skip in one click; then each has answered, once
      assertThat(relative.request(frame("feedback.skip", id)).getBoolean("skipped")).isTrue();
      assertThat(patient.request(frame("feedback.skip", id)).getString("code")).isEqualTo("feedback_duplicate");
      assertThat(relative.request(frame("feedback.submit", id).put("score", 2)).getString("code")).isEqualTo("feedback_duplicate");
      assertThat(responses(id)).isEqualTo(2);

      String metrics = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
      String labels = "channel=\"video\",queue=\"video-clinic\",unit=\"test-unit\"";
      assertThat(metrics)
          .contains("kanava_feedback_requests_total{" + labels + "} 2.0")
          .contains("kanava_feedback_responses_total{category=\"promoter\"," + labels + "} 1.0")
          .contains("kanava_feedback_skipped_total{" + labels + "} 1.0");
    }

    // the monthly report's NPS of the queue counts the visit's answer, and its response rate the two asked (one answered, one skipped)
    f.account("fb-visit-supervisor", "supervisor");
    HttpResponse<Buffer> report = t.get("/api/reports/monthly?month=2026-03", f.accessToken("fb-visit-supervisor"));
    assertThat(report.statusCode()).as(report.bodyAsString()).isEqualTo(200);
    JsonObject queue = report.bodyAsJsonObject().getJsonArray("queues").stream().map(JsonObject.class::cast)
        .filter(r -> "video-clinic".equals(r.getString("queueId"))).findFirst().orElseThrow();
    assertThat(queue.getLong("promoters")).isEqualTo(1);
    assertThat(queue.getDouble("nps")).isEqualTo(100.0);
    assertThat(queue.getLong("feedbackAsked")).isEqualTo(2);
    assertThat(queue.getLong("feedbackAnswered")).isEqualTo(1);
  }

  @Test
  @DisplayName("a page opened again after the visit learns that it completed and is asked again, until it answers; nothing more is counted")
  void a_page_reloaded_after_the_end_is_asked_again() {
    JsonObject visit = post("/api/visits", new JsonObject().put("startsAt", TestApp.START.plus(Duration.ofMinutes(10)).toString())
        .put("durationMinutes", 30).put("channel", "video").put("language", "fi").put("interpreterNeeded", false).put("patientName", "Lataa Uudelleen"));
    String id = visit.getString("id");
    String url = visit.getJsonObject("joinLink").getString("url");
    String token = t.post("/api/visit-codes/exchange", null, new JsonObject().put("code", url.substring(url.indexOf("#code=") + 6)))
        .bodyAsJsonObject().getString("accessToken");
    try (WsClient page = WsClient.connect(t, token)) {
      // opening the page does not arrive
      JsonObject before = page.request(frame("visit.get", id));
      assertThat(before.getString("type")).as(before.encode()).isEqualTo("visit.status");
      assertThat(before.getString("state")).isEqualTo("booked");
      assertThat(before.getJsonObject("visit").getString("startsAt")).isNotNull();
      assertThat(t.row("select arrived_at is null from visit_member where visit_id = $1 and kind = 'patient'", UUID.fromString(id)).getBoolean(0))
          .isTrue();
      assertThat(page.request(frame("feedback.pending", id)).getString("code")).as("still on").isEqualTo("feedback_not_asked");
      admit(page, id);
      assertThat(page.request(frame("visit.get", id)).getString("state")).isEqualTo("admitted");
      TestApp.await(t.app.services().visits().roster().callEnded(UUID.fromString(id), UUID.randomUUID(), true));
      page.awaitType("feedback.ask");
    }
    // the tab reloads with the session it kept
    try (WsClient again = WsClient.connect(t, token)) {
      assertThat(again.request(frame("visit.get", id)).getString("state")).isEqualTo("completed");
      JsonObject ask = again.request(frame("feedback.pending", id));
      assertThat(ask.getString("type")).as(ask.encode()).isEqualTo("feedback.ask");
      assertThat(ask.getString("visitId")).isEqualTo(id);
      assertThat(ask.getJsonArray("statements")).hasSize(5);
      assertThat(again.request(frame("feedback.submit", id).put("score", 10)).getString("type")).isEqualTo("feedback.recorded");
      assertThat(again.request(frame("feedback.pending", id)).getString("code")).isEqualTo("feedback_duplicate");
    }
    assertThat(responses(id)).isEqualTo(1);
    assertThat(t.get("/metrics", SCRAPE_TOKEN).bodyAsString()).contains("kanava_feedback_requests_total{channel=\"video\",queue=\"\",unit=\"\"} 1.0");
  }

  @Test
  @DisplayName("a cancelled visit asks nothing")
  void a_cancelled_visit_asks_nothing() {
    JsonObject visit = post("/api/visits", new JsonObject().put("startsAt", TestApp.START.plus(Duration.ofMinutes(10)).toString())
        .put("durationMinutes", 30).put("channel", "video").put("language", "fi").put("interpreterNeeded", false).put("patientName", "Peru"));
    String id = visit.getString("id");
    try (WsClient patient = join(t, visit.getJsonObject("joinLink"))) {
      admit(patient, id);
      HttpResponse<Buffer> cancelled = t.post("/api/visits/" + id + "/cancel", nurse.token(), new JsonObject().put("reason", "ill"));
      assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(200);
      assertThat(patient.await(fr -> "visit.status".equals(fr.getString("type")) && "cancelled".equals(fr.getString("state")))).isNotNull();
      assertThat(patient.request(frame("feedback.submit", id).put("score", 5)).getString("code")).isEqualTo("feedback_not_asked");
      assertThat(patient.all("feedback.ask")).isEmpty();
      assertThat(patient.request(frame("visit.get", id)).getString("state")).isEqualTo("cancelled");
      assertThat(patient.request(frame("feedback.pending", id)).getString("code")).isEqualTo("feedback_not_asked");
    }
    assertThat(responses(id)).isZero();
    assertThat(t.get("/metrics", SCRAPE_TOKEN).bodyAsString()).doesNotContain("kanava_feedback_requests_total{channel=\"video\"");
  }
}
