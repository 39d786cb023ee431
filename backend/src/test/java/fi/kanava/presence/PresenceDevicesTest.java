package fi.kanava.presence;

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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Presence per device, and declining an offer")
class PresenceDevicesTest {
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

  private static JsonObject presence(String status) {
    return new JsonObject().put("type", "presence").put("status", status);
  }

  private String state(String conversationId) {
    return t.row("select state from conversation where id = $1", UUID.fromString(conversationId)).getString(0);
  }

  @Nested
  @DisplayName("a professional signed in on two devices")
  class TwoDevices {
    @Test
    @DisplayName("going offline on one keeps the conversations while the other is online, and both see the status")
    void offline_on_one_device_keeps_the_work() {
      try (Pro desk = c.professional("two-devices", "nurse", "available"); Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue("devices", "pick"), desk.id());
        try (WsClient phone = WsClient.connect(t, desk.token())) {
          String id = p.ws().request(enter("devices")).getJsonObject("conversation").getString("id");
          desk.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));

          JsonObject reply = phone.request(presence("offline"));
          // the desk is still available, so the account is
          assertThat(reply.getString("status")).isEqualTo("available");
          assertThat(state(id)).isEqualTo("active");
          assertThat(p.ws().all("message")).noneMatch(fr -> "returned_to_queue".equals(fr.getString("code")));

          // a change on one device reaches the other, unasked
          desk.ws().request(presence("busy"));
          JsonObject seen = phone.await(fr -> "presence".equals(fr.getString("type")) && fr.getString("ref") == null);
          assertThat(seen.getString("status")).isEqualTo("busy");

          // offline on the last device too: now the work goes back
          JsonObject last = desk.ws().request(presence("offline"));
          assertThat(last.getString("status")).isEqualTo("offline");
          assertThat(state(id)).isEqualTo("queued");
          p.ws().await(fr -> "message".equals(fr.getString("type")) && "returned_to_queue".equals(fr.getString("code")));
        }
      }
    }

    @Test
    @DisplayName("when one device's socket closes, the account takes the status of the devices left, and they are told")
    void a_closed_device_no_longer_counts() {
      try (Pro desk = c.professional("closing-device", "nurse", "away")) {
        WsClient phone = WsClient.connect(t, desk.token());
        phone.request(presence("available"));
        assertThat(desk.ws().await(fr -> "presence".equals(fr.getString("type")) && fr.getString("ref") == null).getString("status"))
            .isEqualTo("available");
        phone.close();
        // with the phone gone, away (the desk's) is the most available device left
        assertThat(desk.ws().await(fr -> "presence".equals(fr.getString("type")) && fr.getString("ref") == null
            && "away".equals(fr.getString("status")))).isNotNull();
        assertThat(t.row("select status from professional_presence where account_id = $1", desk.id()).getString(0)).isEqualTo("away");
      }
    }
  }

  @Nested
  @DisplayName("declining an offer")
  class Declining {
    @Test
    @DisplayName("returns the conversation to the queue without setting the professional away, and it goes to someone else")
    void decline_keeps_the_status_and_offers_it_elsewhere() {
      try (Pro first = c.professional("decliner", "nurse", "available"); Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue("decline", "auto"), first.id());
        String id = p.ws().request(enter("decline")).getJsonObject("conversation").getString("id");
        assertThat(first.ws().awaitType("conversation.offer").getJsonObject("conversation").getString("id")).isEqualTo(id);

        JsonObject declined = first.ws().request(new JsonObject().put("type", "offer.decline").put("conversationId", id)
            .put("reason", "Ruotsinkielinen asia"));
        assertThat(declined.getString("type")).isEqualTo("offer.declined");
        assertThat(state(id)).isEqualTo("queued");
        assertThat(t.row("select status from professional_presence where account_id = $1", first.id()).getString(0)).isEqualTo("available");
        // the reason stays for the next professional as an internal note; the patient never gets it
        assertThat(t.row("select kind, body from message where conversation_id = $1 and sender_id = $2", UUID.fromString(id), first.id())
            .getString("body")).isEqualTo("Ruotsinkielinen asia");
        assertThat(p.ws().all("message")).noneMatch(fr -> "Ruotsinkielinen asia".equals(fr.getString("text")));
        // declining again, now that it waits, is refused and changes nothing
        JsonObject again = first.ws().request(new JsonObject().put("type", "offer.decline").put("conversationId", id));
        assertThat(again.getString("code")).isEqualTo("not_assigned");
        // not offered to the same nurse again, though she is the only one available
        TestApp.await(t.app.services().sweeper().sweep());
        assertThat(first.ws().all("conversation.offer")).hasSize(1);
        assertThat(state(id)).isEqualTo("queued");

        // a colleague who comes available gets it
        try (Pro second = c.professional("colleague", "nurse", null)) {
          TestApp.await(t.app.services().queues().setMembers("decline",
              new fi.kanava.queue.Queues.Members(List.of(first.id(), second.id()))));
          second.ws().request(presence("available"));
          assertThat(second.ws().awaitType("conversation.offer").getJsonObject("conversation").getString("id")).isEqualTo(id);
        }
      }
    }

    @Test
    @DisplayName("an offer made to a colleague cannot be declined: refused, audited, and nothing changes")
    void declining_someone_elses_offer_is_refused() {
      try (Pro nurse = c.professional("offered-one", "nurse", "available"); Pro other = c.professional("not-offered", "nurse", "busy");
          Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue("decline-other", "auto"), nurse.id(), other.id());
        String id = p.ws().request(enter("decline-other")).getJsonObject("conversation").getString("id");
        nurse.ws().awaitType("conversation.offer");
        JsonObject refused = other.ws().request(new JsonObject().put("type", "offer.decline").put("conversationId", id));
        // she may not read it (it is her colleague's now): refused like any access she has no right to, and audited
        assertThat(refused.getString("code")).isEqualTo("forbidden");
        assertThat(state(id)).isEqualTo("active");
        assertThat(t.row("select count(*) from audit_event where actor_id = $1 and outcome = 'denied' and resource_id = $2",
            other.id(), id).getLong(0)).isEqualTo(1);
      }
    }

    @Test
    @DisplayName("only a lapsed offer sets the professional away, and the console is told")
    void a_lapsed_offer_sets_away() {
      try (Pro nurse = c.professional("lapser", "nurse", "available"); Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue("lapse", "auto"), nurse.id());
        p.ws().request(enter("lapse"));
        nurse.ws().awaitType("conversation.offer");
        t.clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        TestApp.await(t.app.services().sweeper().sweep());
        assertThat(nurse.ws().awaitType("conversation.withdrawn").getString("reason")).isEqualTo("not_accepted");
        assertThat(nurse.ws().await(fr -> "presence".equals(fr.getString("type")) && fr.getString("ref") == null).getString("status"))
            .isEqualTo("away");
      }
    }
  }
}
