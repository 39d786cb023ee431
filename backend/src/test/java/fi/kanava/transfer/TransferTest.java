package fi.kanava.transfer;

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
 * Transfers end to end (docs/protocol.md, "Transfers"): real sockets, a real database, the
 * injected clock and explicit sweeps. Queue "from" routes automatically to the sender; queue "to"
 * is a pick queue, so the receiver takes what waits there when the test says so.
 */
@DisplayName("Transfers with an ISBAR note and consent-scoped history")
class TransferTest {
  private static final String SCRAPE_TOKEN = "transfer-test-scrape-token-0123456789abcdef";
  private static final String EARLY_PATIENT = "Minulla on ollut rintakipua kolme päivää.";
  private static final String EARLY_NURSE = "Kerro lisää, missä kipu tuntuu?";
  private static final String SITUATION = "Rintakipu 3 pv, tarvitsee lääkärin arvion";

  TestApp t;
  Fixtures f;
  ChatFixtures c;
  Pro sender;
  Pro receiver;

  @BeforeEach
  void start() {
    t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN, "transfer.consent-timeout", "PT10M",
        "transfer.personal-queue-timeout", "PT30M"));
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
    sender = c.professional("nurse-sender", "nurse", "available");
    receiver = c.professional("doctor-receiver", "physician", "available");
    c.createQueue(ChatFixtures.queue("from", "auto"), sender.id());
    c.createQueue(ChatFixtures.queue("to", "pick"), receiver.id());
  }

  @AfterEach
  void stop() {
    sender.close();
    receiver.close();
    t.close();
  }

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  /** A patient whose conversation in "from" is active with the sender, with one message each way. */
  private String activeWithSender(Patient patient) {
    String id = patient.ws().request(enter("from")).getJsonObject("conversation").getString("id");
    sender.ws().await(fr -> type(fr).equals("conversation.offer") && id.equals(fr.getJsonObject("conversation").getString("id")));
    JsonObject accepted = sender.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
    assertThat(type(accepted)).as(accepted.encode()).isEqualTo("conversation.state");
    assertThat(type(sender.ws().request(send(id, "n-early-" + id, EARLY_NURSE)))).isEqualTo("message.ack");
    assertThat(type(patient.ws().request(send(id, "p-early", EARLY_PATIENT)))).isEqualTo("message.ack");
    return id;
  }

  private static JsonObject note(String situation) {
    return new JsonObject().put("situation", situation).put("background", "Ei aiempia sydänsairauksia")
        .put("assessment", "Ei akuuttia hengenahdistusta").put("recommendation", "Lääkärin arvio tänään");
  }

  private JsonObject toQueue(String conversationId, String queueId) {
    return new JsonObject().put("type", "transfer.request").put("conversationId", conversationId).put("toQueue", queueId)
        .put("note", note(SITUATION));
  }

  private JsonObject toProfessional(String conversationId, UUID professional) {
    return new JsonObject().put("type", "transfer.request").put("conversationId", conversationId)
        .put("toProfessional", professional.toString()).put("note", note(SITUATION));
  }

  private JsonObject consent(String conversationId, String transferId, boolean granted) {
    return new JsonObject().put("type", "transfer.consent").put("conversationId", conversationId).put("transferId", transferId)
        .put("granted", granted);
  }

  private Row conversation(String id) {
    return t.row("select c.state, c.queue_id, c.assigned_to, c.held_for, c.enqueued_at,"
        + " (select count(*) from conversation_participant p where p.conversation_id = c.id and p.left_at is null and p.kind <> 'patient') as open_participants,"
        + " (select count(*) from conversation_transfer x where x.conversation_id = c.id) as transfers,"
        + " (select max(seq) from message m where m.conversation_id = c.id) as last_seq"
        + " from conversation c where c.id = $1", UUID.fromString(id));
  }

  /** The texts (or system codes) of what a professional's REST history read returns. */
  private List<String> restHistory(String token, String conversationId) {
    var response = t.get("/api/conversations/" + conversationId + "/messages", token);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    JsonArray messages = response.bodyAsJsonArray();
    return messages.stream().map(JsonObject.class::cast).map(TransferTest::label).toList();
  }

  private static String label(JsonObject message) {
    return "system".equals(message.getString("kind")) ? "system:" + message.getString("code") : message.getString("text");
  }

  /** The replay a fresh socket gets for conversation.open from the start. */
  private List<String> openReplay(String token, String conversationId) {
    try (WsClient ws = WsClient.connect(t, token)) {
      JsonObject reply = ws.request(new JsonObject().put("type", "conversation.open").put("conversationId", conversationId));
      assertThat(type(reply)).as(reply.encode()).isEqualTo("conversation");
      ws.awaitType("conversation.synced");
      return ws.all("message").stream().filter(m -> conversationId.equals(m.getString("conversationId"))).map(TransferTest::label).toList();
    }
  }

  /** The receiver takes the conversation from the "to" queue; the replay of the take, as labels. */
  private List<String> take(String conversationId) {
    int before = receiver.ws().all("message").size();
    JsonObject taken = receiver.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", conversationId));
    assertThat(type(taken)).as(taken.encode()).isEqualTo("conversation.state");
    receiver.ws().await(fr -> type(fr).equals("conversation.synced") && conversationId.equals(fr.getString("conversationId")));
    List<JsonObject> all = receiver.ws().all("message");
    return all.subList(before, all.size()).stream().filter(m -> conversationId.equals(m.getString("conversationId")))
        .map(TransferTest::label).toList();
  }

  private static String isbarText() {
    return "ISBAR\nS: " + SITUATION + "\nB: Ei aiempia sydänsairauksia\nA: Ei akuuttia hengenahdistusta\nR: Lääkärin arvio tänään";
  }

  @Test
  void with_consent_the_receiver_in_the_target_queue_reads_the_whole_thread() {
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      String enqueuedAt = conversation(id).getOffsetDateTime("enqueued_at").toString();
      assertThat(type(receiver.ws().request(new JsonObject().put("type", "queues.watch")))).isEqualTo("queue.waiting");

      JsonObject requested = sender.ws().request(toQueue(id, "to"));
      assertThat(type(requested)).as(requested.encode()).isEqualTo("transfer.requested");
      assertThat(requested.getString("conversationId")).isEqualTo(id);
      assertThat(requested.getJsonObject("target").getString("kind")).isEqualTo("queue");
      assertThat(requested.getJsonObject("target").getString("queueId")).isEqualTo("to");
      String transferId = requested.getString("transferId");

      // the patient stays in the same conversation: told where it moves, asked about the history
      JsonObject started = patient.ws().awaitType("transfer.started");
      assertThat(started.getString("conversationId")).isEqualTo(id);
      assertThat(started.getString("transferId")).isEqualTo(transferId);
      assertThat(started.getJsonObject("target").getString("queueId")).isEqualTo("to");
      assertThat(started.getString("answerBy")).isNotNull();
      JsonObject moving = patient.ws().await(fr -> type(fr).equals("message") && "system".equals(fr.getString("kind"))
          && "transferred_to_queue".equals(fr.getString("code")));
      assertThat(moving.getString("conversationId")).isEqualTo(id);
      patient.ws().await(fr -> type(fr).equals("conversation.state") && "queued".equals(fr.getJsonObject("conversation").getString("state")));
      // the handover note is internal: the patient never gets it
      assertThat(patient.ws().all("message")).noneMatch(m -> "note".equals(m.getString("kind")));

      // the target queue's waiting list shows it to those who serve the queue (a pick queue assigns nobody)
      receiver.ws().await(fr -> type(fr).equals("queue.waiting") && "to".equals(fr.getString("queueId"))
          && fr.getJsonArray("items").stream().anyMatch(i -> id.equals(((JsonObject) i).getString("conversationId"))));

      Row moved = conversation(id);
      assertThat(moved.getString("state")).isEqualTo("queued");
      assertThat(moved.getString("queue_id")).isEqualTo("to");
      assertThat(moved.getUUID("assigned_to")).isNull();
      assertThat(moved.getOffsetDateTime("enqueued_at").toString()).as("keeps its original waiting time").isEqualTo(enqueuedAt);

      JsonObject recorded = patient.ws().request(consent(id, transferId, true));
      assertThat(type(recorded)).as(recorded.encode()).isEqualTo("transfer.consent.recorded");
      assertThat(recorded.getString("consent")).isEqualTo("granted");
      Row stored = t.row("select consent, consent_by from conversation_transfer where id = $1", UUID.fromString(transferId));
      assertThat(stored.getString("consent")).isEqualTo("granted");
      assertThat(stored.getString("consent_by")).isEqualTo("patient");

      List<String> taken = take(id);
      assertThat(taken).contains(EARLY_PATIENT, EARLY_NURSE, isbarText(), "system:transferred_to_queue");
      assertThat(openReplay(receiver.token(), id)).contains(EARLY_PATIENT, EARLY_NURSE, isbarText(), "system:transferred_to_queue");
      assertThat(restHistory(receiver.token(), id)).contains(EARLY_PATIENT, EARLY_NURSE, isbarText(), "system:transferred_to_queue");

      // the receiver and the patient go on in the same thread
      String after = "Tässä lääkäri, jatketaan.";
      assertThat(type(receiver.ws().request(send(id, "r1", after)))).isEqualTo("message.ack");
      patient.ws().await(fr -> type(fr).equals("message") && after.equals(fr.getString("text")) && id.equals(fr.getString("conversationId")));
      Row taken2 = conversation(id);
      assertThat(taken2.getString("state")).isEqualTo("active");
      assertThat(taken2.getUUID("assigned_to")).isEqualTo(receiver.id());

      // the transfer, its consent and its pick-up are audited
      assertThat(t.rows("select action from audit_event where resource_id = $1 and action like 'transfer.%'", id))
          .extracting(r -> r.getString("action")).contains("transfer.request", "transfer.consent");
    }
  }

  @Test
  void a_refused_consent_shows_the_receiver_only_the_note_and_what_follows_until_the_patient_changes_it() {
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      String transferId = sender.ws().request(toQueue(id, "to")).getString("transferId");
      JsonObject refused = patient.ws().request(consent(id, transferId, false));
      assertThat(refused.getString("consent")).as(refused.encode()).isEqualTo("refused");

      List<String> taken = take(id);
      assertThat(taken).contains(isbarText(), "system:transferred_to_queue").doesNotContain(EARLY_PATIENT, EARLY_NURSE);
      assertThat(taken.get(0)).as("the handover note opens the receiver's part of the thread").isEqualTo(isbarText());
      assertThat(openReplay(receiver.token(), id)).contains(isbarText()).doesNotContain(EARLY_PATIENT, EARLY_NURSE);
      assertThat(restHistory(receiver.token(), id)).contains(isbarText()).doesNotContain(EARLY_PATIENT, EARLY_NURSE);

      String later = "Kipu on nyt pahempi.";
      patient.ws().request(send(id, "p-later", later));
      assertThat(restHistory(receiver.token(), id)).contains(isbarText(), later).doesNotContain(EARLY_PATIENT);

      // the patient still reads everything (but never the internal note)
      var own = t.get("/api/conversations/" + id + "/messages", patient.token()).bodyAsJsonArray().stream()
          .map(JsonObject.class::cast).map(TransferTest::label).toList();
      assertThat(own).contains(EARLY_PATIENT, EARLY_NURSE, later).doesNotContain(isbarText());

      // the patient changes their mind: the receiver's socket resynchronises and every read path shows the history
      JsonObject granted = patient.ws().request(consent(id, transferId, true));
      assertThat(granted.getString("consent")).isEqualTo("granted");
      receiver.ws().await(fr -> type(fr).equals("conversation.resync") && id.equals(fr.getString("conversationId")));
      receiver.ws().await(fr -> type(fr).equals("message") && EARLY_PATIENT.equals(fr.getString("text")));
      assertThat(openReplay(receiver.token(), id)).contains(EARLY_PATIENT, EARLY_NURSE, isbarText(), later);
      assertThat(restHistory(receiver.token(), id)).contains(EARLY_PATIENT, EARLY_NURSE, isbarText(), later);

      // ...and can take it back again
      patient.ws().request(consent(id, transferId, false));
      assertThat(restHistory(receiver.token(), id)).doesNotContain(EARLY_PATIENT, EARLY_NURSE);
      // the sender who transferred it had read it all before; that stays so
      assertThat(t.rows("select count(*) as n from audit_event where resource_id = $1 and action = 'transfer.consent'", id)
          .get(0).getLong("n")).isEqualTo(3L);
    }
  }

  @Test
  void no_answer_before_the_consent_timeout_counts_as_no_and_is_recorded_by_the_system() {
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      String transferId = sender.ws().request(toQueue(id, "to")).getString("transferId");

      t.clock.advance(Duration.ofMinutes(9));
      TestApp.await(t.app.services().sweeper().sweep());
      assertThat(t.row("select consent from conversation_transfer where id = $1", UUID.fromString(transferId)).getString("consent"))
          .as("not yet").isEqualTo("pending");

      t.clock.advance(Duration.ofMinutes(2));
      TestApp.await(t.app.services().sweeper().sweep());
      Row expired = t.row("select consent, consent_by from conversation_transfer where id = $1", UUID.fromString(transferId));
      assertThat(expired.getString("consent")).isEqualTo("expired");
      assertThat(expired.getString("consent_by")).isEqualTo("timeout");
      Row audit = t.row("select actor_kind, actor_id, reason from audit_event where resource_id = $1 and action = 'transfer.consent'", id);
      assertThat(audit.getString("actor_kind")).as("the system decided, not an anonymous caller").isEqualTo("system");
      assertThat(audit.getString("reason")).isEqualTo("expired");

      assertThat(take(id)).contains(isbarText()).doesNotContain(EARLY_PATIENT, EARLY_NURSE);
      // the clock has moved past the first access token's life: a fresh one for the fresh socket and REST
      String token = f.accessToken("doctor-receiver");
      assertThat(openReplay(token, id)).contains(isbarText()).doesNotContain(EARLY_PATIENT, EARLY_NURSE);
      assertThat(restHistory(token, id)).contains(isbarText()).doesNotContain(EARLY_PATIENT, EARLY_NURSE);

      // a late answer still counts
      assertThat(patient.ws().request(consent(id, transferId, true)).getString("consent")).isEqualTo("granted");
      assertThat(restHistory(token, id)).contains(EARLY_PATIENT, EARLY_NURSE, isbarText());
    }
  }

  @Test
  void a_decline_with_a_reason_returns_the_conversation_to_the_sender() {
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      String transferId = sender.ws().request(toQueue(id, "to")).getString("transferId");
      take(id);

      JsonObject declined = receiver.ws().request(new JsonObject().put("type", "transfer.decline").put("conversationId", id)
          .put("reason", "Ei lääkärin asia, hoitajan ohjaus riittää"));
      assertThat(type(declined)).as(declined.encode()).isEqualTo("transfer.declined");
      assertThat(declined.getString("conversationId")).isEqualTo(id);

      JsonObject returned = sender.ws().awaitType("transfer.returned");
      assertThat(returned.getString("conversationId")).isEqualTo(id);
      assertThat(returned.getString("transferId")).isEqualTo(transferId);
      assertThat(returned.getString("outcome")).isEqualTo("declined");
      assertThat(returned.getString("reason")).isEqualTo("Ei lääkärin asia, hoitajan ohjaus riittää");
      patient.ws().await(fr -> type(fr).equals("message") && "transfer_returned".equals(fr.getString("code")));

      Row back = conversation(id);
      assertThat(back.getString("state")).isEqualTo("active");
      assertThat(back.getString("queue_id")).isEqualTo("from");
      assertThat(back.getUUID("assigned_to")).isEqualTo(sender.id());
      assertThat(back.getLong("open_participants")).as("the sender alone").isEqualTo(1L);
      Row stored = t.row("select state, decline_reason, resolved_by from conversation_transfer where id = $1", UUID.fromString(transferId));
      assertThat(stored.getString("state")).isEqualTo("declined");
      assertThat(stored.getUUID("resolved_by")).isEqualTo(receiver.id());

      // theirs again: the sender writes, the patient reads it
      sender.ws().request(send(id, "back", "Jatketaan tässä."));
      patient.ws().await(fr -> type(fr).equals("message") && "Jatketaan tässä.".equals(fr.getString("text")));
    }
  }

  @Test
  void a_returned_transfer_goes_back_even_when_the_patient_has_opened_another_conversation_in_the_first_queue() {
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      sender.ws().request(toQueue(id, "to"));
      take(id);
      // the patient now has no open conversation in "from", so they may open another one there
      JsonObject second = patient.ws().request(enter("from"));
      assertThat(type(second)).as(second.encode()).isEqualTo("queue.entered");

      receiver.ws().send(new JsonObject().put("type", "transfer.decline").put("conversationId", id).put("reason", "Väärä jono"));
      assertThat(sender.ws().awaitType("transfer.returned").getString("outcome")).isEqualTo("declined");
      Row back = conversation(id);
      assertThat(back.getString("state")).isEqualTo("active");
      assertThat(back.getUUID("assigned_to")).isEqualTo(sender.id());
      assertThat(back.getString("queue_id")).as("stays where it is: the patient's new conversation holds their place in 'from'")
          .isEqualTo("to");
      assertThat(conversation(second.getJsonObject("conversation").getString("id")).getString("state")).isNotEqualTo("closed");
    }
  }

  @Test
  void a_transferred_conversation_keeps_its_place_ahead_of_a_later_patient() {
    try (Patient first = c.anonymousPatient(); Patient later = c.anonymousPatient()) {
      String id = activeWithSender(first);
      t.clock.advance(Duration.ofMinutes(5));
      String laterId = later.ws().request(enter("to")).getJsonObject("conversation").getString("id");
      t.clock.advance(Duration.ofMinutes(1));
      sender.ws().request(toQueue(id, "to"));

      Row ordered = t.row("select id from conversation where queue_id = 'to' and state = 'queued' and held_for is null"
          + " order by urgency_rank, enqueued_at, id limit 1");
      assertThat(ordered.getUUID("id").toString()).as("first in the target queue").isEqualTo(id);
    }
  }

  @Test
  void the_receiver_who_took_a_transfer_from_a_queue_can_transfer_it_onward_before_any_sweep() {
    try (Pro third = c.professional("nurse-third", "nurse", "available"); Patient patient = c.anonymousPatient()) {
      c.createQueue(ChatFixtures.queue("third", "pick"), third.id());
      String id = activeWithSender(patient);
      String first = sender.ws().request(toQueue(id, "to")).getString("transferId");
      t.clock.advance(Duration.ofSeconds(20));
      take(id);
      // no sweep in between: the first transfer is picked up all the same
      JsonObject onward = receiver.ws().request(toQueue(id, "third"));
      assertThat(type(onward)).as(onward.encode()).isEqualTo("transfer.requested");
      Row firstRow = t.row("select state, resolved_by from conversation_transfer where id = $1", UUID.fromString(first));
      assertThat(firstRow.getString("state")).isEqualTo("accepted");
      assertThat(firstRow.getUUID("resolved_by")).isEqualTo(receiver.id());
      assertThat(conversation(id).getString("queue_id")).isEqualTo("third");
      TestApp.await(t.app.services().sweeper().sweep());
      String metrics = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
      assertThat(metrics).contains("kanava_transfers_total{outcome=\"accepted\",source_queue=\"from\",target_queue=\"to\"} 1.0")
          .contains("kanava_transfers_total{outcome=\"requested\",source_queue=\"to\",target_queue=\"third\"} 1.0")
          .contains("kanava_transfer_pickup_seconds_count 1");

      // the third professional declines: it returns to the one who sent it there
      take3(third, id);
      third.ws().send(new JsonObject().put("type", "transfer.decline").put("conversationId", id).put("reason", "Ei meille"));
      assertThat(receiver.ws().awaitType("transfer.returned").getString("outcome")).isEqualTo("declined");
      Row back = conversation(id);
      assertThat(back.getString("queue_id")).isEqualTo("to");
      assertThat(back.getUUID("assigned_to")).isEqualTo(receiver.id());
    }
  }

  private static void take3(Pro pro, String conversationId) {
    JsonObject taken = pro.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", conversationId));
    assertThat(type(taken)).as(taken.encode()).isEqualTo("conversation.state");
  }

  @Test
  void a_transfer_keeps_its_priority_when_routing_offers_the_target_queue() {
    try (Pro autoReceiver = c.professional("nurse-auto", "nurse", "away");
        Patient first = c.anonymousPatient(); Patient later = c.anonymousPatient()) {
      c.createQueue(ChatFixtures.queue("auto-to", "auto"), autoReceiver.id());
      String id = activeWithSender(first);
      t.clock.advance(Duration.ofMinutes(5));
      String laterId = later.ws().request(enter("auto-to")).getJsonObject("conversation").getString("id");
      t.clock.advance(Duration.ofMinutes(1));
      assertThat(type(sender.ws().request(toQueue(id, "auto-to")))).isEqualTo("transfer.requested");

      autoReceiver.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
      JsonObject offer = autoReceiver.ws().awaitType("conversation.offer");
      assertThat(offer.getJsonObject("conversation").getString("id")).as("offered before " + laterId).isEqualTo(id);
    }
  }

  @Test
  void a_transfer_to_an_offline_professional_waits_for_them_alone_and_lapses_back_to_the_sender() {
    Pro colleague = c.professional("doctor-offline", "physician", null);
    colleague.close();
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      // the receiver serves "from" too (from now on, so routing offered it to the sender): even so, the held conversation is the colleague's alone
      TestApp.await(t.app.services().queues().setMembers("from", new fi.kanava.queue.Queues.Members(List.of(sender.id(), receiver.id()))));
      JsonObject requested = sender.ws().request(toProfessional(id, colleague.id()));
      assertThat(type(requested)).as(requested.encode()).isEqualTo("transfer.requested");
      assertThat(requested.getJsonObject("target").getString("kind")).isEqualTo("professional");
      assertThat(requested.getJsonObject("target").getString("name")).isEqualTo("Test doctor-offline");
      String transferId = requested.getString("transferId");
      patient.ws().await(fr -> type(fr).equals("message") && "transferred_to_professional".equals(fr.getString("code")));

      Row held = conversation(id);
      assertThat(held.getString("state")).isEqualTo("queued");
      assertThat(held.getUUID("held_for")).isEqualTo(colleague.id());

      // members of the queue it is in cannot take or preview it
      for (Pro member : List.of(sender, receiver)) {
        JsonObject take = member.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
        assertThat(take.getString("code")).as(take.encode()).isIn("forbidden", "not_assigned");
        JsonObject preview = member.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", id));
        assertThat(preview.getString("code")).as(preview.encode()).isEqualTo("forbidden");
        assertThat(t.get("/api/conversations/" + id + "/messages", member.token()).statusCode()).isEqualTo(403);
      }
      assertThat(conversation(id).getUUID("held_for")).isEqualTo(colleague.id());

      // not yet
      t.clock.advance(Duration.ofMinutes(29));
      TestApp.await(t.app.services().sweeper().sweep());
      assertThat(conversation(id).getUUID("held_for")).isEqualTo(colleague.id());

      t.clock.advance(Duration.ofMinutes(2));
      TestApp.await(t.app.services().sweeper().sweep());
      JsonObject returned = sender.ws().awaitType("transfer.returned");
      assertThat(returned.getString("outcome")).isEqualTo("lapsed");
      assertThat(returned.getString("transferId")).isEqualTo(transferId);
      Row back = conversation(id);
      assertThat(back.getString("state")).isEqualTo("active");
      assertThat(back.getUUID("held_for")).isNull();
      assertThat(back.getUUID("assigned_to")).isEqualTo(sender.id());
      assertThat(back.getString("queue_id")).isEqualTo("from");
      assertThat(t.row("select state from conversation_transfer where id = $1", UUID.fromString(transferId)).getString("state"))
          .isEqualTo("lapsed");
      Row audit = t.row("select actor_kind from audit_event where resource_id = $1 and action = 'transfer.lapse'", id);
      assertThat(audit.getString("actor_kind")).isEqualTo("system");
    }
  }

  @Test
  void a_named_receiver_who_is_online_gets_the_offer_and_accepts_it() {
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      String transferId = sender.ws().request(toProfessional(id, receiver.id())).getString("transferId");
      JsonObject offer = receiver.ws().awaitType("transfer.offer");
      assertThat(offer.getString("conversationId")).isEqualTo(id);
      assertThat(offer.getString("fromName")).isEqualTo("Test nurse-sender");
      assertThat(offer.getJsonObject("note").getString("situation")).isEqualTo(SITUATION);
      assertThat(offer.getString("expiresAt")).isNotNull();

      JsonObject accepted = receiver.ws().request(new JsonObject().put("type", "transfer.accept").put("conversationId", id));
      assertThat(type(accepted)).as(accepted.encode()).isEqualTo("transfer.accepted");
      // the sender is told, so their console stops showing the transfer as waiting
      JsonObject told = sender.ws().awaitType("transfer.accepted");
      assertThat(told.getString("conversationId")).isEqualTo(id);
      assertThat(told.getString("transferId")).isEqualTo(transferId);
      Row theirs = conversation(id);
      assertThat(theirs.getString("state")).isEqualTo("active");
      assertThat(theirs.getUUID("assigned_to")).isEqualTo(receiver.id());
      assertThat(theirs.getUUID("held_for")).isNull();
      assertThat(restHistory(receiver.token(), id)).contains(isbarText()).doesNotContain(EARLY_PATIENT);

      // metrics: the transfer and its pick-up
      String metrics = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
      assertThat(metrics).contains("kanava_transfers_total{outcome=\"requested\",source_queue=\"from\",target_queue=\"personal\"} 1.0")
          .contains("kanava_transfers_total{outcome=\"accepted\",source_queue=\"from\",target_queue=\"personal\"} 1.0")
          .contains("kanava_transfer_pickup_seconds_count 1");
      assertThat(transferId).isNotNull();
    }
  }

  @Test
  void a_pick_up_from_a_target_queue_is_counted_in_the_metrics() {
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      sender.ws().request(toQueue(id, "to"));
      t.clock.advance(Duration.ofSeconds(45));
      take(id);
      TestApp.await(t.app.services().sweeper().sweep());
      String metrics = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
      assertThat(metrics).contains("kanava_transfers_total{outcome=\"requested\",source_queue=\"from\",target_queue=\"to\"} 1.0")
          .contains("kanava_transfers_total{outcome=\"accepted\",source_queue=\"from\",target_queue=\"to\"} 1.0")
          .contains("kanava_transfer_pickup_seconds_count 1");
    }
  }

  @Test
  void bad_transfers_are_refused_with_their_code_and_change_nothing() {
    c.createQueue(ChatFixtures.queue("closed-q", "pick"), receiver.id());
    TestApp.await(t.app.services().queues().archive("closed-q", true));
    try (Patient patient = c.anonymousPatient(); Pro stranger = c.professional("nurse-stranger", "nurse", "available")) {
      String id = activeWithSender(patient);
      Row before = conversation(id);

      record Case(JsonObject frame, String code) {}
      List<Case> cases = List.of(
          new Case(toQueue(id, "no-such-queue"), "unknown_queue"),
          new Case(toQueue(id, "closed-q"), "queue_closed"),
          new Case(toQueue(id, "from"), "same_queue"),
          new Case(toProfessional(id, sender.id()), "transfer_to_self"),
          new Case(toProfessional(id, UUID.randomUUID()), "unknown_professional"),
          new Case(toProfessional(id, patient.id()), "unknown_professional"),
          new Case(toQueue(id, "to").put("note", new JsonObject().put("situation", "   ")), "invalid_note"),
          new Case(toQueue(id, "to").put("note", note("x".repeat(1001))), "invalid_note"));
      for (Case bad : cases) {
        JsonObject reply = sender.ws().request(bad.frame());
        assertThat(reply.getString("code")).as(bad.frame().encode() + " -> " + reply.encode()).isEqualTo(bad.code());
        assertUnchanged(id, before);
      }

      // by a professional who is not the assigned one: forbidden, and audited
      JsonObject intruder = stranger.ws().request(toQueue(id, "to"));
      assertThat(intruder.getString("code")).as(intruder.encode()).isEqualTo("forbidden");
      assertUnchanged(id, before);
      assertThat(t.rows("select 1 from audit_event where resource_id = $1 and actor_id = $2 and outcome = 'denied'", id, stranger.id()))
          .isNotEmpty();

      // a decline with no reason, and with no transfer to decline
      JsonObject noReason = receiver.ws().request(new JsonObject().put("type", "transfer.decline").put("conversationId", id).put("reason", " "));
      assertThat(noReason.getString("code")).as(noReason.encode()).isEqualTo("invalid_reason");
      JsonObject nothing = sender.ws().request(new JsonObject().put("type", "transfer.decline").put("conversationId", id).put("reason", "x"));
      assertThat(nothing.getString("code")).as(nothing.encode()).isEqualTo("no_pending_transfer");
      JsonObject noAccept = receiver.ws().request(new JsonObject().put("type", "transfer.accept").put("conversationId", id));
      assertThat(noAccept.getString("code")).as(noAccept.encode()).isIn("no_pending_transfer", "forbidden");
      assertUnchanged(id, before);

      // a consent about a transfer that is not of this conversation
      JsonObject unknown = patient.ws().request(consent(id, UUID.randomUUID().toString(), true));
      assertThat(unknown.getString("code")).as(unknown.encode()).isEqualTo("unknown_transfer");

      // a closed conversation
      sender.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "resolved"));
      Row closed = conversation(id);
      JsonObject late = sender.ws().request(toQueue(id, "to"));
      assertThat(closed.getString("state")).isEqualTo("closed");
      assertThat(late.getString("code")).as(late.encode()).isEqualTo("conversation_closed");
      assertUnchanged(id, closed);
    }
  }

  @Test
  void a_transfer_to_a_queue_where_the_patient_already_waits_is_refused() {
    try (Patient patient = c.anonymousPatient()) {
      String other = patient.ws().request(enter("to")).getJsonObject("conversation").getString("id");
      String id = activeWithSender(patient);
      Row before = conversation(id);
      JsonObject reply = sender.ws().request(toQueue(id, "to"));
      assertThat(reply.getString("code")).as(reply.encode()).isEqualTo("already_in_queue");
      assertUnchanged(id, before);
      assertThat(conversation(other).getString("state")).isEqualTo("queued");
    }
  }

  @Test
  void a_transfer_to_another_organisation_needs_the_patients_consent_on_record() {
    TestApp.await(t.app.services().organisations().create(Fixtures.decode(new JsonObject().put("id", "other-area")
        .put("name", "Other area").put("kind", "wellbeing_area"), fi.kanava.auth.Organisations.NewOrganisation.class)));
    TestApp.await(t.app.services().queues().create(Fixtures.decode(ChatFixtures.queue("elsewhere", "pick"),
        fi.kanava.queue.QueueSettings.Request.class).validate(null), "other-area"));
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      Row before = conversation(id);
      JsonObject refused = sender.ws().request(toQueue(id, "elsewhere"));
      assertThat(refused.getString("code")).as(refused.encode()).isEqualTo("consent_required");
      assertUnchanged(id, before);

      // with the patient's consent at a transfer within the organisation, the next one may leave it
      String transferId = sender.ws().request(toQueue(id, "to")).getString("transferId");
      patient.ws().request(consent(id, transferId, true));
      take(id);
      JsonObject onward = receiver.ws().request(toQueue(id, "elsewhere"));
      assertThat(type(onward)).as(onward.encode()).isEqualTo("transfer.requested");
      assertThat(conversation(id).getString("queue_id")).isEqualTo("elsewhere");
    }
  }

  private void assertUnchanged(String id, Row before) {
    Row now = conversation(id);
    assertThat(now.getString("state")).isEqualTo(before.getString("state"));
    assertThat(now.getString("queue_id")).isEqualTo(before.getString("queue_id"));
    assertThat(now.getUUID("assigned_to")).isEqualTo(before.getUUID("assigned_to"));
    assertThat(now.getUUID("held_for")).isEqualTo(before.getUUID("held_for"));
    assertThat(now.getLong("open_participants")).isEqualTo(before.getLong("open_participants"));
    assertThat(now.getLong("transfers")).isEqualTo(before.getLong("transfers"));
    assertThat(now.getLong("last_seq")).isEqualTo(before.getLong("last_seq"));
  }

  @Test
  @DisplayName("the patient's view carries the current transfer and their answer, over REST and the socket, without the note")
  void the_patients_view_carries_the_transfer_and_the_consent_status() {
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      assertThat(currentView(patient).getValue("transfer")).as("never transferred: no transfer").isNull();
      String transferId = sender.ws().request(toQueue(id, "to")).getString("transferId");
      patient.ws().awaitType("transfer.started");

      JsonObject pending = currentView(patient).getJsonObject("transfer");
      assertThat(pending.getString("transferId")).isEqualTo(transferId);
      assertThat(pending.getJsonObject("target").getString("kind")).isEqualTo("queue");
      assertThat(pending.getJsonObject("target").getString("queueId")).isEqualTo("to");
      assertThat(pending.getString("consent")).isEqualTo("pending");
      assertThat(pending.getString("answerBy")).isNotNull();
      assertThat(pending.getString("decidedAt")).isNull();
      assertThat(pending.encode()).doesNotContain(SITUATION).doesNotContain("ISBAR");

      JsonObject recorded = patient.ws().request(consent(id, transferId, true));
      // the answer re-sends the state with the decision
      JsonObject state = patient.ws().await(fr -> type(fr).equals("conversation.state")
          && fr.getJsonObject("conversation").getJsonObject("transfer") != null
          && "granted".equals(fr.getJsonObject("conversation").getJsonObject("transfer").getString("consent")));
      assertThat(state.getJsonObject("conversation").getJsonObject("transfer").getString("decidedAt")).isEqualTo(recorded.getString("at"));
      JsonObject granted = currentView(patient).getJsonObject("transfer");
      assertThat(granted.getString("consent")).isEqualTo("granted");
      assertThat(granted.getString("decidedAt")).isNotNull();

      patient.ws().request(consent(id, transferId, false));
      assertThat(currentView(patient).getJsonObject("transfer").getString("consent")).isEqualTo("refused");
      // the conversation reply of conversation.open carries it too
      try (WsClient ws = WsClient.connect(t, patient.token())) {
        JsonObject opened = ws.request(new JsonObject().put("type", "conversation.open").put("conversationId", id));
        assertThat(opened.getJsonObject("conversation").getJsonObject("transfer").getString("consent")).isEqualTo("refused");
      }
      // the receiver's console shows the patient's answer too (never the note: that is a message of the thread)
      take(id);
      JsonObject staff = t.get("/api/console/conversations", receiver.token()).bodyAsJsonArray().stream().map(JsonObject.class::cast)
          .filter(v -> id.equals(v.getString("id"))).findFirst().orElseThrow();
      assertThat(staff.getJsonObject("transfer").getString("consent")).as(staff.encode()).isEqualTo("refused");
      assertThat(staff.getJsonObject("transfer").fieldNames()).containsExactlyInAnyOrder("transferId", "target", "answerBy", "consent",
          "decidedAt");
      // after the take the transfer stands (accepted): the patient still sees and may change the answer
      assertThat(currentView(patient).getJsonObject("transfer").getString("consent")).isEqualTo("refused");
    }
  }

  @Test
  @DisplayName("an unanswered question shows as expired in the patient's view")
  void an_unanswered_question_shows_as_expired() {
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      sender.ws().request(toQueue(id, "to"));
      patient.ws().awaitType("transfer.started");
      t.clock.advance(Duration.ofMinutes(11));
      TestApp.await(t.app.services().sweeper().sweep());
      // the sweep re-sends the state (the clock is past the first tokens' life: the socket tells)
      JsonObject expired = patient.ws().await(fr -> type(fr).equals("conversation.state")
          && fr.getJsonObject("conversation").getJsonObject("transfer") != null
          && "expired".equals(fr.getJsonObject("conversation").getJsonObject("transfer").getString("consent")))
          .getJsonObject("conversation").getJsonObject("transfer");
      assertThat(expired.getString("decidedAt")).isNotNull();
    }
  }

  @Test
  @DisplayName("a transfer returned to its sender leaves the patient's view")
  void a_returned_transfer_leaves_the_patients_view() {
    try (Patient patient = c.anonymousPatient()) {
      String id = activeWithSender(patient);
      sender.ws().request(toQueue(id, "to"));
      patient.ws().awaitType("transfer.started");
      assertThat(currentView(patient).getJsonObject("transfer")).isNotNull();
      take(id);
      // a decline has no reply: the patient's system message says it is done
      receiver.ws().send(new JsonObject().put("type", "transfer.decline").put("conversationId", id).put("reason", "Ei minulle"));
      patient.ws().await(fr -> type(fr).equals("message") && "transfer_returned".equals(fr.getString("code")));
      assertThat(currentView(patient).getValue("transfer")).isNull();
    }
  }

  private JsonObject currentView(Patient patient) {
    var response = t.get("/api/patient/conversations/current", patient.token());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }
}
