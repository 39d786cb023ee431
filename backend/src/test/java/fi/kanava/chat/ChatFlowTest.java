package fi.kanava.chat;

import fi.kanava.queue.Queues;
import static fi.kanava.support.ChatFixtures.enter;
import static fi.kanava.support.ChatFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Nurse chat over the WebSocket")
class ChatFlowTest {
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

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  private Row conversationRow(String id) {
    return t.row("select * from conversation where id = $1", UUID.fromString(id));
  }

  @Test
  void the_whole_flow_from_queue_to_closing() {
    try (Pro nurse = c.professional("nurse-a", "nurse", "available")) {
      c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
      nurse.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
      try (Patient patient = c.anonymousPatient()) {
        JsonObject entered = patient.ws().request(enter("nurse-chat", java.util.Map.of("breathing", false, "topic", "fever")));
        assertThat(type(entered)).as(entered.encode()).isEqualTo("queue.entered");
        JsonObject view = entered.getJsonObject("conversation");
        String id = view.getString("id");
        assertThat(view.getString("urgency")).isEqualTo("same_day");
        assertThat(view.containsKey("triage")).isFalse();

        // the nurse is offered the conversation with the triage summary, and accepts
        JsonObject offer = nurse.ws().awaitType("conversation.offer");
        assertThat(offer.getJsonObject("conversation").getString("id")).isEqualTo(id);
        assertThat(offer.getJsonObject("conversation").getJsonArray("triage").getJsonObject(1).getString("answer")).isEqualTo("Kuume");
        JsonObject accepted = nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
        assertThat(type(accepted)).as(accepted.encode()).isEqualTo("conversation.state");
        JsonObject active = patient.ws().await(fr -> type(fr).equals("conversation.state")
            && fr.getJsonObject("conversation").getString("acceptedAt") != null);
        assertThat(active.getJsonObject("conversation").getJsonObject("professional").getString("name")).isEqualTo("Test nurse-a");

        // messages both ways, acknowledged with sequence numbers after commit
        JsonObject ack = nurse.ws().request(send(id, "n1", "Hei, miten voin auttaa?"));
        assertThat(type(ack)).isEqualTo("message.ack");
        long nurseSeq = ack.getLong("seq");
        JsonObject atPatient = patient.ws().await(fr -> type(fr).equals("message") && "text".equals(fr.getString("kind")));
        assertThat(atPatient.getString("text")).isEqualTo("Hei, miten voin auttaa?");
        assertThat(atPatient.getLong("seq")).isEqualTo(nurseSeq);
        assertThat(atPatient.getJsonObject("sender").getString("role")).isEqualTo("nurse");

        patient.ws().send(new JsonObject().put("type", "typing").put("conversationId", id).put("typing", true));
        assertThat(nurse.ws().awaitType("typing").getString("who")).isEqualTo("patient");
        JsonObject patientAck = patient.ws().request(send(id, "p1", "Minulla on kuumetta."));
        assertThat(patientAck.getLong("seq")).isEqualTo(nurseSeq + 1);
        nurse.ws().await(fr -> type(fr).equals("message") && "Minulla on kuumetta.".equals(fr.getString("text")));
        nurse.ws().send(new JsonObject().put("type", "read").put("conversationId", id).put("seq", nurseSeq + 1));
        assertThat(patient.ws().awaitType("read").getLong("seq")).isEqualTo(nurseSeq + 1);
        // read positions survive a reload
        JsonObject current = t.get("/api/patient/conversations/current", patient.token()).bodyAsJsonObject();
        assertThat(current.getJsonObject("readUpTo").getLong("professional")).isEqualTo(nurseSeq + 1);

        // an internal note stays with professionals
        JsonObject noteAck = nurse.ws().request(send(id, "n2", "Kuume 4 pv, ohjaus vastaanotolle").put("internal", true));
        nurse.ws().await(fr -> type(fr).equals("message") && "note".equals(fr.getString("kind")));
        nurse.ws().request(send(id, "n3", "Varaan sinulle ajan."));
        patient.ws().await(fr -> type(fr).equals("message") && "Varaan sinulle ajan.".equals(fr.getString("text")));
        assertThat(patient.ws().all("message")).noneMatch(fr -> fr.getLong("seq").equals(noteAck.getLong("seq")));

        // the nurse closes with an outcome; both sides learn it
        JsonObject closed = nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id)
            .put("outcome", "appointment_booked"));
        assertThat(type(closed)).as(closed.encode()).isEqualTo("conversation.closed");
        assertThat(patient.ws().awaitType("conversation.closed").getString("outcome")).isEqualTo("appointment_booked");
        Row row = conversationRow(id);
        assertThat(row.getString("state")).isEqualTo("closed");
        assertThat(row.getString("outcome")).isEqualTo("appointment_booked");
        assertThat(row.getOffsetDateTime("first_response_at")).isNotNull();

        JsonObject late = patient.ws().request(send(id, "p2", "Vielä yksi asia"));
        assertThat(late.getString("code")).isEqualTo("conversation_closed");

        // the figures are in the metrics, labelled by queue, urgency and outcome but never by an id
        f.account("figures", "supervisor");
        String metrics = t.get("/metrics", f.accessToken("figures")).bodyAsString();
        assertThat(metrics).contains("kanava_queue_wait_seconds_bucket{queue=\"nurse-chat\",urgency=\"same_day\"")
            .contains("kanava_first_response_seconds_count{queue=\"nurse-chat\",urgency=\"same_day\"}")
            .contains("kanava_conversation_outcomes_total{outcome=\"appointment_booked\",queue=\"nurse-chat\"} 1.0")
            .contains("kanava_messages_total{kind=\"note\",sender=\"professional\"} 1.0")
            .contains("kanava_message_delivery_seconds_count");
        assertThat(metrics).doesNotContainPattern("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
      }
    }
  }

  @Test
  void one_nurse_handles_four_chats_at_once_and_the_fifth_waits_for_a_free_slot() {
    try (Pro nurse = c.professional("nurse-four", "nurse", null)) {
      c.createQueue(ChatFixtures.queue("four", "auto"), nurse.id());
      nurse.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
      List<Patient> patients = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      try {
        for (int i = 0; i < 5; i++) {
          Patient p = c.anonymousPatient();
          patients.add(p);
          ids.add(p.ws().request(enter("four")).getJsonObject("conversation").getString("id"));
        }
        List<String> offered = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          String id = nurse.ws().awaitType("conversation.offer").getJsonObject("conversation").getString("id");
          offered.add(id);
          nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
        }
        assertThat(offered).containsExactlyElementsOf(ids.subList(0, 4));
        // four chats side by side, each message in the right conversation
        for (int i = 0; i < 4; i++) {
          nurse.ws().request(send(ids.get(i), "m" + i, "Viesti " + i));
          String expected = "Viesti " + i;
          JsonObject got = patients.get(i).ws().await(fr -> type(fr).equals("message") && expected.equals(fr.getString("text")));
          assertThat(got.getString("conversationId")).isEqualTo(ids.get(i));
        }
        JsonObject position = patients.get(4).ws().await(fr -> type(fr).equals("queue.position") && fr.getInteger("position") == 1);
        assertThat(position.getString("conversationId")).isEqualTo(ids.get(4));
        assertThat(conversationRow(ids.get(4)).getString("state")).isEqualTo("queued");

        nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", ids.get(0)).put("outcome", "resolved"));
        String fifth = nurse.ws().awaitType("conversation.offer").getJsonObject("conversation").getString("id");
        assertThat(fifth).isEqualTo(ids.get(4));
      } finally {
        patients.forEach(Patient::close);
      }
    }
  }

  @Test
  void messages_sent_while_the_patient_is_away_arrive_once_and_in_order_after_reconnecting() {
    try (Pro nurse = c.professional("nurse-r", "nurse", null)) {
      c.createQueue(ChatFixtures.queue("resume", "pick"), nurse.id());
      Patient patient = c.anonymousPatient();
      String id = patient.ws().request(enter("resume")).getJsonObject("conversation").getString("id");
      JsonObject taken = nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
      assertThat(type(taken)).as(taken.encode()).isEqualTo("conversation.state");
      nurse.ws().request(send(id, "a", "yksi"));
      JsonObject first = patient.ws().await(fr -> type(fr).equals("message") && "yksi".equals(fr.getString("text")));
      long lastSeen = first.getLong("seq");
      patient.ws().close();

      for (String text : List.of("kaksi", "kolme", "neljä")) {
        nurse.ws().request(send(id, text, text));
      }
      nurse.ws().request(send(id, "note", "muistiinpano").put("internal", true));
      nurse.ws().request(send(id, "viisi", "viisi"));

      try (WsClient again = WsClient.connect(t, patient.token())) {
        again.send(new JsonObject().put("type", "conversation.open").put("conversationId", id).put("afterSeq", lastSeen));
        JsonObject synced = again.awaitType("conversation.synced");
        List<String> texts = again.all("message").stream().filter(fr -> "text".equals(fr.getString("kind")))
            .map(fr -> fr.getString("text")).toList();
        assertThat(texts).containsExactly("kaksi", "kolme", "neljä", "viisi");
        List<Long> seqs = again.all("message").stream().map(fr -> fr.getLong("seq")).toList();
        assertThat(seqs).isSorted().doesNotHaveDuplicates().allMatch(s -> s > lastSeen);
        assertThat(synced.getLong("lastSeq")).isEqualTo(seqs.get(seqs.size() - 1));

        nurse.ws().request(send(id, "kuusi", "kuusi"));
        again.await(fr -> type(fr).equals("message") && "kuusi".equals(fr.getString("text")));
        assertThat(again.all("message").stream().filter(fr -> "kuusi".equals(fr.getString("text")))).hasSize(1);
      }
    }
  }

  @Test
  void a_retried_send_is_acknowledged_again_without_a_duplicate() {
    try (Pro nurse = c.professional("nurse-i", "nurse", null)) {
      c.createQueue(ChatFixtures.queue("idem", "pick"), nurse.id());
      try (Patient patient = c.anonymousPatient()) {
        String id = patient.ws().request(enter("idem")).getJsonObject("conversation").getString("id");
        nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
        JsonObject first = patient.ws().request(send(id, "same-id", "Hei"));
        JsonObject retry = patient.ws().request(send(id, "same-id", "Hei"));
        assertThat(retry.getLong("seq")).isEqualTo(first.getLong("seq"));
        assertThat(t.row("select count(*) from message where conversation_id = $1 and client_msg_id = 'same-id'", UUID.fromString(id))
            .getLong(0)).isEqualTo(1);
        nurse.ws().request(send(id, "after", "Moi"));
        nurse.ws().await(fr -> type(fr).equals("message") && "Moi".equals(fr.getString("text")));
        assertThat(nurse.ws().all("message").stream().filter(fr -> "Hei".equals(fr.getString("text")))).hasSize(1);
      }
    }
  }

  @Test
  void many_simultaneous_takes_and_closes_do_not_exhaust_the_database_pool() {
    String queue = "burst-close";
    int count = 12; // three times the test pool's four connections
    try (Pro nurse = c.professional("closer", "nurse", null)) {
      c.createQueue(ChatFixtures.queue(queue, "pick"), nurse.id());
      TestApp.await(t.app.services().queues().setCapacity(nurse.id(), new Queues.Capacity(count)));
      List<Patient> patients = new java.util.ArrayList<>();
      List<String> ids = new java.util.ArrayList<>();
      try {
        for (int i = 0; i < count; i++) {
          Patient p = c.anonymousPatient();
          patients.add(p);
          ids.add(p.ws().request(enter(queue)).getJsonObject("conversation").getString("id"));
        }
        for (String id : ids) {
          nurse.ws().send(new JsonObject().put("type", "conversation.take").put("conversationId", id).put("ref", "take-" + id));
        }
        for (String id : ids) {
          assertThat(type(nurse.ws().await(fr -> ("take-" + id).equals(fr.getString("ref"))))).isEqualTo("conversation.state");
        }
        for (String id : ids) {
          nurse.ws().send(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "resolved")
              .put("ref", "close-" + id));
        }
        for (String id : ids) {
          assertThat(type(nurse.ws().await(fr -> ("close-" + id).equals(fr.getString("ref"))))).isEqualTo("conversation.closed");
        }
      } finally {
        patients.forEach(Patient::close);
      }
    }
  }
}
