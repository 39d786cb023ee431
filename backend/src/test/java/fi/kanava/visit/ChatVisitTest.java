package fi.kanava.visit;

import static fi.kanava.support.ChatFixtures.send;
import static fi.kanava.support.VisitLinks.frame;
import static fi.kanava.support.VisitLinks.join;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.buffer.Buffer;
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
 * A visit on the chat channel (docs/protocol.md, "Visits": a chat visit): the admission opens a
 * conversation instead of a call, its close completes the visit, and the patient is asked for the
 * visit's feedback once. Real REST and sockets, a real database, the injected clock.
 */
@DisplayName("A chat visit is held as a conversation")
class ChatVisitTest {
  private static final String SCRAPE_TOKEN = "chat-visit-test-scrape-token-0123456789abc";

  TestApp t;
  Fixtures f;
  ChatFixtures c;
  Pro nurse;
  Pro doctor;

  @BeforeEach
  void start() {
    t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN, "visit.code-ttl", "PT2H", "abuse.anonymous-sessions.burst", "6"));
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
    nurse = c.professional("chat-visit-nurse", "nurse", "available");
    doctor = c.professional("chat-visit-doctor", "physician", null);
    c.createQueue(ChatFixtures.queue("clinic", "pick"), nurse.id());
  }

  @AfterEach
  void stop() {
    nurse.close();
    doctor.close();
    t.close();
  }

  private static JsonObject booking(String channel, String patientName) {
    return new JsonObject().put("startsAt", TestApp.START.plus(Duration.ofMinutes(10)).toString()).put("durationMinutes", 30)
        .put("channel", channel).put("language", "sv").put("interpreterNeeded", false).put("patientName", patientName);
  }

  private JsonObject book(JsonObject body) {
    HttpResponse<Buffer> r = t.post("/api/visits", nurse.token(), body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject();
  }



  private long count(String sql, Object... params) {
    return t.row(sql, params).getLong(0);
  }

  /** The sum of kanava_feedback_requests_total's series with this channel label. */
  private double requested(String channel) {
    return t.get("/metrics", SCRAPE_TOKEN).bodyAsString().lines()
        .filter(l -> l.startsWith("kanava_feedback_requests_total{") && l.contains("channel=\"" + channel + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  /** The patient arrives; the nurse admits them; the patient's status names the conversation. */
  private String admit(WsClient patient, String visitId) {
    assertThat(patient.request(frame("visit.arrive", visitId)).getString("state")).isEqualTo("waiting");
    JsonObject room = nurse.ws().await(fr -> "visit.waiting-room".equals(fr.getString("type")) && !fr.getJsonArray("waiting").isEmpty());
    String memberId = room.getJsonArray("waiting").getJsonObject(0).getString("id");
    JsonObject reply = nurse.ws().request(frame("visit.admit", visitId).put("memberId", memberId));
    assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("visit.waiting-room");
    JsonObject status = patient.await(fr -> "visit.status".equals(fr.getString("type")) && "admitted".equals(fr.getString("state")));
    assertThat(status.containsKey("callId")).isFalse();
    return status.getString("conversationId");
  }

  @Test
  @DisplayName("admitted into a conversation of the visit's queue; both write; an outsider is refused and audited;"
      + " the close completes the visit and asks the visit's feedback (channel chat), not the conversation's")
  void chat_visit_end_to_end() {
    JsonObject visit = book(booking("chat", "Stina Chatt").put("queueId", "clinic"));
    String visitId = visit.getString("id");
    JsonObject other = book(booking("video", "Vieras"));
    try (WsClient patient = join(t, visit.getJsonObject("joinLink")); WsClient stranger = join(t, other.getJsonObject("joinLink"))) {
      String chatId = admit(patient, visitId);
      assertThat(chatId).isNotNull();

      // the conversation: the visit's, in its queue, language and patient, active and the admitting nurse's, no triage
      Row row = t.row("select c.visit_id, c.queue_id, c.language, c.state, c.assigned_to, c.accepted_at is not null, c.patient_id = v.patient_id,"
          + " jsonb_array_length(c.triage_summary), v.conversation_id from conversation c join visit v on v.id = c.visit_id where c.id = $1",
          UUID.fromString(chatId));
      assertThat(row.getUUID(0)).isEqualTo(UUID.fromString(visitId));
      assertThat(row.getString(1)).isEqualTo("clinic");
      assertThat(row.getString(2)).isEqualTo("sv");
      assertThat(row.getString(3)).isEqualTo("active");
      assertThat(row.getUUID(4)).isEqualTo(nurse.id());
      assertThat(row.getBoolean(5)).isTrue();
      assertThat(row.getBoolean(6)).isTrue();
      assertThat(row.getInteger(7)).isZero();
      assertThat(row.getUUID(8)).as("the booked-from-chat link is untouched").isNull();
      // the nurse's socket watches it as an accepted conversation, and the visit's view says which it is
      JsonObject state = nurse.ws().await(fr -> "conversation.state".equals(fr.getString("type"))
          && chatId.equals(fr.getJsonObject("conversation").getString("id")));
      assertThat(state.getJsonObject("conversation").getString("acceptedAt")).isNotNull();
      // the professional knows the patient by the name the visit was booked with, not as an unnamed patient
      assertThat(state.getJsonObject("conversation").getJsonObject("patient").getString("name")).isEqualTo("Stina Chatt");
      nurse.ws().await(fr -> "conversation.synced".equals(fr.getString("type")) && chatId.equals(fr.getString("conversationId")));
      JsonObject detail = t.get("/api/visits/" + visitId, nurse.token()).bodyAsJsonObject();
      assertThat(detail.getString("visitConversationId")).isEqualTo(chatId);
      assertThat(detail.getString("state")).isEqualTo("admitted");

      // the patient opens it through the ordinary access rules; both write, type and read
      JsonObject opened = patient.request(new JsonObject().put("type", "conversation.open").put("conversationId", chatId));
      assertThat(opened.getString("type")).as(opened.encode()).isEqualTo("conversation");
      assertThat(patient.request(send(chatId, "p-1", "Hej, jag är här")).getString("type")).isEqualTo("message.ack");
      JsonObject got = nurse.ws().await(fr -> "message".equals(fr.getString("type")) && "Hej, jag är här".equals(fr.getString("text")));
      assertThat(got.getString("conversationId")).isEqualTo(chatId);
      assertThat(nurse.ws().request(send(chatId, "n-1", "Välkommen")).getString("type")).isEqualTo("message.ack");
      JsonObject reply = patient.await(fr -> "message".equals(fr.getString("type")) && "Välkommen".equals(fr.getString("text")));
      nurse.ws().send(new JsonObject().put("type", "typing").put("conversationId", chatId).put("typing", true));
      assertThat(patient.awaitType("typing").getBoolean("typing")).isTrue();
      patient.send(new JsonObject().put("type", "read").put("conversationId", chatId).put("seq", reply.getLong("seq")));
      assertThat(nurse.ws().awaitType("read").getLong("seq")).isEqualTo(reply.getLong("seq"));

      // an outsider (another visit's patient) cannot read it: refused, audited, nothing sent
      JsonObject refused = stranger.request(new JsonObject().put("type", "conversation.open").put("conversationId", chatId));
      assertThat(refused.getString("type")).as(refused.encode()).isEqualTo("error");
      assertThat(refused.getString("code")).as(refused.encode()).isEqualTo("forbidden");
      assertThat(count("select count(*) from audit_event where resource_id = $1 and outcome = 'denied' and reason = 'not_own_conversation'",
          chatId)).isEqualTo(1);
      assertThat(stranger.all("message")).isEmpty();

      // while the conversation runs the visit is not cancelled (closing the conversation ends it): nothing changes
      HttpResponse<Buffer> cancel = t.post("/api/visits/" + visitId + "/cancel", nurse.token(), new JsonObject().put("reason", "kesken"));
      assertThat(cancel.statusCode()).as(cancel.bodyAsString()).isEqualTo(409);
      assertThat(cancel.bodyAsJsonObject().getString("code")).isEqualTo("visit_started");
      Row still = t.row("select v.state, c.state from visit v join conversation c on c.visit_id = v.id where v.id = $1", UUID.fromString(visitId));
      assertThat(java.util.List.of(still.getString(0), still.getString(1))).containsExactly("admitted", "active");

      // the nurse closes it: the visit completed, its feedback asked of the patient, channel chat
      JsonObject closed = nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", chatId)
          .put("outcome", "resolved"));
      assertThat(closed.getString("type")).as(closed.encode()).isEqualTo("conversation.closed");
      JsonObject ask = patient.awaitType("feedback.ask");
      assertThat(ask.getString("visitId")).isEqualTo(visitId);
      assertThat(count("select count(*) from visit where id = $1 and state = 'completed' and ended_at is not null", UUID.fromString(visitId)))
          .isEqualTo(1);
      assertThat(patient.await(fr -> "visit.status".equals(fr.getString("type")) && "completed".equals(fr.getString("state")))
          .getString("conversationId")).isEqualTo(chatId);
      // asked once: the visit's request, not also the conversation's
      assertThat(requested("chat")).isEqualTo(1.0);
      JsonObject notAsked = patient.request(new JsonObject().put("type", "feedback.submit").put("conversationId", chatId).put("score", 9));
      assertThat(notAsked.getString("code")).as(notAsked.encode()).isEqualTo("feedback_not_asked");
      JsonObject recorded = patient.request(frame("feedback.submit", visitId).put("score", 8));
      assertThat(recorded.getString("type")).as(recorded.encode()).isEqualTo("feedback.recorded");
      Row response = t.row("select event_kind, channel, queue_id from feedback_response where event_id = $1", UUID.fromString(visitId));
      assertThat(response.getString(0)).isEqualTo("visit");
      assertThat(response.getString(1)).isEqualTo("chat");
      assertThat(response.getString(2)).isEqualTo("clinic");
      assertThat(count("select count(*) from feedback_response where event_id = $1", UUID.fromString(chatId))).isZero();
    }

    // the month's report counts a remote visit, not a chat contact
    f.account("chat-visit-supervisor", "supervisor");
    HttpResponse<Buffer> r = t.get("/api/reports/monthly?month=2026-03", f.accessToken("chat-visit-supervisor"));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    JsonObject clinic = r.bodyAsJsonObject().getJsonArray("queues").stream().map(JsonObject.class::cast)
        .filter(q -> "clinic".equals(q.getString("queueId"))).findFirst().orElseThrow();
    assertThat(clinic.getLong("contacts")).as(clinic.encode()).isZero();
    assertThat(clinic.getLong("closed")).isZero();
    assertThat(clinic.getLong("waitsMeasured")).isZero();
    assertThat(clinic.getJsonObject("remoteVisits").getLong("completed")).isEqualTo(1);
    assertThat(clinic.getLong("feedbackAsked")).as("the visit's patient, once").isEqualTo(1);
    assertThat(clinic.getLong("npsResponses")).isEqualTo(1);
    String metrics = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
    assertThat(metrics.lines().filter(l -> l.startsWith("kanava_conversation_outcomes_total{") && l.contains("queue=\"clinic\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum()).as("no chat close counted").isZero();
  }

  @Test
  @DisplayName("a chat visit needs a queue; guests are refused; bad input changes nothing; a video visit still gets no conversation")
  void refusals() {
    long visits = count("select count(*) from visit");
    HttpResponse<Buffer> noQueue = t.post("/api/visits", nurse.token(), booking("chat", "Ei Jonoa"));
    assertThat(noQueue.statusCode()).as(noQueue.bodyAsString()).isEqualTo(400);
    assertThat(noQueue.bodyAsJsonObject().getString("code")).isEqualTo("queue_required");
    HttpResponse<Buffer> badChannel = t.post("/api/visits", nurse.token(), booking("fax", "Ei Kanavaa").put("queueId", "clinic"));
    assertThat(badChannel.bodyAsJsonObject().getString("code")).isEqualTo("invalid_channel");
    assertThat(count("select count(*) from visit")).isEqualTo(visits);

    JsonObject visit = book(booking("chat", "Stina Chatt").put("queueId", "clinic"));
    String visitId = visit.getString("id");
    for (String kind : new String[] {"interpreter", "relative"}) {
      HttpResponse<Buffer> r = t.post("/api/visits/" + visitId + "/members", nurse.token(), new JsonObject().put("kind", kind).put("name", "Gäst"));
      assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(409);
      assertThat(r.bodyAsJsonObject().getString("code")).isEqualTo("chat_visit_no_guests");
    }
    assertThat(count("select count(*) from visit_member where visit_id = $1", UUID.fromString(visitId))).isEqualTo(2);

    try (WsClient patient = join(t, visit.getJsonObject("joinLink"))) {
      // an admission of nobody waiting changes nothing and opens no conversation
      JsonObject bad = nurse.ws().request(frame("visit.admit", visitId).put("memberId", UUID.randomUUID().toString()));
      assertThat(bad.getString("code")).isEqualTo("member_not_found");
      assertThat(count("select count(*) from conversation where visit_id = $1", UUID.fromString(visitId))).isZero();
      String chatId = admit(patient, visitId);
      // back after a reconnect: still admitted, into the same conversation
      JsonObject again = patient.request(frame("visit.watch", visitId));
      assertThat(again.getString("conversationId")).isEqualTo(chatId);
      assertThat(count("select count(*) from conversation where visit_id = $1", UUID.fromString(visitId))).isEqualTo(1);
      // the doctor, not in the visit, may not read it (audited)
      JsonObject refused = doctor.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", chatId));
      assertThat(refused.getString("code")).as(refused.encode()).isEqualTo("forbidden");
      assertThat(count("select count(*) from audit_event where resource_id = $1 and outcome = 'denied' and actor_id = $2", chatId,
          doctor.id())).isEqualTo(1);
    }

    JsonObject video = book(booking("video", "Video Ville"));
    try (WsClient patient = join(t, video.getJsonObject("joinLink"))) {
      assertThat(admit(patient, video.getString("id"))).isNull();
      assertThat(count("select count(*) from conversation where visit_id = $1", UUID.fromString(video.getString("id")))).isZero();
    }
  }
}
