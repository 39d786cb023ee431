package fi.kanava.chat;

import fi.kanava.queue.Queues;
import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.auth.Accounts;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Routing without head-of-line blocking")
class HeadOfLineRoutingTest {
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

  /** A nurse who speaks only the given languages, connected (and away until she says otherwise). */
  private Pro nurse(String username, String... languages) {
    JsonObject body = new JsonObject().put("username", username).put("password", Fixtures.PASSWORD).put("displayName", "Test " + username)
        .put("role", "nurse").put("organisationId", Fixtures.ORG).put("languages", new JsonArray(List.of(languages)));
    JsonObject created = TestApp.await(t.app.services().accounts().create(Fixtures.decode(body, Accounts.NewAccount.class)));
    String token = f.accessToken(username);
    return new Pro(UUID.fromString(created.getString("id")), token, WsClient.connect(t, token));
  }

  private JsonObject entered(Patient patient, String language) {
    JsonObject reply = patient.ws().request(enter("hol").put("language", language));
    assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("queue.entered");
    return reply.getJsonObject("conversation");
  }

  private String metrics() {
    TestApp.await(t.app.services().sweeper().sweep());
    return t.get("/metrics", f.accessToken("figures")).bodyAsString();
  }

  @Test
  @DisplayName("A Swedish patient nobody available can serve does not hold up the Finnish patients behind her")
  void a_patient_nobody_available_speaks_to_does_not_block_those_behind() {
    f.account("figures", "supervisor");
    List<Patient> patients = new ArrayList<>();
    try (Pro finnish = nurse("nurse-fi", "fi"); Pro swedish = nurse("nurse-sv", "sv")) {
      c.createQueue(ChatFixtures.queue("hol", "auto"), finnish.id(), swedish.id());
      TestApp.await(t.app.services().queues().setCapacity(finnish.id(), new Queues.Capacity(2)));
      for (int i = 0; i < 3; i++) {
        patients.add(c.anonymousPatient());
      }
      // the Swedish patient is at the head; each entry is a minute after the one before
      JsonObject sv = entered(patients.get(0), "sv");
      t.clock.advance(Duration.ofMinutes(1));
      JsonObject fi1 = entered(patients.get(1), "fi");
      t.clock.advance(Duration.ofMinutes(1));
      JsonObject fi2 = entered(patients.get(2), "fi");
      // positions count only those ahead who wait for the same professionals (the same language)
      assertThat(sv.getInteger("position")).isEqualTo(1);
      assertThat(fi1.getInteger("position")).isEqualTo(1);
      assertThat(fi2.getInteger("position")).isEqualTo(2);

      // the Finnish nurse comes: both Finnish patients are offered to her at once, in their order
      finnish.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
      assertThat(finnish.ws().awaitType("conversation.offer").getJsonObject("conversation").getString("id")).isEqualTo(fi1.getString("id"));
      assertThat(finnish.ws().awaitType("conversation.offer").getJsonObject("conversation").getString("id")).isEqualTo(fi2.getString("id"));
      assertThat(t.row("select state from conversation where id = $1", UUID.fromString(sv.getString("id"))).getString(0)).isEqualTo("queued");
      // nobody available speaks Swedish: no estimate, and why (not the Finnish pace)
      JsonObject waiting = t.get("/api/patient/conversations/current", patients.get(0).token()).bodyAsJsonObject();
      assertThat(waiting.getInteger("position")).isEqualTo(1);
      assertThat(waiting.getValue("estimatedWaitSeconds")).isNull();
      assertThat(waiting.getString("noEstimateReason")).isEqualTo("nobody_available");

      // the Swedish patient waits, counted as language demand nobody available meets
      String before = metrics();
      assertThat(before).contains("kanava_queue_language_unserved{language=\"sv\"} 1.0")
          .contains("kanava_queue_language_unserved{language=\"fi\"} 0.0");
      assertThat(before).doesNotContainPattern("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

      // the Swedish nurse comes and gets the Swedish patient; the Finnish nurse was never offered her
      swedish.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
      assertThat(swedish.ws().awaitType("conversation.offer").getJsonObject("conversation").getString("id")).isEqualTo(sv.getString("id"));
      assertThat(finnish.ws().all("conversation.offer")).hasSize(2);
      assertThat(metrics()).contains("kanava_queue_language_unserved{language=\"sv\"} 0.0");
    } finally {
      patients.forEach(Patient::close);
    }
  }
}
