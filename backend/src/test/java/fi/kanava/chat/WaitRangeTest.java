package fi.kanava.chat;

import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.queue.Queues;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A waiting patient's estimate: a range, or no estimate when nobody can serve them")
class WaitRangeTest {
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

  private JsonObject entered(Patient patient) {
    JsonObject reply = patient.ws().request(enter("range").put("language", "fi"));
    assertThat(reply.getString("type")).as(reply.encode()).isEqualTo("queue.entered");
    return reply.getJsonObject("conversation");
  }

  private JsonObject current(Patient patient) {
    return t.get("/api/patient/conversations/current", patient.token()).bodyAsJsonObject();
  }

  @Test
  @DisplayName("Nobody available: no estimate; a nurse who has taken one: a range; the nurse steps away: no estimate again")
  void range_and_no_estimate() {
    try (Pro nurse = c.professional("nurse-range", "nurse", "away"); Patient first = c.anonymousPatient();
        Patient second = c.anonymousPatient()) {
      c.createQueue(ChatFixtures.queue("range", "auto"), nurse.id());
      TestApp.await(t.app.services().queues().setCapacity(nurse.id(), new Queues.Capacity(1)));

      // nobody available: the view says why there is no estimate, and has no range
      JsonObject alone = entered(first);
      assertThat(alone.getInteger("position")).isEqualTo(1);
      assertThat(alone.getString("noEstimateReason")).isEqualTo("nobody_available");
      assertThat(alone.containsKey("estimatedWaitLowSeconds")).isFalse();
      assertThat(alone.containsKey("estimatedWaitHighSeconds")).isFalse();

      // the nurse comes and is offered the first patient: one conversation taken, and she is now full
      nurse.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
      assertThat(nurse.ws().awaitType("conversation.offer").getJsonObject("conversation").getString("id")).isEqualTo(alone.getString("id"));
      t.clock.advance(Duration.ofMinutes(1));

      // the second patient waits for her: a range around position / (available × recent pace)
      JsonObject view = entered(second);
      assertThat(view.getInteger("position")).isEqualTo(1);
      assertThat(view.containsKey("noEstimateReason")).isFalse();
      long low = view.getLong("estimatedWaitLowSeconds");
      long high = view.getLong("estimatedWaitHighSeconds");
      assertThat(low).isPositive().isLessThan(view.getLong("estimatedWaitSeconds"));
      assertThat(high).isGreaterThan(view.getLong("estimatedWaitSeconds")).isLessThanOrEqualTo(4 * 3600);
      JsonObject pushed = second.ws().await(frame -> "queue.position".equals(frame.getString("type"))
          && frame.containsKey("estimatedWaitLowSeconds"));
      assertThat(pushed.getString("conversationId")).isEqualTo(view.getString("id"));
      assertThat(pushed.getLong("estimatedWaitHighSeconds")).isGreaterThan(pushed.getLong("estimatedWaitLowSeconds"));
      assertThat(current(second).getLong("estimatedWaitLowSeconds")).isPositive();

      // she steps away: the waiting patient is told at once that there is no estimate now
      nurse.ws().request(new JsonObject().put("type", "presence").put("status", "away"));
      JsonObject none = second.ws().await(frame -> "queue.position".equals(frame.getString("type"))
          && "nobody_available".equals(frame.getString("noEstimateReason")));
      assertThat(none.getInteger("position")).isEqualTo(1);
      assertThat(none.containsKey("estimatedWaitLowSeconds")).isFalse();
      JsonObject rest = current(second);
      assertThat(rest.getString("noEstimateReason")).isEqualTo("nobody_available");
      assertThat(rest.getValue("estimatedWaitLowSeconds")).isNull();
      assertThat(rest.getValue("estimatedWaitHighSeconds")).isNull();
    }
  }
}
