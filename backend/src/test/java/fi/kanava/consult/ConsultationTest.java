package fi.kanava.consult;

import static fi.kanava.support.ChatFixtures.enter;
import static fi.kanava.support.ChatFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Consultations end to end (docs/protocol.md, "Consultations"): real sockets, a real database, the
 * injected clock and explicit sweeps. "chat" is a patient queue routed to the nurse; "on-duty" is
 * a consult queue (response target 60 min) served by two physicians; "old-consult" is archived.
 */
@DisplayName("Consultations between professionals")
class ConsultationTest {
  private static final String SCRAPE_TOKEN = "consult-test-scrape-token-0123456789abcdef";
  private static final String SITUATION = "Ihottuma ja kuume 2 pv, tarvitsen lääkärin arvion";

  TestApp t;
  Fixtures f;
  ChatFixtures c;
  Pro nurse;
  Pro doctor;
  Pro otherDoctor;
  Pro outsider;

  @BeforeEach
  void start() {
    t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN, "consult.named-response-target", "PT2H"));
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
    nurse = c.professional("nurse-requester", "nurse", "available");
    doctor = c.professional("doctor-on-duty", "physician", "available");
    otherDoctor = c.professional("doctor-other", "physician", "available");
    outsider = c.professional("nurse-outsider", "nurse", "available");
    c.createQueue(ChatFixtures.queue("chat", "auto"), nurse.id());
    c.createQueue(ChatFixtures.queue("on-duty", "pick"), doctor.id(), otherDoctor.id());
    c.createQueue(ChatFixtures.queue("old-consult", "pick"), doctor.id());
    TestApp.await(t.app.services().consultations().makeConsultQueue("on-duty", Duration.ofMinutes(60)));
    TestApp.await(t.app.services().consultations().makeConsultQueue("old-consult", Duration.ofMinutes(60)));
    TestApp.await(t.app.services().queues().archive("old-consult", true));
  }

  @AfterEach
  void stop() {
    nurse.close();
    doctor.close();
    otherDoctor.close();
    outsider.close();
    t.close();
  }

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  private static JsonObject isbar() {
    return new JsonObject().put("situation", SITUATION).put("background", "Ei lääkitystä").put("assessment", "Ei hengitysvaikeuksia")
        .put("recommendation", "Arvio tänään");
  }

  private static JsonObject open(String queueId, String urgency, String caseId) {
    JsonObject frame = new JsonObject().put("type", "consult.open").put("queueId", queueId).put("urgency", urgency).put("isbar", isbar());
    return caseId == null ? frame : frame.put("caseConversationId", caseId);
  }

  private static JsonObject act(String type, String consultationId) {
    return new JsonObject().put("type", type).put("consultationId", consultationId);
  }

  private static JsonObject opened(Pro pro, JsonObject frame) {
    JsonObject reply = pro.ws().request(frame);
    assertThat(type(reply)).as(reply.encode()).isEqualTo("consult.opened");
    return reply.getJsonObject("consultation");
  }

  /** A patient whose conversation in "chat" is active with the nurse, with one message each way. */
  private String activeWithNurse(Patient patient) {
    String id = patient.ws().request(enter("chat")).getJsonObject("conversation").getString("id");
    nurse.ws().await(fr -> type(fr).equals("conversation.offer") && id.equals(fr.getJsonObject("conversation").getString("id")));
    JsonObject accepted = nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
    assertThat(type(accepted)).as(accepted.encode()).isEqualTo("conversation.state");
    assertThat(type(nurse.ws().request(send(id, "n1-" + id, "Hei, kerro lisää.")))).isEqualTo("message.ack");
    assertThat(type(patient.ws().request(send(id, "p1", "Minulla on ihottumaa käsivarsissa.")))).isEqualTo("message.ack");
    return id;
  }

  private JsonObject await(Pro pro, String type, String consultationId) {
    return pro.ws().await(fr -> type.equals(type(fr)) && consultationId.equals(fr.getJsonObject("consultation").getString("id")));
  }

  /** The REST list, with a fresh token (the clock may have moved past the socket's). */
  private JsonArray list(String username, String view) {
    var response = t.get("/api/consultations?view=" + view, f.accessToken(username));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonArray();
  }

  private long count(String sql, Object... params) {
    return t.row(sql, params).getLong(0);
  }

  private List<String> audited(UUID actor, String action, String outcome) {
    return t.rows("select reason from audit_event where actor_id = $1 and action = $2 and outcome = $3 order by id", actor, action, outcome)
        .stream().map(row -> row.getString(0)).toList();
  }

  private String metrics() {
    return t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
  }

  @Test
  @DisplayName("an urgent consultation goes ahead of older non-urgent ones and is offered with an alert; the queue view is audited")
  void urgent_goes_ahead_of_non_urgent_and_alerts() {
    JsonObject calm = opened(nurse, open("on-duty", "non_urgent", null));
    JsonObject calmOffer = await(doctor, "consult.offer", calm.getString("id"));
    assertThat(calmOffer.getBoolean("alert")).isFalse();
    assertThat(calm.getString("dueAt")).isEqualTo(TestApp.START.plus(Duration.ofMinutes(60)).toString());
    t.clock.advance(Duration.ofMinutes(5));
    JsonObject urgent = opened(nurse, open("on-duty", "urgent", null));
    JsonObject urgentOffer = await(otherDoctor, "consult.offer", urgent.getString("id"));
    assertThat(urgentOffer.getBoolean("alert")).isTrue();
    assertThat(urgent.getValue("dueAt")).isNull();
    assertThat(urgent.getJsonObject("queueName").getString("fi")).isEqualTo("Testijono on-duty");
    assertThat(urgent.getJsonObject("requester").getString("id")).isEqualTo(nurse.id().toString());
    // frames leave out what has no value (docs/protocol.md); the REST list below gives it as null
    assertThat(urgent.getValue("caseConversationId")).isNull();

    JsonArray queue = list("doctor-on-duty", "queue");
    assertThat(queue.stream().map(o -> ((JsonObject) o).getString("id")).toList())
        .containsExactly(urgent.getString("id"), calm.getString("id"));
    assertThat(queue.getJsonObject(0).containsKey("caseConversationId")).isTrue();
    assertThat(queue.getJsonObject(0).getValue("consultant")).isNull();
    assertThat(audited(doctor.id(), "consultation.list", "allowed")).containsExactly("listed", "listed");
    // the nurse serves no consult queue: nothing waits for her; hers are under "mine"
    assertThat(list("nurse-requester", "queue")).isEmpty();
    assertThat(list("nurse-requester", "mine")).hasSize(2);
    assertThat(t.get("/api/consultations?view=everything", f.accessToken("nurse-requester")).statusCode()).isEqualTo(400);
    assertThat(metrics()).contains("kanava_consultations_total{queue=\"on-duty\",urgency=\"urgent\"} 1.0")
        .contains("kanava_consultations_total{queue=\"on-duty\",urgency=\"non_urgent\"} 1.0")
        .contains("kanava_consultations_total{queue=\"named\",urgency=\"urgent\"} 0.0");
  }

  @Test
  @DisplayName("a non-urgent consultation past its due time is flagged once to the requester and the queue, and counted; an urgent one is not")
  void a_non_urgent_breach_is_flagged_once() {
    JsonObject calm = opened(nurse, open("on-duty", "non_urgent", null));
    JsonObject urgent = opened(nurse, open("on-duty", "urgent", null));
    t.clock.advance(Duration.ofMinutes(59));
    TestApp.await(t.app.services().sweeper().sweep());
    assertThat(count("select count(*) from consultation where breached_at is not null")).isZero();

    t.clock.advance(Duration.ofMinutes(2));
    TestApp.await(t.app.services().sweeper().sweep());
    for (Pro told : List.of(nurse, doctor, otherDoctor)) {
      JsonObject breached = await(told, "consult.breached", calm.getString("id"));
      assertThat(breached.getJsonObject("consultation").getBoolean("breached")).isTrue();
    }
    Row flagged = t.row("select breached_at from consultation where id = $1", UUID.fromString(calm.getString("id")));
    t.clock.advance(Duration.ofMinutes(30));
    TestApp.await(t.app.services().sweeper().sweep());
    assertThat(t.row("select breached_at from consultation where id = $1", UUID.fromString(calm.getString("id"))).getValue(0))
        .isEqualTo(flagged.getValue(0));
    assertThat(count("select count(*) from consultation where breached_at is not null")).isEqualTo(1);
    assertThat(count("select count(*) from audit_event where action = 'consultation.breach' and resource_id = $1", calm.getString("id")))
        .isEqualTo(1);
    assertThat(metrics()).contains("kanava_consultation_breaches_total{queue=\"on-duty\"} 1.0")
        .contains("kanava_consultation_breaches_total{queue=\"named\"} 0.0");
    assertThat(t.row("select breached_at from consultation where id = $1", UUID.fromString(urgent.getString("id"))).getValue(0)).isNull();
  }

  @Test
  @DisplayName("the consultant accepts, replies in the thread, reads the case, joins it (the patient is told who), takes it over and closes with the answer")
  void the_whole_consultation() {
    try (Patient patient = c.anonymousPatient()) {
      String caseId = activeWithNurse(patient);
      JsonObject k = opened(nurse, open("on-duty", "non_urgent", caseId));
      String id = k.getString("id");
      String thread = k.getString("threadConversationId");
      assertThat(k.getString("caseConversationId")).isEqualTo(caseId);
      assertThat(k.getString("state")).isEqualTo("waiting");
      await(doctor, "consult.offer", id);

      // before accepting, the doctor reads neither the thread nor the case
      JsonObject refused = doctor.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", caseId));
      assertThat(refused.getString("code")).as(refused.encode()).isEqualTo("forbidden");

      t.clock.advance(Duration.ofMinutes(3));
      JsonObject accepted = doctor.ws().request(act("consult.accept", id));
      assertThat(type(accepted)).as(accepted.encode()).isEqualTo("consult.updated");
      assertThat(accepted.getJsonObject("consultation").getString("state")).isEqualTo("accepted");
      assertThat(accepted.getJsonObject("consultation").getJsonObject("consultant").getString("id")).isEqualTo(doctor.id().toString());
      assertThat(await(nurse, "consult.updated", id).getJsonObject("consultation").getString("state")).isEqualTo("accepted");
      await(otherDoctor, "consult.updated", id);
      assertThat(metrics()).contains("kanava_consultation_response_seconds_count{queue=\"on-duty\",urgency=\"non_urgent\"} 1\n")
          .contains("kanava_consultation_response_seconds_sum{queue=\"on-duty\",urgency=\"non_urgent\"} 180.0");

      // the thread: the ISBAR request first; requester and consultant write, nobody else reads
      JsonObject threadOpen = doctor.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", thread));
      assertThat(type(threadOpen)).as(threadOpen.encode()).isEqualTo("conversation");
      doctor.ws().await(fr -> type(fr).equals("conversation.synced") && thread.equals(fr.getString("conversationId")));
      assertThat(doctor.ws().all("message").stream().filter(m -> thread.equals(m.getString("conversationId")))
          .map(m -> m.getString("text")).toList()).anySatisfy(text -> assertThat(text).startsWith("ISBAR\nS: " + SITUATION));
      assertThat(type(nurse.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", thread))))
          .isEqualTo("conversation");
      JsonObject ack = doctor.ws().request(send(thread, "d1", "Kuvaile ihottumaa tarkemmin."));
      assertThat(type(ack)).as(ack.encode()).isEqualTo("message.ack");
      nurse.ws().await(fr -> type(fr).equals("message") && "Kuvaile ihottumaa tarkemmin.".equals(fr.getString("text")));
      JsonObject foreign = outsider.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", thread));
      assertThat(foreign.getString("code")).isEqualTo("forbidden");
      assertThat(audited(outsider.id(), "conversation.read", "denied")).containsExactly("not_entitled");

      // the case, read through the guard by the consultant who accepted (a reader, not yet a writer), audited
      JsonObject caseOpen = doctor.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", caseId));
      assertThat(type(caseOpen)).as(caseOpen.encode()).isEqualTo("conversation");
      assertThat(count("select count(*) from audit_event where actor_id = $1 and resource_id = $2 and action = 'conversation.read'"
          + " and outcome = 'allowed' and reason = 'reader'", doctor.id(), caseId)).isPositive();
      // before joining, the consultant cannot write to the patient (who has not been told who reads along)
      assertThat(refusal(doctor, send(caseId, "d-early", "Hei!"))).isEqualTo("forbidden");
      assertThat(count("select count(*) from message where conversation_id = $1 and body = 'Hei!'", caseId)).isZero();

      // joining: the patient is told who joined, by name and role
      JsonObject joined = doctor.ws().request(act("consult.join", id));
      assertThat(type(joined)).as(joined.encode()).isEqualTo("consult.updated");
      assertThat(joined.getJsonObject("consultation").getString("joinedAt")).isNotNull();
      JsonObject told = patient.ws().await(fr -> type(fr).equals("message") && "consultant_joined".equals(fr.getString("code")));
      assertThat(told.getJsonObject("sender").getString("name")).isEqualTo("Test doctor-on-duty");
      assertThat(told.getJsonObject("sender").getString("role")).isEqualTo("physician");
      assertThat(told.getJsonObject("sender").containsKey("id")).isFalse();
      assertThat(type(doctor.ws().request(send(caseId, "d-case", "Hei, olen päivystävä lääkäri.")))).isEqualTo("message.ack");
      patient.ws().await(fr -> type(fr).equals("message") && "Hei, olen päivystävä lääkäri.".equals(fr.getString("text")));

      // taking over: the case is the doctor's now
      JsonObject taken = doctor.ws().request(act("consult.takeover", id));
      assertThat(type(taken)).as(taken.encode()).isEqualTo("consult.updated");
      assertThat(t.row("select assigned_to from conversation where id = $1", UUID.fromString(caseId)).getUUID(0)).isEqualTo(doctor.id());
      patient.ws().await(fr -> type(fr).equals("message") && "consultant_took_over".equals(fr.getString("code")));

      // closing records the answer, in the row and in the thread, and closes the thread
      JsonObject closed = doctor.ws().request(act("consult.close", id).put("answer", "Otin potilaan hoitooni; allergiaepäily."));
      assertThat(type(closed)).as(closed.encode()).isEqualTo("consult.updated");
      assertThat(closed.getJsonObject("consultation").getString("state")).isEqualTo("closed");
      assertThat(closed.getJsonObject("consultation").getString("answer")).isEqualTo("Otin potilaan hoitooni; allergiaepäily.");
      // the requester heard of the join and the take-over, and then of the close with its answer
      JsonObject toRequester = nurse.ws().await(fr -> type(fr).equals("consult.updated")
          && "closed".equals(fr.getJsonObject("consultation").getString("state")));
      assertThat(toRequester.getJsonObject("consultation").getString("answer")).isEqualTo("Otin potilaan hoitooni; allergiaepäily.");
      Row row = t.row("select k.answer, k.closed_by, c.state from consultation k join conversation c on c.id = k.thread_conversation_id"
          + " where k.id = $1", UUID.fromString(id));
      assertThat(row.getString(0)).isEqualTo("Otin potilaan hoitooni; allergiaepäily.");
      assertThat(row.getUUID(1)).isEqualTo(doctor.id());
      assertThat(row.getString(2)).isEqualTo("closed");
      assertThat(refusal(nurse, send(thread, "n-late", "Vielä yksi asia"))).isEqualTo("conversation_closed");
      assertThat(audited(doctor.id(), "consultation.close", "allowed")).containsExactly("consultant");
    }
  }

  /** A physician of another wellbeing area. */
  private UUID elsewhere() {
    var orgs = t.app.services().organisations();
    TestApp.await(orgs.create(Fixtures.decode(new JsonObject().put("id", "other-area").put("name", "Other area").put("kind", "wellbeing_area"),
        fi.kanava.auth.Organisations.NewOrganisation.class)));
    JsonObject body = new JsonObject().put("username", "other-doctor").put("password", Fixtures.PASSWORD).put("displayName", "Other doctor")
        .put("role", "physician").put("organisationId", "other-area").put("languages", new JsonArray(List.of("fi")));
    return UUID.fromString(TestApp.await(t.app.services().accounts().create(Fixtures.decode(body, fi.kanava.auth.Accounts.NewAccount.class)))
        .getString("id"));
  }

  private static String refusal(Pro pro, JsonObject frame) {
    JsonObject reply = pro.ws().request(frame);
    assertThat(type(reply)).as(reply.encode()).isEqualTo("error");
    return reply.getString("code");
  }

  private record State(long consultations, long conversations, long participants, long messages) {}

  private State state() {
    Row row = t.row("select (select count(*) from consultation), (select count(*) from conversation),"
        + " (select count(*) from conversation_participant where left_at is null), (select count(*) from message)");
    return new State(row.getLong(0), row.getLong(1), row.getLong(2), row.getLong(3));
  }

  @Test
  @DisplayName("every bad request gets its code and changes nothing; someone not entitled is refused and audited")
  void bad_input_changes_nothing() {
    try (Patient patient = c.anonymousPatient(); Patient other = c.anonymousPatient()) {
      String caseId = activeWithNurse(patient);
      String k = opened(nurse, open("on-duty", "non_urgent", caseId)).getString("id");
      String closedCase = other.ws().request(enter("chat")).getJsonObject("conversation").getString("id");
      nurse.ws().await(fr -> type(fr).equals("conversation.offer") && closedCase.equals(fr.getJsonObject("conversation").getString("id")));
      assertThat(type(nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", closedCase))))
          .isEqualTo("conversation.state");
      assertThat(type(nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", closedCase)
          .put("outcome", "resolved")))).isEqualTo("conversation.closed");

      State before = state();
      assertThat(refusal(nurse, open("nowhere", "urgent", null))).isEqualTo("unknown_queue");
      assertThat(refusal(nurse, open("old-consult", "urgent", null))).isEqualTo("queue_closed");
      assertThat(refusal(nurse, open("chat", "urgent", null))).isEqualTo("not_consult_queue");
      assertThat(refusal(nurse, open("on-duty", "urgent", null).put("queueId", (String) null).put("toAccountId", nurse.id().toString())))
          .isEqualTo("consult_self");
      assertThat(refusal(nurse, open("on-duty", "urgent", null).put("queueId", (String) null)
          .put("toAccountId", UUID.randomUUID().toString()))).isEqualTo("unknown_professional");
      assertThat(refusal(nurse, open("on-duty", "urgent", closedCase))).isEqualTo("conversation_closed");
      // a colleague in another organisation would read the case: not without the patient's consent on record
      assertThat(refusal(nurse, open("on-duty", "urgent", caseId).put("queueId", (String) null)
          .put("toAccountId", elsewhere().toString()))).isEqualTo("consent_required");
      assertThat(refusal(nurse, open("on-duty", "soonish", null))).isEqualTo("malformed_frame");
      assertThat(refusal(nurse, open("on-duty", "urgent", null).put("isbar", new JsonObject().put("situation", "  "))))
          .isIn("malformed_frame", "invalid_note");
      assertThat(refusal(outsider, open("on-duty", "urgent", caseId))).isEqualTo("forbidden");
      assertThat(audited(outsider.id(), "conversation.read", "denied")).containsExactly("not_entitled");

      assertThat(refusal(doctor, act("consult.accept", UUID.randomUUID().toString()))).isEqualTo("consultation_not_found");
      assertThat(refusal(outsider, act("consult.accept", k))).isEqualTo("forbidden");
      assertThat(audited(outsider.id(), "consultation.accept", "denied")).containsExactly("not_consult_queue_member");
      assertThat(refusal(doctor, act("consult.join", k))).isEqualTo("forbidden");
      assertThat(refusal(nurse, act("consult.close", k))).isEqualTo("answer_required");
      assertThat(state()).isEqualTo(before);
      assertThat(count("select count(*) from consultation where state <> 'waiting'")).isZero();

      assertThat(type(doctor.ws().request(act("consult.accept", k)))).isEqualTo("consult.updated");
      before = state();
      assertThat(refusal(otherDoctor, act("consult.accept", k))).isEqualTo("already_accepted");
      assertThat(refusal(outsider, act("consult.close", k).put("answer", "Ei kuulu minulle"))).isEqualTo("forbidden");
      assertThat(audited(outsider.id(), "consultation.close", "denied")).containsExactly("not_consultation_party");
      assertThat(state()).isEqualTo(before);

      assertThat(type(nurse.ws().request(act("consult.close", k).put("answer", "Selvisi puhelimessa")))).isEqualTo("consult.updated");
      before = state();
      assertThat(refusal(nurse, act("consult.close", k).put("answer", "Uudestaan"))).isEqualTo("consultation_closed");
      assertThat(refusal(doctor, act("consult.join", k))).isEqualTo("consultation_closed");
      assertThat(state()).isEqualTo(before);
      // the consultant, who never joined, no longer reads the case once the consultation is closed
      assertThat(refusal(doctor, new JsonObject().put("type", "conversation.open").put("conversationId", caseId))).isEqualTo("forbidden");
    }
  }
}
