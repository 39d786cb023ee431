package fi.kanava.referral;

import static fi.kanava.support.ChatFixtures.enter;
import static fi.kanava.support.ChatFixtures.send;
import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.auth.Accounts;
import fi.kanava.auth.Organisations;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Partner referrals end to end (docs/protocol.md, "Partner referrals"): real database, HTTP and
 * sockets, the injected clock. "exercise" is a partner organisation working with the test area,
 * with no seat limit of its own (the default, 2); "elsewhere" is another partner.
 */
@DisplayName("Partner referrals: seats, consent, what partner staff see, notes and outcomes")
class ReferralTest {
  private static final String SCRAPE_TOKEN = "referral-test-scrape-token-0123456789abcdef";
  private static final String PARTNER = "exercise";
  private static final String OTHER_PARTNER = "elsewhere";
  private static final String REASON = "Liikuntaneuvonta: tavoitteena säännöllinen liikunta";

  TestApp t;
  Fixtures f;
  ChatFixtures c;
  Pro nurse;
  String adminToken;
  final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeEach
  void start() {
    t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN));
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
    organisation(PARTNER, "Liikuntaneuvonta", Fixtures.ORG);
    organisation(OTHER_PARTNER, "Muu kumppani", Fixtures.ORG);
    nurse = c.professional("nurse-referrer", "nurse", "available");
    closing.add(nurse);
    c.createQueue(ChatFixtures.queue("from", "auto"), nurse.id());
    f.account("area-admin", "admin");
    adminToken = f.accessToken("area-admin");
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable each : closing) {
      each.close();
    }
    t.close();
  }

  private void organisation(String id, String name, String partnerOf) {
    TestApp.await(t.app.services().organisations().create(Fixtures.decode(new JsonObject().put("id", id).put("name", name)
        .put("kind", "partner").put("partnerOf", partnerOf), Organisations.NewOrganisation.class)));
  }

  /** A partner account of {@code organisation} (not seated). */
  private UUID partnerAccount(String username, String organisation) {
    JsonObject body = new JsonObject().put("username", username).put("password", Fixtures.PASSWORD).put("displayName", "Partner " + username)
        .put("role", "partner").put("organisationId", organisation).put("languages", new JsonArray(List.of("fi")));
    return UUID.fromString(TestApp.await(t.app.services().accounts().create(Fixtures.decode(body, Accounts.NewAccount.class))).getString("id"));
  }

  private HttpResponse<Buffer> assign(String token, String organisation, UUID account) {
    return t.post("/api/admin/organisations/" + organisation + "/seats/" + account, token, null);
  }

  /** A seated partner account of the organisation and its access token. */
  private String seatedPartner(String username, String organisation) {
    UUID id = partnerAccount(username, organisation);
    var response = assign(adminToken, organisation, id);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return f.accessToken(username);
  }

  private Patient patient() {
    Patient p = c.anonymousPatient();
    closing.add(p);
    return p;
  }

  /** The patient's conversation, active with the nurse. */
  private String activeWithNurse(Patient patient) {
    String id = patient.ws().request(enter("from")).getJsonObject("conversation").getString("id");
    nurse.ws().await(fr -> "conversation.offer".equals(fr.getString("type")) && id.equals(fr.getJsonObject("conversation").getString("id")));
    JsonObject accepted = nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
    assertThat(accepted.getString("type")).as(accepted.encode()).isEqualTo("conversation.state");
    return id;
  }

  private static JsonObject referral(String conversationId, String partner) {
    return new JsonObject().put("conversationId", conversationId).put("partnerOrganisationId", partner)
        .put("consent", new JsonObject().put("method", "chat").put("note", "Asiakas suostui chatissa")).put("reason", REASON);
  }

  private JsonObject refer(String conversationId) {
    var response = t.post("/api/referrals", nurse.token(), referral(conversationId, PARTNER));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(201);
    return response.bodyAsJsonObject();
  }

  private long count(String sql, Object... params) {
    return t.row(sql, params).getLong(0);
  }

  /** What a refused attempt must leave as it was: referrals, partner participants, system messages. */
  private String footprint() {
    return count("select count(*) from referral") + "/" + count("select count(*) from conversation_participant where kind = 'partner'")
        + "/" + count("select count(*) from message where kind = 'system' and body like 'referred_to_partner%'")
        + "/" + count("select count(*) from referral_note") + "/" + count("select count(*) from partner_seat");
  }

  private List<Row> audits(UUID actor, String reason) {
    return t.rows("select action, resource_type, resource_id, patient_id, outcome from audit_event where actor_id = $1 and reason = $2",
        actor, reason);
  }

  @Nested
  @DisplayName("Seats")
  class Seats {
    @Test
    @DisplayName("the area's admin assigns seats up to the default limit of 2; the third is seats_full and changes nothing")
    void seats_stop_at_the_limit() {
      UUID a = partnerAccount("seat-a", PARTNER);
      UUID b = partnerAccount("seat-b", PARTNER);
      UUID d = partnerAccount("seat-d", PARTNER);
      assertThat(assign(adminToken, PARTNER, a).statusCode()).isEqualTo(200);
      // assigning again is harmless
      assertThat(assign(adminToken, PARTNER, a).statusCode()).isEqualTo(200);
      JsonObject two = assign(adminToken, PARTNER, b).bodyAsJsonObject();
      assertThat(two.getInteger("seatLimit")).isEqualTo(2);
      assertThat(two.getJsonArray("seats")).hasSize(2);
      String before = footprint();
      assertError(assign(adminToken, PARTNER, d), 409, "seats_full");
      assertThat(footprint()).isEqualTo(before);

      // released, the seat can go to another account
      var released = t.send(HttpMethod.DELETE, "/api/admin/organisations/" + PARTNER + "/seats/" + b, adminToken, null);
      assertThat(released.statusCode()).as(released.bodyAsString()).isEqualTo(200);
      assertError(t.send(HttpMethod.DELETE, "/api/admin/organisations/" + PARTNER + "/seats/" + b, adminToken, null), 404, "seat_not_found");
      assertThat(assign(adminToken, PARTNER, d).statusCode()).isEqualTo(200);
      JsonArray seats = t.get("/api/admin/organisations/" + PARTNER + "/seats", adminToken).bodyAsJsonObject().getJsonArray("seats");
      assertThat(seats.stream().map(s -> ((JsonObject) s).getString("accountId"))).containsExactlyInAnyOrder(a.toString(), d.toString());
    }

    @Test
    @DisplayName("concurrent assignments never exceed the limit")
    void concurrent_assignments() {
      List<UUID> accounts = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        accounts.add(partnerAccount("race-" + i, PARTNER));
      }
      List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
      for (UUID account : accounts) {
        all.add(t.http.request(HttpMethod.POST, "/api/admin/organisations/" + PARTNER + "/seats/" + account)
            .putHeader("authorization", "Bearer " + adminToken).send());
      }
      TestApp.await(Future.join(all));
      List<Integer> statuses = all.stream().map(r -> r.result().statusCode()).toList();
      assertThat(statuses).filteredOn(s -> s == 200).hasSize(2);
      assertThat(statuses).filteredOn(s -> s == 409).hasSize(4);
      all.stream().map(Future::result).filter(r -> r.statusCode() == 409)
          .forEach(r -> assertThat(r.bodyAsJsonObject().getString("code")).isEqualTo("seats_full"));
      assertThat(count("select count(*) from partner_seat where organisation_id = $1", PARTNER)).isEqualTo(2);
    }

    @Test
    @DisplayName("partner staff and admins of another area cannot assign seats (audited); bad ids change nothing")
    void only_the_areas_admin() {
      UUID a = partnerAccount("seat-x", PARTNER);
      String partnerToken = f.accessToken("seat-x");
      assertError(assign(partnerToken, PARTNER, a), 403, "forbidden");
      TestApp.await(t.app.services().organisations().create(Fixtures.decode(new JsonObject().put("id", "far-area").put("name", "Far")
          .put("kind", "wellbeing_area"), Organisations.NewOrganisation.class)));
      JsonObject farAdmin = new JsonObject().put("username", "far-admin").put("password", Fixtures.PASSWORD).put("displayName", "Far admin")
          .put("role", "admin").put("organisationId", "far-area").put("languages", new JsonArray(List.of("fi")));
      UUID farAdminId = UUID.fromString(TestApp.await(t.app.services().accounts().create(Fixtures.decode(farAdmin, Accounts.NewAccount.class)))
          .getString("id"));
      assertError(assign(f.accessToken("far-admin"), PARTNER, a), 403, "forbidden");
      assertThat(audits(farAdminId, "other_organisation")).isNotEmpty();
      assertError(assign(adminToken, "no-such-partner", a), 404, "unknown_partner");
      assertError(assign(adminToken, Fixtures.ORG, a), 404, "unknown_partner");
      assertError(assign(adminToken, OTHER_PARTNER, a), 404, "account_not_found");
      assertError(t.post("/api/admin/organisations/" + PARTNER + "/seats/not-a-uuid", adminToken, null), 400, "invalid_id");
      assertThat(count("select count(*) from partner_seat")).isZero();
    }
  }

  @Nested
  @DisplayName("Referring")
  class Referring {
    @Test
    @DisplayName("the consent is recorded with who asked, when and how; the patient is told in the chat")
    void consent_recorded_and_patient_told() {
      Patient patient = patient();
      String id = activeWithNurse(patient);
      t.clock.advance(Duration.ofMinutes(3));
      JsonObject made = refer(id);
      assertThat(made.getString("outcome")).isEqualTo("referred");
      assertThat(made.getJsonObject("consent").getString("method")).isEqualTo("chat");
      Row row = t.row("select consent_method, consent_asked_by, consent_at, referred_by, reason, patient_id from referral where id = $1",
          UUID.fromString(made.getString("id")));
      assertThat(row.getString("consent_method")).isEqualTo("chat");
      assertThat(row.getUUID("consent_asked_by")).isEqualTo(nurse.id());
      assertThat(row.getOffsetDateTime("consent_at").toInstant()).isEqualTo(TestApp.START.plus(Duration.ofMinutes(3)));
      assertThat(row.getString("reason")).isEqualTo(REASON);
      assertThat(row.getUUID("patient_id")).isEqualTo(patient.id());
      JsonObject system = patient.ws().await(fr -> "message".equals(fr.getString("type")) && "referred_to_partner".equals(fr.getString("code")));
      assertThat(system.getString("argument")).isEqualTo("Liikuntaneuvonta");
      assertThat(count("select count(*) from conversation_participant where conversation_id = $1 and kind = 'partner'"
          + " and organisation_id = $2 and left_at is null", UUID.fromString(id), PARTNER)).isEqualTo(1);
    }

    @Test
    @DisplayName("every bad referral gets its code and changes nothing")
    void bad_referrals_change_nothing() {
      Patient patient = patient();
      String id = activeWithNurse(patient);
      String before = footprint();
      assertError(t.post("/api/referrals", nurse.token(), referral(id, PARTNER).copy().putNull("consent")), 400, "consent_required");
      JsonObject noConsent = referral(id, PARTNER);
      noConsent.remove("consent");
      assertError(t.post("/api/referrals", nurse.token(), noConsent), 400, "consent_required");
      assertError(t.post("/api/referrals", nurse.token(), referral(id, PARTNER).put("consent", new JsonObject().put("method", "telepathy"))),
          400, "invalid_field");
      assertError(t.post("/api/referrals", nurse.token(), referral(id, PARTNER).put("reason", " ")), 400, "invalid_field");
      assertError(t.post("/api/referrals", nurse.token(), referral(id, PARTNER).put("extra", 1)), 400, "unknown_field");
      assertError(t.post("/api/referrals", nurse.token(), referral(id, "no-such-partner")), 404, "unknown_partner");
      assertError(t.post("/api/referrals", nurse.token(), referral(id, Fixtures.ORG)), 404, "unknown_partner");
      assertError(t.post("/api/referrals", nurse.token(), referral(UUID.randomUUID().toString(), PARTNER)), 404, "conversation_not_found");

      // a nurse who is not entitled to the conversation: 403, audited
      Pro stranger = c.professional("nurse-stranger", "nurse", null);
      closing.add(stranger);
      assertError(t.post("/api/referrals", stranger.token(), referral(id, PARTNER)), 403, "forbidden");
      assertThat(audits(stranger.id(), "not_entitled")).extracting(r -> r.getString("outcome")).containsOnly("denied");
      // partner staff do not refer onward
      String partnerToken = seatedPartner("partner-onward", PARTNER);
      String afterSeat = footprint();
      assertError(t.post("/api/referrals", partnerToken, referral(id, OTHER_PARTNER)), 403, "forbidden");
      assertThat(afterSeat).isEqualTo(before.substring(0, before.lastIndexOf('/')) + "/1");

      // twice to the same partner
      refer(id);
      String once = footprint();
      assertError(t.post("/api/referrals", nurse.token(), referral(id, PARTNER)), 409, "already_referred");
      assertThat(footprint()).isEqualTo(once);

      // a closed conversation
      JsonObject closed = nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "resolved"));
      assertThat(closed.getString("type")).as(closed.encode()).isEqualTo("conversation.closed");
      assertError(t.post("/api/referrals", nurse.token(), referral(id, OTHER_PARTNER)), 409, "conversation_closed");
      assertThat(footprint()).isEqualTo(once);
    }
  }

  /** The referral thread's row: state, outcome and detail, and whether it is in a queue or with anyone. */
  private Row thread(String id) {
    return t.row("select state, outcome, outcome_detail, queue_id, assigned_to, referral_thread from conversation where id = $1",
        UUID.fromString(id));
  }

  private JsonObject closeAsNurse(String id) {
    JsonObject closed = nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "referred")
        .put("detail", "Liikuntaneuvonta"));
    assertThat(closed.getString("type")).as(closed.encode()).isEqualTo("conversation.closed");
    return closed;
  }

  @Nested
  @DisplayName("The referral's own thread")
  class Thread {
    @Test
    @DisplayName("after the nurse closed her conversation the counsellor still writes to the client on the thread, and the client's socket gets it")
    void counsellor_writes_after_the_nurse_closed() {
      Patient patient = patient();
      String source = activeWithNurse(patient);
      JsonObject made = refer(source);
      String thread = made.getString("threadConversationId");
      assertThat(thread).isNotEqualTo(source);
      assertThat(made.getString("conversationId")).isEqualTo(source);
      Row row = thread(thread);
      assertThat(row.getString("state")).isEqualTo("active");
      assertThat(row.getString("queue_id")).isNull();
      assertThat(row.getUUID("assigned_to")).isNull();
      closeAsNurse(source);

      // the client lists the open thread with the organisation's name; /latest stays the nurse's chat (its end screen)
      var open = t.get("/api/patient/conversations?state=open", patient.token());
      assertThat(open.statusCode()).as(open.bodyAsString()).isEqualTo(200);
      assertThat(open.bodyAsJsonArray()).hasSize(1);
      JsonObject listed = open.bodyAsJsonArray().getJsonObject(0);
      assertThat(listed.getString("id")).isEqualTo(thread);
      assertThat(listed.getString("state")).isEqualTo("active");
      assertThat(listed.getJsonObject("partner").getString("name")).isEqualTo("Liikuntaneuvonta");
      assertThat(t.get("/api/patient/conversations/latest", patient.token()).bodyAsJsonObject().getString("id")).isEqualTo(source);
      assertError(t.get("/api/patient/conversations?state=closed", patient.token()), 400, "invalid_parameter");
      assertError(t.get("/api/patient/conversations?state=open", nurse.token()), 403, "forbidden");
      JsonObject opened = patient.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", thread));
      assertThat(opened.getString("type")).as(opened.encode()).isEqualTo("conversation");

      seatedPartner("days-later", PARTNER);
      t.clock.advance(Duration.ofDays(3));
      // days later: the counsellor signs in
      String partnerToken = f.accessToken("days-later");
      try (WsClient ws = WsClient.connect(t, partnerToken)) {
        assertThat(ws.request(new JsonObject().put("type", "conversation.open").put("conversationId", thread)).getString("type"))
            .isEqualTo("conversation");
        JsonObject ack = ws.request(send(thread, "later-1", "Hei! Sovitaanko ensikäynti torstaille?"));
        assertThat(ack.getString("type")).as(ack.encode()).isEqualTo("message.ack");
        JsonObject got = patient.ws().await(fr -> "message".equals(fr.getString("type")) && thread.equals(fr.getString("conversationId"))
            && "Hei! Sovitaanko ensikäynti torstaille?".equals(fr.getString("text")));
        assertThat(got.getJsonObject("sender").getString("name")).isEqualTo("Partner days-later");
        // and the client answers there
        JsonObject answer = patient.ws().request(send(thread, "client-1", "Torstai sopii"));
        assertThat(answer.getString("type")).as(answer.encode()).isEqualTo("message.ack");
        ws.await(fr -> "message".equals(fr.getString("type")) && "Torstai sopii".equals(fr.getString("text")));
      }
    }

    @Test
    @DisplayName("partner staff read the source conversation as the client saw it: no internal notes (ISBAR handover notes are notes), no triage")
    void source_without_notes_or_triage() {
      Patient patient = patient();
      String source = activeWithNurse(patient);
      JsonObject note = nurse.ws().request(send(source, "note-1", "Sisäinen: epäilen masennusta").put("internal", true));
      assertThat(note.getString("type")).as(note.encode()).isEqualTo("message.ack");
      JsonObject text = nurse.ws().request(send(source, "text-1", "Ohjaan sinut liikuntaneuvontaan"));
      assertThat(text.getString("type")).as(text.encode()).isEqualTo("message.ack");
      refer(source);
      String partnerToken = seatedPartner("reader", PARTNER);

      JsonArray nurseSees = t.get("/api/conversations/" + source + "/messages", nurse.token()).bodyAsJsonArray();
      assertThat(nurseSees.stream().map(m -> ((JsonObject) m).getString("kind"))).contains("note");
      var history = t.get("/api/conversations/" + source + "/messages", partnerToken);
      assertThat(history.statusCode()).as(history.bodyAsString()).isEqualTo(200);
      assertThat(history.bodyAsString()).doesNotContain("epäilen masennusta").contains("Ohjaan sinut liikuntaneuvontaan");
      assertThat(history.bodyAsJsonArray().stream().map(m -> ((JsonObject) m).getString("kind"))).doesNotContain("note");

      try (WsClient ws = WsClient.connect(t, partnerToken)) {
        JsonObject opened = ws.request(new JsonObject().put("type", "conversation.open").put("conversationId", source));
        assertThat(opened.getString("type")).as(opened.encode()).isEqualTo("conversation");
        assertThat(opened.encode()).doesNotContain("epäilen masennusta").doesNotContain("triage");
        // a note written now does not reach the partner's socket either; the next message to the client does
        nurse.ws().request(send(source, "note-2", "Toinen sisäinen huomio").put("internal", true));
        nurse.ws().request(send(source, "text-2", "Kiitos, hyvää jatkoa"));
        ws.await(fr -> "message".equals(fr.getString("type")) && "Kiitos, hyvää jatkoa".equals(fr.getString("text")));
        assertThat(ws.received().toString()).doesNotContain("sisäinen").doesNotContain("epäilen masennusta");
      }
    }

    @Test
    @DisplayName("the thread is not idle-closed by the sweep; completing the outcome closes it; partner staff may close one themselves")
    void not_idle_closed_and_closed_by_outcome() {
      Patient patient = patient();
      String source = activeWithNurse(patient);
      JsonObject made = refer(source);
      String thread = made.getString("threadConversationId");
      closeAsNurse(source);
      Patient second = patient();
      JsonObject secondReferral = refer(activeWithNurse(second));

      seatedPartner("closer", PARTNER);
      // a week without a word: far past chat.idle-close
      t.clock.advance(Duration.ofDays(7));
      TestApp.await(t.app.services().sweeper().sweep());
      assertThat(thread(thread).getString("state")).isEqualTo("active");
      assertThat(count("select count(*) from message where conversation_id = $1 and kind = 'system'", UUID.fromString(thread))).isZero();

      String partnerToken = f.accessToken("closer");
      String base = "/api/referrals/" + made.getString("id");
      assertThat(t.send(HttpMethod.PUT, base + "/outcome", partnerToken, new JsonObject().put("outcome", "contacted")).statusCode()).isEqualTo(200);
      assertThat(thread(thread).getString("state")).isEqualTo("active");
      JsonObject opened = patient.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", thread));
      assertThat(opened.getString("type")).isEqualTo("conversation");
      assertThat(t.send(HttpMethod.PUT, base + "/outcome", partnerToken, new JsonObject().put("outcome", "completed")).statusCode()).isEqualTo(200);
      Row closed = thread(thread);
      assertThat(closed.getString("state")).isEqualTo("closed");
      assertThat(closed.getString("outcome")).isEqualTo("referral_ended");
      assertThat(closed.getString("outcome_detail")).isEqualTo("completed");
      patient.ws().await(fr -> "conversation.state".equals(fr.getString("type"))
          && thread.equals(fr.getJsonObject("conversation").getString("id")) && "closed".equals(fr.getJsonObject("conversation").getString("state")));
      assertThat(count("select count(*) from conversation where patient_id = $1 and referral_thread and state <> 'closed'", patient.id()))
          .isZero();
      try (WsClient ws = WsClient.connect(t, partnerToken)) {
        JsonObject refused = ws.request(send(thread, "after-end", "Vielä yksi asia"));
        assertThat(refused.getString("type")).as(refused.encode()).isEqualTo("error");
      }

      // another client: the counsellor closes the thread while the referral goes on; a nurse may not; twice is harmless
      String closeUrl = "/api/referrals/" + secondReferral.getString("id") + "/thread/close";
      assertError(t.post(closeUrl, f.accessToken("nurse-referrer"), null), 403, "forbidden");
      assertThat(thread(secondReferral.getString("threadConversationId")).getString("state")).isEqualTo("active");
      var byPartner = t.post(closeUrl, partnerToken, null);
      assertThat(byPartner.statusCode()).as(byPartner.bodyAsString()).isEqualTo(200);
      assertThat(byPartner.bodyAsJsonObject().getString("outcome")).isEqualTo("referred");
      assertThat(thread(secondReferral.getString("threadConversationId")).getString("outcome_detail")).isEqualTo("closed_by_partner");
      assertThat(t.post(closeUrl, partnerToken, null).statusCode()).isEqualTo(200);
    }
  }

  @Nested
  @DisplayName("Partner staff")
  class PartnerStaff {
    @Test
    @DisplayName("see only their organisation's referred clients, and only with a seat; a client not referred to them is 403 and audited")
    void only_referred_clients() {
      Patient referred = patient();
      String referredId = activeWithNurse(referred);
      JsonObject made = refer(referredId);
      Patient other = patient();
      String otherId = activeWithNurse(other);
      // the other client is referred elsewhere
      assertThat(t.post("/api/referrals", nurse.token(), referral(otherId, OTHER_PARTNER)).statusCode()).isEqualTo(201);

      String partnerToken = seatedPartner("counsellor", PARTNER);
      UUID counsellor = Fixtures.subject(partnerToken);
      var list = t.get("/api/partner/referrals", partnerToken);
      assertThat(list.statusCode()).as(list.bodyAsString()).isEqualTo(200);
      JsonArray referrals = list.bodyAsJsonArray();
      assertThat(referrals).hasSize(1);
      JsonObject one = referrals.getJsonObject(0);
      assertThat(one.getString("conversationId")).isEqualTo(referredId);
      assertThat(one.getString("reason")).isEqualTo(REASON);
      assertThat(one.getJsonObject("consent").getString("method")).isEqualTo("chat");
      assertThat(audits(counsellor, "partner_referral")).extracting(r -> r.getString("action")).contains("referral.list");

      // the referral and the thread are theirs to read (audited)
      assertThat(t.get("/api/referrals/" + made.getString("id"), partnerToken).statusCode()).isEqualTo(200);
      assertThat(t.get("/api/conversations/" + referredId + "/messages", partnerToken).statusCode()).isEqualTo(200);

      // the client not referred to them: 403, and an audit row about that client
      String otherReferral = t.row("select id from referral where conversation_id = $1", UUID.fromString(otherId)).getUUID(0).toString();
      assertError(t.get("/api/referrals/" + otherReferral, partnerToken), 403, "forbidden");
      assertError(t.get("/api/conversations/" + otherId + "/messages", partnerToken), 403, "forbidden");
      List<Row> denied = t.rows("select action, resource_id, patient_id, reason from audit_event where actor_id = $1 and outcome = 'denied'"
          + " order by id", counsellor);
      assertThat(denied).extracting(r -> r.getString("reason")).containsExactly("not_referred_to_organisation", "no_referral_consent");
      assertThat(denied).extracting(r -> r.getUUID("patient_id")).containsOnly(other.id());
      assertThat(denied.get(0).getString("resource_id")).isEqualTo(otherReferral);

      // without a seat: nothing, not even their own organisation's list
      partnerAccount("unseated", PARTNER);
      String unseated = f.accessToken("unseated");
      assertError(t.get("/api/partner/referrals", unseated), 403, "forbidden");
      assertError(t.get("/api/referrals/" + made.getString("id"), unseated), 403, "forbidden");
      assertError(t.get("/api/conversations/" + referredId + "/messages", unseated), 403, "forbidden");
      assertThat(audits(Fixtures.subject(unseated), "partner_no_seat")).hasSize(3);
      // nor does a nurse read the partners' list
      assertError(t.get("/api/partner/referrals", nurse.token()), 403, "forbidden");
    }

    @Test
    @DisplayName("message the client on the referral's thread; the message reaches the client's socket; the source is read-only")
    void partner_messages_reach_the_client() {
      Patient patient = patient();
      String id = activeWithNurse(patient);
      String thread = refer(id).getString("threadConversationId");
      String partnerToken = seatedPartner("messenger", PARTNER);
      JsonObject patientOpened = patient.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", thread));
      assertThat(patientOpened.getString("type")).as(patientOpened.encode()).isEqualTo("conversation");
      try (WsClient ws = WsClient.connect(t, partnerToken)) {
        JsonObject opened = ws.request(new JsonObject().put("type", "conversation.open").put("conversationId", thread));
        assertThat(opened.getString("type")).as(opened.encode()).isEqualTo("conversation");
        JsonObject ack = ws.request(send(thread, "partner-1", "Hei, olen liikuntaneuvoja. Soitanko ensi viikolla?"));
        assertThat(ack.getString("type")).as(ack.encode()).isEqualTo("message.ack");
        // the conversation the referral was made in is the nurse's: the partner reads it and writes nothing there
        JsonObject refused = ws.request(send(id, "partner-2", "Tämä ei mene perille"));
        assertThat(refused.getString("type")).as(refused.encode()).isEqualTo("error");
        assertThat(audits(Fixtures.subject(partnerToken), "partner_source_read_only")).isNotEmpty();
      }
      JsonObject got = patient.ws().await(fr -> "message".equals(fr.getString("type")) && fr.getString("text") != null
          && fr.getString("text").startsWith("Hei, olen liikuntaneuvoja"));
      assertThat(got.getJsonObject("sender").getString("name")).isEqualTo("Partner messenger");
    }

    @Test
    @DisplayName("record notes and outcomes forward only; the referring nurse reads them; metrics and the monthly report count them")
    void notes_and_outcomes() {
      Patient patient = patient();
      String id = activeWithNurse(patient);
      String referral = refer(id).getString("id");
      String partnerToken = seatedPartner("visitor", PARTNER);
      String base = "/api/referrals/" + referral;

      var note = t.post(base + "/notes", partnerToken, new JsonObject().put("text", "Ensikäynti sovittu"));
      assertThat(note.statusCode()).as(note.bodyAsString()).isEqualTo(201);
      assertError(t.post(base + "/notes", nurse.token(), new JsonObject().put("text", "Hoitajan muistiinpano")), 403, "forbidden");
      assertError(t.post(base + "/notes", partnerToken, new JsonObject().put("text", "")), 400, "invalid_field");
      assertError(t.post("/api/referrals/" + UUID.randomUUID() + "/notes", partnerToken, new JsonObject().put("text", "x")), 404,
          "referral_not_found");

      t.clock.advance(Duration.ofDays(2));
      // days later: everyone signs in again
      partnerToken = f.accessToken("visitor");
      String nurseToken = f.accessToken("nurse-referrer");
      var contactedResponse = t.send(HttpMethod.PUT, base + "/outcome", partnerToken, new JsonObject().put("outcome", "contacted"));
      assertThat(contactedResponse.statusCode()).as(contactedResponse.bodyAsString()).isEqualTo(200);
      JsonObject contacted = contactedResponse.bodyAsJsonObject();
      assertThat(contacted.getString("outcome")).isEqualTo("contacted");
      assertThat(contacted.getString("contactedAt")).isEqualTo(TestApp.START.plus(Duration.ofDays(2)).toString());
      String before = t.get(base, partnerToken).bodyAsString();
      assertError(t.send(HttpMethod.PUT, base + "/outcome", partnerToken, new JsonObject().put("outcome", "contacted")), 409, "invalid_transition");
      assertError(t.send(HttpMethod.PUT, base + "/outcome", partnerToken, new JsonObject().put("outcome", "referred")), 400, "invalid_field");
      assertError(t.send(HttpMethod.PUT, base + "/outcome", partnerToken, new JsonObject().put("outcome", "lost")), 400, "invalid_field");
      assertError(t.send(HttpMethod.PUT, base + "/outcome", nurseToken, new JsonObject().put("outcome", "started")), 403, "forbidden");
      assertThat(t.get(base, partnerToken).bodyAsString()).isEqualTo(before);

      t.clock.advance(Duration.ofDays(7));
      partnerToken = f.accessToken("visitor");
      nurseToken = f.accessToken("nurse-referrer");
      assertThat(t.send(HttpMethod.PUT, base + "/outcome", partnerToken, new JsonObject().put("outcome", "started")).statusCode()).isEqualTo(200);
      assertThat(t.send(HttpMethod.PUT, base + "/outcome", partnerToken, new JsonObject().put("outcome", "completed")).statusCode()).isEqualTo(200);
      // completed is final
      assertError(t.send(HttpMethod.PUT, base + "/outcome", partnerToken, new JsonObject().put("outcome", "declined")), 409, "invalid_transition");
      assertError(t.send(HttpMethod.PUT, base + "/outcome", partnerToken, new JsonObject().put("outcome", "contacted")), 409, "invalid_transition");

      // the referring nurse reads the notes and the outcome; another nurse does not
      JsonObject seen = t.get(base, nurseToken).bodyAsJsonObject();
      assertThat(seen.getString("outcome")).isEqualTo("completed");
      assertThat(seen.getString("startedAt")).isEqualTo(TestApp.START.plus(Duration.ofDays(9)).toString());
      assertThat(seen.getJsonArray("notes")).extracting(n -> ((JsonObject) n).getString("text")).containsExactly("Ensikäynti sovittu");
      Pro other = c.professional("nurse-other", "nurse", null);
      closing.add(other);
      assertError(t.get(base, other.token()), 403, "forbidden");

      String metrics = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
      assertThat(metrics).contains("kanava_referrals_total{outcome=\"referred\",partner_organisation=\"exercise\"} 1.0");
      assertThat(metrics).contains("kanava_referrals_total{outcome=\"completed\",partner_organisation=\"exercise\"} 1.0");
      assertThat(metrics).contains("kanava_referrals_total{outcome=\"declined\",partner_organisation=\"exercise\"} 0.0");

      f.account("supervisor-1", "supervisor");
      var report = t.get("/api/reports/monthly?month=2026-03", f.accessToken("supervisor-1"));
      assertThat(report.statusCode()).as(report.bodyAsString()).isEqualTo(200);
      JsonObject referrals = report.bodyAsJsonObject().getJsonObject("referrals");
      assertThat(referrals.getLong("total")).isEqualTo(1);
      assertThat(referrals.getJsonObject("byOutcome").getLong("completed")).isEqualTo(1);
      assertThat(referrals.getJsonObject("byOutcome").getLong("referred")).isZero();
    }
  }
}
