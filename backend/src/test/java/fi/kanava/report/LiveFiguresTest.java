package fi.kanava.report;

import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Live figures: a supervisor's snapshot per queue, pushed when it changes, for figure readers only")
class LiveFiguresTest {
  TestApp t;
  Fixtures f;
  ChatFixtures c;

  @BeforeEach
  void start() {
    t = TestApp.start();
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
  }

  @AfterEach
  void stop() {
    t.close();
  }

  private static JsonObject queue(JsonObject figures, String id) {
    return figures.getJsonArray("queues").stream().map(JsonObject.class::cast).filter(q -> id.equals(q.getString("queueId")))
        .findFirst().orElseThrow(() -> new AssertionError("no queue " + id + " in " + figures.encode()));
  }

  /** The next pushed figures whose queue {@code id} matches. */
  private static JsonObject pushed(WsClient ws, String id, Predicate<JsonObject> match) {
    return queue(ws.await(frame -> "figures.live".equals(frame.getString("type")) && frame.getString("ref") == null
        && match.test(queue(frame, id))), id);
  }

  @Test
  @DisplayName("waiting, oldest wait, available, active and today's NPS are pushed as a chat goes through, without a message or a person")
  void figures_follow_a_chat() {
    f.account("live-supervisor", "supervisor");
    String token = f.accessToken("live-supervisor");
    try (Pro nurse = c.professional("live-nurse", "nurse", "away"); WsClient sup = WsClient.connect(t, token)) {
      c.createQueue(ChatFixtures.queue("live-chat", "pick"), nurse.id());
      JsonObject first = sup.request(new JsonObject().put("type", "figures.watch"));
      assertThat(first.getString("type")).as(first.encode()).isEqualTo("figures.live");
      JsonObject q = queue(first, "live-chat");
      assertThat(q.getInteger("waiting")).isZero();
      assertThat(q.getInteger("available")).isZero();
      assertThat(q.getInteger("responses")).isZero();
      assertThat(q.getValue("nps")).isNull();
      assertThat(q.getString("timeZone")).isEqualTo("Europe/Helsinki");

      nurse.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
      pushed(sup, "live-chat", x -> x.getInteger("available") == 1);

      try (Patient patient = c.anonymousPatient()) {
        Instant entered = t.clock.instant();
        String id = patient.ws().request(enter("live-chat")).getJsonObject("conversation").getString("id");
        JsonObject waiting = pushed(sup, "live-chat", x -> x.getInteger("waiting") == 1);
        assertThat(Instant.parse(waiting.getString("oldestSince"))).isEqualTo(entered);

        t.clock.advance(Duration.ofSeconds(20));
        JsonObject took = nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
        assertThat(took.getString("type")).as(took.encode()).isNotEqualTo("error");
        JsonObject taken = pushed(sup, "live-chat", x -> x.getInteger("active") == 1);
        assertThat(taken.getInteger("waiting")).isZero();
        assertThat(taken.getValue("oldestSince")).isNull();

        nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "resolved"));
        pushed(sup, "live-chat", x -> x.getInteger("active") == 0);
        JsonObject recorded = patient.ws().request(new JsonObject().put("type", "feedback.submit").put("conversationId", id).put("score", 10));
        assertThat(recorded.getString("type")).as(recorded.encode()).isEqualTo("feedback.recorded");
        JsonObject answered = pushed(sup, "live-chat", x -> x.getInteger("responses") == 1);
        assertThat(answered.getDouble("nps")).isEqualTo(100.0);
        assertThat(answered.getInteger("promoters")).isEqualTo(1);
      }
      // counts only: no conversation, patient or professional appears in any pushed frame
      String everything = sup.received().toString();
      assertThat(everything).doesNotContain(nurse.id().toString()).doesNotContain("live-nurse").doesNotContain("conversationId");

      // the REST snapshot says the same; tomorrow (Helsinki time) today's NPS starts again
      JsonObject rest = t.get("/api/supervisor/live", token).bodyAsJsonObject();
      assertThat(queue(rest, "live-chat").getInteger("responses")).isEqualTo(1);
      assertThat(rest.containsKey("type")).isFalse();
      t.clock.advance(Duration.ofDays(1));
      JsonObject tomorrow = queue(t.get("/api/supervisor/live", f.accessToken("live-supervisor")).bodyAsJsonObject(), "live-chat");
      assertThat(tomorrow.getInteger("responses")).isZero();
      assertThat(tomorrow.getValue("nps")).isNull();
    }
  }

  @Test
  @DisplayName("a supervisor sees the queues of their own organisation only, and an archived queue only while something in it waits")
  void scope_and_archived_queues() {
    f.account("live-sup-scope", "supervisor");
    c.createQueue(ChatFixtures.queue("own-queue", "pick"));
    c.createQueue(ChatFixtures.queue("old-queue", "pick"));
    TestApp.await(t.app.services().queues().create(Fixtures.decode(ChatFixtures.queue("other-queue", "pick"),
        fi.kanava.queue.QueueSettings.Request.class).validate(null), Fixtures.PARTNER_ORG));
    t.rows("update queue set archived_at = $1 where id = 'old-queue'", java.time.OffsetDateTime.now());
    JsonObject live = t.get("/api/supervisor/live", f.accessToken("live-sup-scope")).bodyAsJsonObject();
    assertThat(live.getJsonArray("queues").stream().map(q -> ((JsonObject) q).getString("queueId")).toList()).containsExactly("own-queue");
  }

  @Test
  @DisplayName("a nurse may neither watch nor read the figures, and the refusal of the read is audited")
  void nurses_are_refused() {
    try (Pro nurse = c.professional("live-nurse2", "nurse", "available")) {
      JsonObject refused = nurse.ws().request(new JsonObject().put("type", "figures.watch"));
      assertThat(refused.getString("code")).as(refused.encode()).isEqualTo("forbidden");
      assertThat(t.get("/api/supervisor/live", nurse.token()).statusCode()).isEqualTo(403);
      assertThat(t.row("select count(*) from audit_event where actor_id = $1 and purpose = 'live_figures' and outcome = 'denied'",
          nurse.id()).getLong(0)).isEqualTo(1);
      assertThat(t.get("/api/supervisor/live", null).statusCode()).isEqualTo(401);
    }
  }
}
