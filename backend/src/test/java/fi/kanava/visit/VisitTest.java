package fi.kanava.visit;

import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.auth.Principal;
import fi.kanava.rtc.CallRoster;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Remote visits end to end (docs/protocol.md, "Visits"): real REST and sockets, a real database, the
 * injected clock and explicit sweeps. The clock starts at {@link TestApp#START} (2026-03-02 10:00 in
 * Finland). "chat" is a patient queue routed to the nurse.
 */
@DisplayName("Remote visits")
class VisitTest {
  private static final String SCRAPE_TOKEN = "visit-test-scrape-token-0123456789abcdef";

  TestApp t;
  Fixtures f;
  ChatFixtures c;
  Pro nurse;
  Pro doctor;

  @BeforeEach
  void start() {
    t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN, "visit.code-ttl", "PT2H", "visit.no-show-after", "PT15M",
        "visit.session-after-end", "PT1H", "abuse.anonymous-sessions.burst", "6"));
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
    nurse = c.professional("visit-nurse", "nurse", "available");
    doctor = c.professional("visit-doctor", "physician", null);
    c.createQueue(ChatFixtures.queue("chat", "auto"), nurse.id());
  }

  @AfterEach
  void stop() {
    nurse.close();
    doctor.close();
    t.close();
  }

  // --- helpers ----------------------------------------------------------------------------------------------

  private static JsonObject booking(Instant startsAt, String patientName) {
    return new JsonObject().put("startsAt", startsAt.toString()).put("durationMinutes", 30).put("channel", "video").put("language", "fi")
        .put("interpreterNeeded", false).put("patientName", patientName);
  }

  private JsonObject book(Pro pro, JsonObject body) {
    HttpResponse<Buffer> r = t.post("/api/visits", pro.token(), body);
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(201);
    return r.bodyAsJsonObject();
  }

  private String error(HttpResponse<Buffer> r, int status) {
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(status);
    return r.bodyAsJsonObject().getString("code");
  }

  private static String code(JsonObject link) {
    String url = link.getString("url");
    assertThat(url).startsWith("/visit.html#code=");
    return url.substring(url.indexOf("#code=") + 6);
  }

  private HttpResponse<Buffer> exchange(String code) {
    return t.post("/api/visit-codes/exchange", null, new JsonObject().put("code", code));
  }

  /** A patient-side member's socket, signed in with the visit's code. */
  private WsClient join(JsonObject link) {
    HttpResponse<Buffer> r = exchange(code(link));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return WsClient.connect(t, r.bodyAsJsonObject().getString("accessToken"));
  }

  private static JsonObject frame(String type, String visitId) {
    return new JsonObject().put("type", type).put("visitId", visitId);
  }

  private long count(String sql, Object... params) {
    return t.row(sql, params).getLong(0);
  }

  private String metrics() {
    return t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
  }

  private CallRoster.Admission admission(String visitId, Principal who) {
    return TestApp.await(t.app.services().visits().roster().admission(UUID.fromString(visitId), who));
  }

  private static Principal pro(Pro p, String role) {
    return Principal.professional(p.id(), fi.kanava.auth.Role.fromCode(role), Fixtures.ORG);
  }

  /** A patient whose conversation in "chat" the nurse accepted and then closed with this outcome. */
  private String closedChat(Patient patient, String outcome) {
    String id = patient.ws().request(enter("chat")).getJsonObject("conversation").getString("id");
    nurse.ws().await(fr -> "conversation.offer".equals(fr.getString("type")) && id.equals(fr.getJsonObject("conversation").getString("id")));
    assertThat(nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id)).getString("type"))
        .isEqualTo("conversation.state");
    assertThat(nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", outcome))
        .getString("type")).isEqualTo("conversation.closed");
    return id;
  }

  // --- booking and the day list ----------------------------------------------------------------------------

  @Test
  @DisplayName("a professional books visits and gets a one-time link; the day list is ordered by start and every listed visit is audited")
  void book_and_day_list() throws Exception {
    JsonObject later = book(nurse, booking(TestApp.START.plus(Duration.ofHours(3)), "Aino Anonyymi"));
    JsonObject sooner = book(nurse, booking(TestApp.START.plus(Duration.ofHours(1)), "Eero Esimerkki")
        .put("professionalIds", new JsonArray().add(doctor.id().toString())));
    assertThat(later.getString("state")).isEqualTo("booked");
    assertThat(later.getString("endsAt")).isEqualTo(TestApp.START.plus(Duration.ofMinutes(210)).toString());
    assertThat(later.getJsonObject("patient").getString("name")).isEqualTo("Aino Anonyymi");
    assertThat(later.getJsonArray("members")).hasSize(2);
    assertThat(sooner.getJsonArray("members")).hasSize(3);
    assertThat(sooner.getValue("callId")).isNull();
    // the code expires by visit.code-ttl, never after the visit's end
    assertThat(later.getJsonObject("joinLink").getString("expiresAt")).isEqualTo(TestApp.START.plus(Duration.ofHours(2)).toString());
    assertThat(sooner.getJsonObject("joinLink").getString("expiresAt")).isEqualTo(TestApp.START.plus(Duration.ofMinutes(90)).toString());
    String code = code(later.getJsonObject("joinLink"));
    assertThat(code).matches("[A-Za-z0-9_-]{43}");
    // only the code's SHA-256 is stored
    byte[] hash = MessageDigest.getInstance("SHA-256").digest(code.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(count("select count(*) from visit_code where code_hash = $1", Buffer.buffer(hash))).isEqualTo(1);
    // the other professional's console hears of it
    JsonObject pushed = doctor.ws().await(fr -> "visit.updated".equals(fr.getString("type")));
    assertThat(pushed.getJsonObject("visit").getString("id")).isEqualTo(sooner.getString("id"));

    HttpResponse<Buffer> day = t.get("/api/visits?date=2026-03-02", nurse.token());
    assertThat(day.statusCode()).as(day.bodyAsString()).isEqualTo(200);
    List<String> ids = day.bodyAsJsonObject().getJsonArray("visits").stream().map(v -> ((JsonObject) v).getString("id")).toList();
    assertThat(ids).containsExactly(sooner.getString("id"), later.getString("id"));
    assertThat(count("select count(*) from audit_event where actor_id = $1 and action = 'visit.list' and outcome = 'allowed'", nurse.id()))
        .isEqualTo(2);
    assertThat(t.get("/api/visits?date=2026-03-03", nurse.token()).bodyAsJsonObject().getJsonArray("visits")).isEmpty();
    assertThat(t.get("/api/visits?date=2026-03-02", doctor.token()).bodyAsJsonObject().getJsonArray("visits")).hasSize(1);
    assertThat(metrics()).contains("kanava_visits_booked_total{channel=\"video\"} 2.0").contains("kanava_visits_booked_total{channel=\"chat\"} 0.0")
        .contains("kanava_visits_total{outcome=\"no_show\"} 0.0");
  }

  @Test
  @DisplayName("a chat closed with appointment_booked books its visit: patient, queue and language come from it; another outcome does not")
  void book_from_chat() {
    try (Patient patient = c.anonymousPatient(); Patient other = c.anonymousPatient()) {
      String booked = closedChat(patient, "appointment_booked");
      JsonObject visit = book(nurse, new JsonObject().put("startsAt", TestApp.START.plus(Duration.ofDays(1)).toString())
          .put("durationMinutes", 20).put("channel", "video").put("conversationId", booked));
      assertThat(visit.getString("conversationId")).isEqualTo(booked);
      assertThat(visit.getString("queueId")).isEqualTo("chat");
      assertThat(visit.getString("language")).isEqualTo("fi");
      assertThat(t.row("select patient_id from visit where id = $1", UUID.fromString(visit.getString("id"))).getUUID(0)).isEqualTo(patient.id());
      // the visit's code opens a session of that same patient
      HttpResponse<Buffer> session = exchange(code(visit.getJsonObject("joinLink")));
      assertThat(Fixtures.subject(session.bodyAsJsonObject().getString("accessToken"))).isEqualTo(patient.id());

      String resolved = closedChat(other, "resolved");
      long before = count("select count(*) from visit");
      assertThat(error(t.post("/api/visits", nurse.token(), new JsonObject().put("startsAt", TestApp.START.plus(Duration.ofDays(1)).toString())
          .put("durationMinutes", 20).put("channel", "video").put("conversationId", resolved)), 409)).isEqualTo("conversation_not_bookable");
      assertThat(count("select count(*) from visit")).isEqualTo(before);
    }
  }

  @Test
  @DisplayName("cancel and reschedule: moved before it starts, cancelled once (twice is harmless), nothing after")
  void cancel_and_reschedule() {
    JsonObject visit = book(nurse, booking(TestApp.START.plus(Duration.ofHours(1)), "Liisa Lähde"));
    String id = visit.getString("id");
    HttpResponse<Buffer> moved = t.post("/api/visits/" + id + "/reschedule", nurse.token(),
        new JsonObject().put("startsAt", TestApp.START.plus(Duration.ofHours(4)).toString()).put("durationMinutes", 45));
    assertThat(moved.statusCode()).as(moved.bodyAsString()).isEqualTo(200);
    assertThat(moved.bodyAsJsonObject().getString("endsAt")).isEqualTo(TestApp.START.plus(Duration.ofMinutes(285)).toString());

    HttpResponse<Buffer> cancelled = t.post("/api/visits/" + id + "/cancel", nurse.token(), new JsonObject().put("reason", "Potilas perui"));
    assertThat(cancelled.statusCode()).as(cancelled.bodyAsString()).isEqualTo(200);
    assertThat(cancelled.bodyAsJsonObject().getString("state")).isEqualTo("cancelled");
    assertThat(t.post("/api/visits/" + id + "/cancel", nurse.token(), null).bodyAsJsonObject().getString("state")).isEqualTo("cancelled");
    assertThat(metrics()).contains("kanava_visits_total{outcome=\"cancelled\"} 1.0");
    assertThat(error(t.post("/api/visits/" + id + "/reschedule", nurse.token(),
        new JsonObject().put("startsAt", TestApp.START.plus(Duration.ofHours(5)).toString())), 409)).isEqualTo("visit_closed");
    assertThat(error(t.post("/api/visits/" + id + "/link", nurse.token(), null), 409)).isEqualTo("visit_closed");
    // the code issued at booking no longer opens anything
    assertThat(error(exchange(code(visit.getJsonObject("joinLink"))), 401)).isEqualTo("code_invalid");
    assertThat(t.row("select cancel_reason from visit where id = $1", UUID.fromString(id)).getString(0)).isEqualTo("Potilas perui");
  }

  // --- join codes -------------------------------------------------------------------------------------------

  @Test
  @DisplayName("a code is exchanged once for a short session; used, expired, unknown and malformed codes are all code_invalid")
  void code_exchange() {
    JsonObject visit = book(nurse, booking(TestApp.START.plus(Duration.ofHours(1)), "Kaisa Koodi"));
    String code = code(visit.getJsonObject("joinLink"));
    HttpResponse<Buffer> first = exchange(code);
    assertThat(first.statusCode()).as(first.bodyAsString()).isEqualTo(200);
    JsonObject session = first.bodyAsJsonObject();
    assertThat(session.getString("visitId")).isEqualTo(visit.getString("id"));
    Instant sessionEnd = TestApp.START.plus(Duration.ofMinutes(90 + 60));
    assertThat(session.getString("expiresAt")).isEqualTo(sessionEnd.toString());
    UUID subject = Fixtures.subject(session.getString("accessToken"));
    assertThat(t.row("select max(expires_at) from refresh_token where subject_id = $1", subject).getOffsetDateTime(0).toInstant())
        .isBeforeOrEqualTo(sessionEnd);

    assertThat(error(exchange(code), 401)).isEqualTo("code_invalid");
    assertThat(error(exchange("A".repeat(43)), 401)).isEqualTo("code_invalid");
    assertThat(error(exchange("not a code"), 401)).isEqualTo("code_invalid");
    assertThat(error(t.post("/api/visit-codes/exchange", null, new JsonObject()), 400)).isEqualTo("missing_field");

    // a new link; it expires by visit.code-ttl (two hours) but the visit ends first, at 90 minutes
    HttpResponse<Buffer> again = t.post("/api/visits/" + visit.getString("id") + "/link", nurse.token(), null);
    assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(201);
    String second = code(again.bodyAsJsonObject());
    t.clock.advance(Duration.ofMinutes(90));
    assertThat(error(exchange(second), 401)).isEqualTo("code_invalid");
    assertThat(count("select count(*) from visit_code where used_at is not null")).isEqualTo(1);
  }

  @Test
  @DisplayName("a code expires by visit.code-ttl before the visit's end; guessing is rate-limited per address")
  void code_expires_by_ttl() {
    JsonObject visit = book(nurse, booking(TestApp.START.plus(Duration.ofDays(2)), "Ville Vanhentunut"));
    String code = code(visit.getJsonObject("joinLink"));
    t.clock.advance(Duration.ofHours(2));
    assertThat(error(exchange(code), 401)).isEqualTo("code_invalid");
    assertThat(count("select count(*) from visit_code where used_at is not null")).isZero();
    // a burst of six attempts per address (abuse.anonymous-sessions.burst here), then 429
    for (int i = 0; i < 5; i++) {
      assertThat(error(exchange("B".repeat(42) + i), 401)).isEqualTo("code_invalid");
    }
    assertThat(error(exchange(code), 429)).isEqualTo("rate_limited");
  }

  // --- the waiting room -------------------------------------------------------------------------------------

  @Test
  @DisplayName("arrive, late notice, admit; a lost call sends the patient back to the room, a connected one completes the visit")
  void waiting_room() {
    JsonObject visit = book(nurse, booking(TestApp.START.plus(Duration.ofMinutes(10)), "Pekka Potilas"));
    String id = visit.getString("id");
    try (WsClient patient = join(visit.getJsonObject("joinLink"))) {
      JsonObject status = patient.request(frame("visit.arrive", id));
      assertThat(status.getString("type")).as(status.encode()).isEqualTo("visit.status");
      assertThat(status.getString("state")).isEqualTo("waiting");
      assertThat(status.getJsonObject("visit").getJsonArray("professionals").getJsonObject(0).getString("name")).isEqualTo("Test visit-nurse");
      assertThat(status.getJsonObject("visit").containsKey("members")).isFalse();
      JsonObject room = nurse.ws().await(fr -> "visit.waiting-room".equals(fr.getString("type")));
      JsonObject waiting = room.getJsonArray("waiting").getJsonObject(0);
      assertThat(waiting.getString("name")).isEqualTo("Pekka Potilas");
      assertThat(waiting.getBoolean("waiting")).isTrue();
      Principal patientPrincipal = Principal.patient(
          t.row("select patient_id from visit_member where visit_id = $1 and kind = 'patient'", UUID.fromString(id)).getUUID(0));
      assertThat(admission(id, patientPrincipal)).isInstanceOf(CallRoster.Admission.Waiting.class);
      assertThat(admission(id, pro(nurse, "nurse"))).isEqualTo(new CallRoster.Admission.Admitted("professional"));
      assertThat(admission(id, pro(doctor, "physician"))).isInstanceOf(CallRoster.Admission.NotMember.class);

      JsonObject late = nurse.ws().request(frame("visit.late", id).put("minutes", 10));
      assertThat(late.getString("type")).as(late.encode()).isEqualTo("visit.updated");
      JsonObject notice = patient.await(fr -> "visit.status".equals(fr.getString("type")) && fr.containsKey("lateMinutes"));
      assertThat(notice.getInteger("lateMinutes")).isEqualTo(10);
      assertThat(notice.getString("state")).isEqualTo("waiting");

      t.clock.advance(Duration.ofMinutes(3));
      JsonObject admitted = nurse.ws().request(frame("visit.admit", id).put("memberId", waiting.getString("id")));
      assertThat(admitted.getString("type")).as(admitted.encode()).isEqualTo("visit.waiting-room");
      assertThat(admitted.getJsonArray("waiting")).isEmpty();
      assertThat(patient.await(fr -> "visit.status".equals(fr.getString("type")) && "admitted".equals(fr.getString("state")))).isNotNull();
      assertThat(admission(id, patientPrincipal)).isEqualTo(new CallRoster.Admission.Admitted("patient"));
      assertThat(t.get("/api/visits/" + id, nurse.token()).bodyAsJsonObject().getString("state")).isEqualTo("admitted");
      // admitting again: nobody waits
      assertThat(nurse.ws().request(frame("visit.admit", id).put("memberId", waiting.getString("id"))).getString("code")).isEqualTo("not_waiting");

      // a member who reconnects while the call is on comes straight back in
      try (WsClient again = WsClient.connect(t, TestApp.await(t.app.services().sessions().open(patientPrincipal)).accessToken())) {
        assertThat(again.request(frame("visit.watch", id)).getString("state")).isEqualTo("admitted");
      }

      // the call never connected: back to the room, admitted again, then a call that connected completes the visit
      UUID call = UUID.randomUUID();
      TestApp.await(t.app.services().visits().roster().callEnded(UUID.fromString(id), call, false));
      assertThat(patient.await(fr -> "visit.status".equals(fr.getString("type")) && "waiting".equals(fr.getString("state"))
          && !fr.containsKey("ref"))).isNotNull();
      assertThat(admission(id, patientPrincipal)).isInstanceOf(CallRoster.Admission.Waiting.class);
      assertThat(nurse.ws().request(frame("visit.admit", id).put("memberId", waiting.getString("id"))).getString("type"))
          .isEqualTo("visit.waiting-room");
      TestApp.await(t.app.services().visits().roster().callEnded(UUID.fromString(id), call, true));
      assertThat(patient.await(fr -> "visit.status".equals(fr.getString("type")) && "completed".equals(fr.getString("state")))).isNotNull();
      assertThat(admission(id, patientPrincipal)).isInstanceOf(CallRoster.Admission.Closed.class);
      // ending twice is harmless; nothing else after the end
      TestApp.await(t.app.services().visits().roster().callEnded(UUID.fromString(id), call, true));
      assertThat(patient.request(frame("visit.arrive", id)).getString("code")).isEqualTo("visit_closed");
      assertThat(nurse.ws().request(frame("visit.late", id).put("minutes", 5)).getString("code")).isEqualTo("visit_closed");
      String scraped = metrics();
      assertThat(scraped).contains("kanava_visits_total{outcome=\"completed\"} 1.0");
      assertThat(scraped).contains("kanava_visit_admission_wait_seconds_count 2");
    }
  }

  @Test
  @DisplayName("a patient who never arrives is a no-show at startsAt + visit.no-show-after, once")
  void no_show() {
    JsonObject visit = book(nurse, booking(TestApp.START.plus(Duration.ofMinutes(30)), "Nelli Noshow"));
    JsonObject arrivedVisit = book(nurse, booking(TestApp.START.plus(Duration.ofMinutes(30)), "Aatu Ajoissa"));
    try (WsClient arriving = join(arrivedVisit.getJsonObject("joinLink"))) {
      assertThat(arriving.request(frame("visit.arrive", arrivedVisit.getString("id"))).getString("state")).isEqualTo("waiting");
    }
    String id = visit.getString("id");
    t.clock.advance(Duration.ofMinutes(44));
    TestApp.await(t.app.services().visits().sweep());
    assertThat(t.row("select state from visit where id = $1", UUID.fromString(id)).getString(0)).isEqualTo("booked");
    t.clock.advance(Duration.ofMinutes(1));
    TestApp.await(t.app.services().visits().sweep());
    TestApp.await(t.app.services().visits().sweep());
    assertThat(t.row("select state from visit where id = $1", UUID.fromString(id)).getString(0)).isEqualTo("no_show");
    assertThat(t.row("select state from visit where id = $1", UUID.fromString(arrivedVisit.getString("id"))).getString(0)).isEqualTo("waiting");
    JsonObject updated = nurse.ws().await(fr -> "visit.updated".equals(fr.getString("type"))
        && "no_show".equals(fr.getJsonObject("visit").getString("state")));
    assertThat(updated.getJsonObject("visit").getString("id")).isEqualTo(id);
    assertThat(metrics()).contains("kanava_visits_total{outcome=\"no_show\"} 1.0");
    assertThat(count("select count(*) from audit_event where action = 'visit.no_show' and actor_kind = 'system' and resource_id = $1", id))
        .isEqualTo(1);
  }

  // --- members ----------------------------------------------------------------------------------------------

  @Test
  @DisplayName("an interpreter is invited with a link of their own; a fifth member is call_full and stores nothing")
  void fifth_member_is_call_full() {
    JsonObject visit = book(nurse, booking(TestApp.START.plus(Duration.ofHours(1)), "Saara Saamelainen")
        .put("language", "se").put("interpreterNeeded", true).put("professionalIds", new JsonArray().add(doctor.id().toString())));
    String id = visit.getString("id");
    HttpResponse<Buffer> invited = t.post("/api/visits/" + id + "/members", nurse.token(),
        new JsonObject().put("kind", "interpreter").put("name", "Tulkki Tuomas").put("language", "se"));
    assertThat(invited.statusCode()).as(invited.bodyAsString()).isEqualTo(201);
    assertThat(invited.bodyAsJsonObject().getJsonObject("member").getString("kind")).isEqualTo("interpreter");
    try (WsClient interpreter = join(invited.bodyAsJsonObject().getJsonObject("joinLink"))) {
      assertThat(interpreter.request(frame("visit.arrive", id)).getString("state")).isEqualTo("waiting");
    }
    long members = count("select count(*) from visit_member");
    long patients = count("select count(*) from patient");
    assertThat(error(t.post("/api/visits/" + id + "/members", nurse.token(), new JsonObject().put("kind", "relative").put("name", "Sisko")), 409))
        .isEqualTo("call_full");
    assertThat(count("select count(*) from visit_member")).isEqualTo(members);
    assertThat(count("select count(*) from patient")).isEqualTo(patients);
  }

  @Test
  @DisplayName("the purge of stale anonymous patients keeps those reached by a visit's link")
  void visit_patients_survive_the_purge() {
    JsonObject visit = book(nurse, booking(TestApp.START.plus(Duration.ofDays(3)), "Pirjo Pysyvä"));
    UUID patient = t.row("select patient_id from visit where id = $1", UUID.fromString(visit.getString("id"))).getUUID(0);
    t.clock.advance(Duration.ofDays(2));
    TestApp.await(t.app.maintenance().run());
    assertThat(count("select count(*) from patient where id = $1", patient)).isEqualTo(1);
  }

  // --- bad input and access ---------------------------------------------------------------------------------

  @Test
  @DisplayName("every bad input gets its code and stores nothing")
  void bad_input_changes_nothing() {
    JsonObject visit = book(nurse, booking(TestApp.START.plus(Duration.ofHours(1)), "Olli Oikea"));
    String id = visit.getString("id");
    long visits = count("select count(*) from visit");
    long members = count("select count(*) from visit_member");
    long codes = count("select count(*) from visit_code");
    Instant soon = TestApp.START.plus(Duration.ofHours(2));

    assertThat(error(t.post("/api/visits", nurse.token(), booking(soon, "X").put("startsAt", "huomenna")), 400)).isEqualTo("invalid_starts_at");
    assertThat(error(t.post("/api/visits", nurse.token(), booking(TestApp.START.minus(Duration.ofHours(1)), "X")), 400))
        .isEqualTo("invalid_starts_at");
    assertThat(error(t.post("/api/visits", nurse.token(), booking(soon, "X").put("durationMinutes", 3)), 400)).isEqualTo("invalid_duration");
    assertThat(error(t.post("/api/visits", nurse.token(), booking(soon, "X").put("channel", "phone")), 400)).isEqualTo("invalid_channel");
    assertThat(error(t.post("/api/visits", nurse.token(), booking(soon, "X").put("language", "de")), 400)).isEqualTo("invalid_language");
    assertThat(error(t.post("/api/visits", nurse.token(), booking(soon, null)), 400)).isEqualTo("patient_required");
    assertThat(error(t.post("/api/visits", nurse.token(), booking(soon, "X").put("conversationId", UUID.randomUUID().toString())), 400))
        .isEqualTo("patient_required");
    assertThat(error(t.post("/api/visits", nurse.token(), booking(soon, "X")
        .put("professionalIds", new JsonArray().add(UUID.randomUUID().toString()))), 404)).isEqualTo("unknown_professional");
    assertThat(error(t.post("/api/visits", nurse.token(), booking(soon, "X").put("queueId", "nowhere")), 404)).isEqualTo("unknown_queue");
    assertThat(error(t.post("/api/visits", nurse.token(), booking(soon, "X").put("colour", "blue")), 400)).isEqualTo("unknown_field");
    assertThat(error(t.get("/api/visits?date=maanantai", nurse.token()), 400)).isEqualTo("invalid_parameter");
    assertThat(error(t.get("/api/visits/" + UUID.randomUUID(), nurse.token()), 404)).isEqualTo("visit_not_found");
    assertThat(error(t.post("/api/visits/" + id + "/members", nurse.token(), new JsonObject().put("kind", "friend").put("name", "X")), 400))
        .isEqualTo("invalid_kind");
    assertThat(error(t.post("/api/visits/" + id + "/members", nurse.token(), new JsonObject().put("kind", "colleague").put("name", "X")), 400))
        .isEqualTo("invalid_member");
    assertThat(error(t.post("/api/visits/" + id + "/members", nurse.token(),
        new JsonObject().put("kind", "colleague").put("accountId", nurse.id().toString())), 409)).isEqualTo("already_member");
    assertThat(error(t.post("/api/visits/" + id + "/reschedule", nurse.token(), new JsonObject().put("startsAt", soon.toString())
        .put("durationMinutes", 500)), 400)).isEqualTo("invalid_duration");

    assertThat(nurse.ws().request(frame("visit.late", id).put("minutes", 0)).getString("code")).isEqualTo("invalid_minutes");
    assertThat(nurse.ws().request(frame("visit.late", id)).getString("code")).isEqualTo("invalid_minutes");
    assertThat(nurse.ws().request(frame("visit.admit", id).put("memberId", UUID.randomUUID().toString())).getString("code"))
        .isEqualTo("member_not_found");
    String patientMember = visit.getJsonArray("members").stream().map(m -> (JsonObject) m).filter(m -> "patient".equals(m.getString("kind")))
        .findFirst().orElseThrow().getString("id");
    assertThat(nurse.ws().request(frame("visit.admit", id).put("memberId", patientMember)).getString("code")).isEqualTo("not_waiting");
    assertThat(nurse.ws().request(frame("visit.arrive", id)).getString("code")).isEqualTo("forbidden");
    assertThat(nurse.ws().request(frame("visit.admit", "not-a-uuid").put("memberId", patientMember)).getString("code"))
        .isEqualTo("malformed_frame");

    assertThat(count("select count(*) from visit")).isEqualTo(visits);
    assertThat(count("select count(*) from visit_member")).isEqualTo(members);
    assertThat(count("select count(*) from visit_code")).isEqualTo(codes);
    assertThat(t.row("select late_minutes from visit where id = $1", UUID.fromString(id)).getValue(0)).isNull();
  }

  @Test
  @DisplayName("a professional of another organisation, or one who does not hold the visit, gets 403 and an audit row; a stranger patient not_a_member")
  void outsiders_are_refused_and_audited() {
    JsonObject visit = book(nurse, booking(TestApp.START.plus(Duration.ofHours(1)), "Iida Intiimi"));
    String id = visit.getString("id");
    TestApp.await(t.app.services().organisations().create(Fixtures.decode(
        new JsonObject().put("id", "other-area").put("name", "Other area").put("kind", "wellbeing_area"),
        fi.kanava.auth.Organisations.NewOrganisation.class)));
    JsonObject account = TestApp.await(t.app.services().accounts().create(Fixtures.decode(new JsonObject().put("username", "elsewhere")
        .put("password", Fixtures.PASSWORD).put("displayName", "Muualta").put("role", "nurse").put("organisationId", "other-area")
        .put("languages", new JsonArray().add("fi")), fi.kanava.auth.Accounts.NewAccount.class)));
    UUID elsewhere = UUID.fromString(account.getString("id"));
    String elsewhereToken = f.accessToken("elsewhere");

    assertThat(error(t.get("/api/visits/" + id, elsewhereToken), 403)).isEqualTo("not_a_member");
    assertThat(error(t.post("/api/visits/" + id + "/cancel", elsewhereToken, null), 403)).isEqualTo("not_a_member");
    assertThat(error(t.get("/api/visits/" + id, doctor.token()), 403)).isEqualTo("not_a_member");
    assertThat(error(t.post("/api/visits/" + id + "/link", doctor.token(), null), 403)).isEqualTo("not_a_member");
    assertThat(t.rows("select reason from audit_event where actor_id = $1 and action like 'visit.%' and outcome = 'denied' order by id", elsewhere)
        .stream().map(r -> r.getString(0)).toList()).containsExactly("other_organisation", "other_organisation");
    assertThat(t.rows("select reason from audit_event where actor_id = $1 and action = 'visit.read' and outcome = 'denied'", doctor.id()))
        .hasSize(1);
    assertThat(t.row("select state from visit where id = $1", UUID.fromString(id)).getString(0)).isEqualTo("booked");
    assertThat(count("select count(*) from audit_event where actor_id = $1 and action = 'visit.read' and outcome = 'allowed'", nurse.id()))
        .isZero();
    assertThat(t.get("/api/visits/" + id, nurse.token()).statusCode()).isEqualTo(200);
    assertThat(count("select count(*) from audit_event where actor_id = $1 and action = 'visit.read' and outcome = 'allowed'", nurse.id()))
        .isEqualTo(1);

    JsonObject another = book(nurse, booking(TestApp.START.plus(Duration.ofHours(2)), "Toinen Potilas"));
    try (WsClient stranger = join(another.getJsonObject("joinLink"))) {
      assertThat(stranger.request(frame("visit.arrive", id)).getString("code")).isEqualTo("not_a_member");
    }
    assertThat(t.row("select arrived_at from visit where id = $1", UUID.fromString(id)).getValue(0)).isNull();
  }
}
