package fi.kanava.chat;

import fi.kanava.presence.PresenceEvents;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Chat rules: admission, bad input, access, timeouts")
class ChatRulesTest {
  static TestApp t;
  static Fixtures f;
  static ChatFixtures c;
  static int counter;

  @BeforeAll
  static void start() {
    t = TestApp.start(Map.of("ws.rate-limit-burst", "20", "ws.rate-limit-per-second", "1", "ws.max-frame-bytes", "8192"));
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

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  private static Row row(String sql, Object... params) {
    return t.row(sql, params);
  }

  @Nested
  @DisplayName("entering a queue")
  class Admission {
    @Test
    void a_closed_queue_refuses_and_says_when_it_opens() {
      String queue = unique("closed");
      JsonObject definition = ChatFixtures.queue(queue, "auto").put("openingHours", new JsonObject().put("timeZone", "Europe/Helsinki")
          .put("weekly", new JsonObject().put("sat", new JsonArray().add(new JsonArray(List.of("10:00", "12:00"))))));
      c.createQueue(definition);
      // TestApp.START is Monday 2026-03-02 10:00 in Helsinki: closed; opens Saturday 10:00 (08:00 UTC)
      try (Patient patient = c.anonymousPatient()) {
        JsonObject refused = patient.ws().request(enter(queue));
        assertThat(refused.getString("code")).isEqualTo("queue_closed");
        assertThat(refused.getString("opensAt")).isEqualTo("2026-03-07T08:00:00Z");
        JsonArray list = t.get("/api/queues", patient.token()).bodyAsJsonArray();
        JsonObject listed = list.stream().map(JsonObject.class::cast).filter(q -> q.getString("id").equals(queue)).findFirst().orElseThrow();
        assertThat(listed.getBoolean("open")).isFalse();
        assertThat(listed.getString("opensAt")).isEqualTo("2026-03-07T08:00:00Z");
      }
    }

    @Test
    void a_full_queue_refuses() {
      String queue = unique("full");
      c.createQueue(ChatFixtures.queue(queue, "pick").put("maxLength", 2));
      try (Patient a = c.anonymousPatient(); Patient b = c.anonymousPatient(); Patient third = c.anonymousPatient()) {
        assertThat(type(a.ws().request(enter(queue)))).isEqualTo("queue.entered");
        assertThat(type(b.ws().request(enter(queue)))).isEqualTo("queue.entered");
        assertThat(third.ws().request(enter(queue)).getString("code")).isEqualTo("queue_full");
        assertThat(row("select count(*) from conversation where queue_id = $1", queue).getLong(0)).isEqualTo(2);
      }
    }

    @Test
    void municipalities_languages_and_identification_are_checked() {
      String queue = unique("rules");
      c.createQueue(ChatFixtures.queue(queue, "pick"));
      String strict = unique("strict");
      c.createQueue(ChatFixtures.queue(strict, "pick").put("anonymousAllowed", false));
      try (Patient p = c.anonymousPatient()) {
        assertThat(p.ws().request(enter(queue).put("municipality", "Helsinki")).getString("code")).isEqualTo("municipality_not_served");
        JsonObject noMunicipality = enter(queue);
        noMunicipality.remove("municipality");
        assertThat(p.ws().request(noMunicipality).getString("code")).isEqualTo("municipality_required");
        assertThat(p.ws().request(enter(queue).put("language", "se")).getString("code")).isEqualTo("language_not_served");
        assertThat(p.ws().request(enter(strict)).getString("code")).isEqualTo("identification_required");
        assertThat(p.ws().request(enter("no-such-queue")).getString("code")).isEqualTo("queue_not_found");
        JsonObject missing = p.ws().request(enter(queue, Map.of("breathing", false)));
        assertThat(missing.getString("code")).isEqualTo("answer_missing");
        assertThat(missing.getString("questionId")).isEqualTo("topic");
        assertThat(p.ws().request(enter(queue, Map.of("breathing", false, "topic", "nonsense"))).getString("code")).isEqualTo("answer_invalid");
        assertThat(row("select count(*) from conversation where patient_id = $1", p.id()).getLong(0)).isZero();
        assertThat(type(p.ws().request(enter(queue)))).isEqualTo("queue.entered");
        JsonObject twice = p.ws().request(enter(queue));
        assertThat(twice.getString("code")).isEqualTo("already_in_queue");
        assertThat(twice.getString("conversationId")).isNotBlank();
      }
    }

    @Test
    void an_immediate_need_is_not_queued_but_redirected_to_emergency_guidance() {
      String queue = unique("urgent");
      c.createQueue(ChatFixtures.queue(queue, "auto"));
      try (Patient p = c.anonymousPatient()) {
        JsonObject reply = p.ws().request(enter(queue, Map.of("breathing", true)));
        assertThat(type(reply)).isEqualTo("emergency");
        assertThat(reply.getString("urgency")).isEqualTo("immediate");
        Row stored = row("select state, outcome, urgency from conversation where patient_id = $1", p.id());
        assertThat(stored.getString("state")).isEqualTo("closed");
        assertThat(stored.getString("outcome")).isEqualTo("redirected_to_urgent_care");
      }
    }

    @Test
    void an_anonymous_conversation_stores_no_identity() {
      String queue = unique("anon");
      c.createQueue(ChatFixtures.queue(queue, "pick"));
      try (Patient p = c.anonymousPatient()) {
        p.ws().request(enter(queue));
        Row patient = row("select * from patient where id = $1", p.id());
        assertThat(patient.getString("kind")).isEqualTo("anonymous");
        assertThat(patient.getString("identity_subject")).isNull();
        assertThat(patient.getString("display_name")).isNull();
        Row conversation = row("select answers::text as answers, municipality from conversation where patient_id = $1", p.id());
        assertThat(conversation.getString("answers")).doesNotContain("hetu").doesNotContain("name");
      }
    }

    @Test
    void a_patient_leaving_the_queue_is_recorded_as_abandoned() {
      String queue = unique("leave");
      c.createQueue(ChatFixtures.queue(queue, "pick"));
      try (Patient p = c.anonymousPatient()) {
        String id = p.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
        JsonObject left = p.ws().request(new JsonObject().put("type", "queue.leave").put("conversationId", id));
        assertThat(type(left)).isEqualTo("conversation.closed");
        assertThat(left.getString("outcome")).isEqualTo("abandoned");
        assertThat(row("select outcome from conversation where id = $1", UUID.fromString(id)).getString(0)).isEqualTo("abandoned");
      }
    }
  }

  @Nested
  @DisplayName("bad input on the socket")
  class BadInput {
    @Test
    void malformed_unknown_oversized_and_foreign_frames_get_an_error_and_the_socket_stays_usable() {
      String queue = unique("bad");
      // the patient writes while waiting, which this queue allows
      c.createQueue(ChatFixtures.queue(queue, "pick").put("patientMayWriteWhileQueued", true));
      try (Patient p = c.anonymousPatient()) {
        p.ws().sendText("{not json");
        assertThat(p.ws().awaitType("error").getString("code")).isEqualTo("malformed_frame");
        assertThat(p.ws().request(new JsonObject().put("type", "teleport")).getString("code")).isEqualTo("unknown_type");
        assertThat(p.ws().request(new JsonObject().put("type", "message.send").put("conversationId", "not-a-uuid")
            .put("clientMsgId", "x").put("text", "hi")).getString("code")).isEqualTo("malformed_frame");
        p.ws().sendText(new JsonObject().put("type", "typing").put("pad", "x".repeat(9000)).encode());
        assertThat(p.ws().awaitType("error").getString("code")).isEqualTo("frame_too_large");
        String id = p.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
        assertThat(p.ws().request(send(id, "long", "x".repeat(4001))).getString("code")).isEqualTo("message_too_long");
        assertThat(p.ws().request(new JsonObject().put("type", "presence").put("status", "available")).getString("code")).isEqualTo("forbidden");
        assertThat(p.ws().request(send(id, "note", "sneaky").put("internal", true)).getString("code")).isEqualTo("forbidden");
        assertThat(row("select count(*) from message where conversation_id = $1", UUID.fromString(id)).getLong(0)).isZero();
        // still usable
        assertThat(type(p.ws().request(send(id, "ok", "Hei")))).isEqualTo("message.ack");
        assertThat(type(p.ws().request(new JsonObject().put("type", "ping")))).isEqualTo("pong");
      }
    }

    @Test
    void flooding_is_rate_limited() {
      try (Patient p = c.anonymousPatient()) {
        for (int i = 0; i < 40; i++) {
          p.ws().send(new JsonObject().put("type", "conversation.leave").put("conversationId", UUID.randomUUID().toString()));
        }
        assertThat(p.ws().await(fr -> "rate_limited".equals(fr.getString("code")))).isNotNull();
      }
    }

    @Test
    void writing_to_someone_else_s_conversation_is_refused_and_audited() {
      String queue = unique("foreign");
      c.createQueue(ChatFixtures.queue(queue, "pick"));
      try (Patient owner = c.anonymousPatient(); Patient other = c.anonymousPatient();
          Pro stranger = c.professional(unique("stranger"), "nurse", null)) {
        String id = owner.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
        assertThat(other.ws().request(send(id, "x", "hi")).getString("code")).isEqualTo("forbidden");
        assertThat(other.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", id)).getString("code"))
            .isEqualTo("forbidden");
        // a nurse who does not serve the queue may not open or take it
        assertThat(stranger.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", id)).getString("code"))
            .isEqualTo("forbidden");
        assertThat(stranger.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id)).getString("code"))
            .isEqualTo("forbidden");
        assertThat(t.get("/api/conversations/" + id + "/messages", stranger.token()).statusCode()).isEqualTo(403);
        Row audited = row("select count(*) filter (where actor_kind = 'patient') as patients,"
            + " count(*) filter (where actor_id = $2) as stranger from audit_event where patient_id = $1 and outcome = 'denied'",
            owner.id(), stranger.id());
        assertThat(audited.getLong("patients")).isEqualTo(2);
        assertThat(audited.getLong("stranger")).isEqualTo(3);
      }
    }

    @Test
    void a_socket_without_a_token_must_authenticate_first_and_a_foreign_origin_is_refused() {
      String token = t.post("/api/patient/session", null, null).bodyAsJsonObject().getString("accessToken");
      try (WsClient plain = WsClient.open(t, List.of("kanava.v1"), null)) {
        plain.send(new JsonObject().put("type", "auth").put("token", token));
        assertThat(plain.awaitType("ready").getJsonObject("you").getString("kind")).isEqualTo("patient");
      }
      try (WsClient plain = WsClient.open(t, List.of("kanava.v1"), null)) {
        plain.send(new JsonObject().put("type", "queues.watch"));
        assertThat(plain.awaitType("error").getString("code")).isEqualTo("unauthenticated");
        assertThat(plain.awaitClose()).isEqualTo((short) 4401);
      }
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> WsClient.open(t, List.of("kanava.v1", "kanava.auth.forged"), null))
          .hasMessageContaining("401");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> WsClient.open(t, List.of("kanava.v1", "kanava.auth." + token), "https://evil.example"))
          .hasMessageContaining("403");
    }
  }

  @Nested
  @DisplayName("routing")
  class RoutingRules {
    @Test
    void in_pick_mode_nurses_see_the_waiting_list_without_health_data_and_take_one() {
      String queue = unique("pick");
      try (Pro nurse = c.professional(unique("picker"), "nurse", "available")) {
        c.createQueue(ChatFixtures.queue(queue, "pick"), nurse.id());
        JsonObject list = nurse.ws().request(new JsonObject().put("type", "queues.watch"));
        assertThat(type(list)).isEqualTo("queue.waiting");
        try (Patient p = c.anonymousPatient()) {
          String id = p.ws().request(enter(queue, Map.of("breathing", false, "topic", "fever"))).getJsonObject("conversation").getString("id");
          JsonObject waiting = nurse.ws().await(fr -> type(fr).equals("queue.waiting") && !fr.getJsonArray("items").isEmpty());
          JsonObject item = waiting.getJsonArray("items").getJsonObject(0);
          assertThat(item.getString("conversationId")).isEqualTo(id);
          assertThat(item.getString("urgency")).isEqualTo("same_day");
          assertThat(item.encode()).doesNotContain("Kuume");
          assertThat(nurse.ws().all("conversation.offer")).isEmpty();

          JsonObject opened = nurse.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", id));
          assertThat(opened.getJsonObject("conversation").getJsonArray("triage").encode()).contains("Kuume");
          assertThat(row("select count(*) from audit_event where actor_id = $1 and outcome = 'allowed' and reason = 'queue_server_waiting'",
              nurse.id()).getLong(0)).isEqualTo(1);

          JsonObject taken = nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
          assertThat(taken.getJsonObject("conversation").getString("state")).isEqualTo("active");
          assertThat(p.ws().await(fr -> type(fr).equals("message") && "professional_joined".equals(fr.getString("code")))).isNotNull();
          JsonObject again = nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
          assertThat(again.getString("code")).isEqualTo("not_assigned");
        }
      }
    }

    @Test
    void an_offer_not_accepted_in_time_and_the_work_of_a_nurse_who_went_offline_go_back_to_the_queue() {
      String queue = unique("timeout");
      try (Pro slow = c.professional(unique("slow"), "nurse", "available"); Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "auto"), slow.id());
        String id = p.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
        slow.ws().awaitType("conversation.offer");
        // a reconnecting console gets the pending offer again
        try (WsClient reloaded = WsClient.connect(t, slow.token())) {
          assertThat(reloaded.awaitType("conversation.offer").getJsonObject("conversation").getString("id")).isEqualTo(id);
        }
        t.clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        TestApp.await(t.app.services().sweeper().sweep());
        // the offer is withdrawn, the nurse who let it lapse is set away, the patient waits on (nobody had joined)
        assertThat(slow.ws().awaitType("conversation.withdrawn").getString("reason")).isEqualTo("not_accepted");
        assertThat(slow.ws().await(fr -> type(fr).equals("presence") && fr.getString("ref") == null).getString("status")).isEqualTo("away");
        p.ws().await(fr -> type(fr).equals("conversation.state") && "queued".equals(fr.getJsonObject("conversation").getString("state")));
        assertThat(p.ws().all("message")).noneMatch(fr -> "returned_to_queue".equals(fr.getString("code")));
        // back at the desk: offered again, the same conversation at the head of the queue
        slow.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
        JsonObject second = slow.ws().await(fr -> type(fr).equals("conversation.offer"));
        assertThat(second.getJsonObject("conversation").getString("id")).isEqualTo(id);
        slow.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));

        // the nurse's socket goes away; after the grace the conversation returns to the queue
        var gone = new java.util.concurrent.CompletableFuture<Void>();
        TestApp.await(t.vertx.eventBus().<JsonObject>consumer(PresenceEvents.DISCONNECTED, msg -> {
          if (slow.id().toString().equals(msg.body().getString("accountId"))) {
            gone.complete(null);
          }
        }).completion());
        slow.ws().close();
        TestApp.await(io.vertx.core.Future.fromCompletionStage(gone));
        t.clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        TestApp.await(t.app.services().sweeper().sweep());
        assertThat(row("select state, requeue_count from conversation where id = $1", UUID.fromString(id)).getString("state")).isEqualTo("queued");
        // the patient had been talking with her: now they are told they are back in the queue
        p.ws().await(fr -> type(fr).equals("message") && "returned_to_queue".equals(fr.getString("code")));
        assertThat(row("select status from professional_presence where account_id = $1", slow.id()).getString(0)).isEqualTo("offline");
      }
    }

    @Test
    void a_patient_may_leave_while_the_conversation_is_only_offered_and_the_offer_is_withdrawn() {
      String queue = unique("leave-offer");
      try (Pro nurse = c.professional(unique("offered"), "nurse", "available"); Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "auto"), nurse.id());
        String id = p.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
        nurse.ws().awaitType("conversation.offer");
        JsonObject left = p.ws().request(new JsonObject().put("type", "queue.leave").put("conversationId", id));
        assertThat(left.getString("outcome")).isEqualTo("abandoned");
        assertThat(nurse.ws().awaitType("conversation.withdrawn").getString("reason")).isEqualTo("patient_left");
      }
    }

    @Test
    void an_idle_conversation_warns_the_patient_and_then_expires() {
      String queue = unique("idle");
      try (Pro nurse = c.professional(unique("idler"), "nurse", null); Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "pick"), nurse.id());
        String id = p.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
        nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
        t.clock.advance(Duration.ofMinutes(15).plusSeconds(1));
        TestApp.await(t.app.services().sweeper().sweep());
        assertThat(p.ws().awaitType("idle.warning").getString("conversationId")).isEqualTo(id);
        t.clock.advance(Duration.ofMinutes(5));
        TestApp.await(t.app.services().sweeper().sweep());
        assertThat(p.ws().awaitType("conversation.closed").getString("outcome")).isEqualTo("expired");
      }
    }
  }
}
