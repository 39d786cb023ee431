package fi.kanava.chat;

import static fi.kanava.support.ChatFixtures.enter;
import static fi.kanava.support.ChatFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("The patient ends the chat, and finds it again after a reload")
class PatientEndTest {
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

  private static JsonObject end(String id) {
    return new JsonObject().put("type", "conversation.end").put("conversationId", id);
  }

  /** A patient in a chat the nurse has accepted; returns the conversation id. */
  private String joined(Pro nurse, Patient patient) {
    String id = patient.ws().request(enter("nurse-chat")).getJsonObject("conversation").getString("id");
    nurse.ws().awaitType("conversation.offer");
    JsonObject accepted = nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
    assertThat(type(accepted)).as(accepted.encode()).isEqualTo("conversation.state");
    return id;
  }

  @Nested
  @DisplayName("conversation.end")
  class End {
    @Test
    @DisplayName("after the nurse joined: closed as ended_by_patient, the nurse told at once, and a retry answered again")
    void ends_a_joined_chat() {
      try (Pro nurse = c.professional("nurse-a", "nurse", "available")) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
        try (Patient patient = c.anonymousPatient()) {
          String id = joined(nurse, patient);
          patient.ws().request(send(id, "p1", "Kiitos, tämä riitti."));

          JsonObject reply = patient.ws().request(end(id));
          assertThat(type(reply)).as(reply.encode()).isEqualTo("conversation.closed");
          assertThat(reply.getString("outcome")).isEqualTo("ended_by_patient");
          assertThat(nurse.ws().awaitType("conversation.closed").getString("outcome")).isEqualTo("ended_by_patient");
          assertThat(nurse.ws().await(fr -> type(fr).equals("conversation.state")
              && "closed".equals(fr.getJsonObject("conversation").getString("state")))
              .getJsonObject("conversation").getString("outcome")).isEqualTo("ended_by_patient");
          assertThat(t.row("select outcome from conversation where id = $1", UUID.fromString(id)).getString(0))
              .isEqualTo("ended_by_patient");

          JsonObject retry = patient.ws().request(end(id));
          assertThat(type(retry)).as(retry.encode()).isEqualTo("conversation.closed");
          assertThat(retry.getString("outcome")).isEqualTo("ended_by_patient");

          f.account("figures", "supervisor");
          String metrics = t.get("/metrics", f.accessToken("figures")).bodyAsString();
          assertThat(metrics).contains("kanava_conversation_outcomes_total{outcome=\"ended_by_patient\",queue=\"nurse-chat\"} 1.0");
        }
      }
    }

    @Test
    @DisplayName("while waiting: closed as leaving the queue is (abandoned)")
    void ending_while_waiting_is_leaving() {
      try (Pro nurse = c.professional("nurse-a", "nurse", "away")) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
        try (Patient patient = c.anonymousPatient()) {
          String id = patient.ws().request(enter("nurse-chat")).getJsonObject("conversation").getString("id");
          JsonObject reply = patient.ws().request(end(id));
          assertThat(reply.getString("outcome")).as(reply.encode()).isEqualTo("abandoned");
        }
      }
    }

    @Test
    @DisplayName("someone else's is forbidden (audited), and one the nurse closed is conversation_closed")
    void refusals() {
      try (Pro nurse = c.professional("nurse-a", "nurse", "available")) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
        try (Patient patient = c.anonymousPatient(); Patient other = c.anonymousPatient()) {
          String id = joined(nurse, patient);
          JsonObject foreign = other.ws().request(end(id));
          assertThat(foreign.getString("code")).as(foreign.encode()).isEqualTo("forbidden");
          // like every refusal, audited about the conversation's patient
          assertThat(t.rows("select 1 from audit_event where actor_id = $1 and resource_id = $2 and purpose = 'end'"
              + " and outcome = 'denied' and patient_id = $3", other.id(), id, patient.id())).hasSize(1);

          nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "resolved"));
          JsonObject late = patient.ws().request(end(id));
          assertThat(late.getString("code")).as(late.encode()).isEqualTo("conversation_closed");
        }
      }
    }
  }

  @Nested
  @DisplayName("GET /api/patient/conversations/latest")
  class Latest {
    @Test
    @DisplayName("gives the patient their own closed conversation with the detail and its messages, never another session's")
    void own_closed_conversation() {
      try (Pro nurse = c.professional("nurse-a", "nurse", "available")) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
        try (Patient patient = c.anonymousPatient(); Patient other = c.anonymousPatient()) {
          assertThat(t.get("/api/patient/conversations/latest", patient.token()).statusCode()).isEqualTo(204);
          String id = joined(nurse, patient);
          nurse.ws().request(send(id, "n1", "Ohjaan sinut fysioterapeutille."));
          nurse.ws().request(send(id, "n2", "Sisäinen muistiinpano").put("internal", true));
          nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id)
              .put("outcome", "referred").put("detail", "Fysioterapia, Inarin terveysasema"));
          // the detail the nurse wrote reaches the patient at once, in the closed view
          JsonObject closedView = patient.ws().await(fr -> type(fr).equals("conversation.state")
              && "closed".equals(fr.getJsonObject("conversation").getString("state"))).getJsonObject("conversation");
          assertThat(closedView.getString("outcomeDetail")).isEqualTo("Fysioterapia, Inarin terveysasema");

          JsonObject latest = t.get("/api/patient/conversations/latest", patient.token()).bodyAsJsonObject();
          assertThat(latest.getString("id")).isEqualTo(id);
          assertThat(latest.getString("state")).isEqualTo("closed");
          assertThat(latest.getString("outcomeDetail")).isEqualTo("Fysioterapia, Inarin terveysasema");
          assertThat(latest.containsKey("triage")).isFalse();
          assertThat(t.get("/api/patient/conversations/current", patient.token()).statusCode()).isEqualTo(204);

          JsonArray messages = t.get("/api/conversations/" + id + "/messages", patient.token()).bodyAsJsonArray();
          assertThat(messages.encode()).contains("Ohjaan sinut fysioterapeutille.").doesNotContain("Sisäinen muistiinpano");

          assertThat(t.get("/api/patient/conversations/latest", other.token()).statusCode()).isEqualTo(204);
          assertThat(t.get("/api/conversations/" + id + "/messages", other.token()).statusCode()).isEqualTo(403);
          assertThat(t.get("/api/patient/conversations/latest", nurse.token()).statusCode()).isEqualTo(403);
        }
      }
    }
  }

  @Nested
  @DisplayName("Writing while queued")
  class WritingWhileQueued {
    @Test
    @DisplayName("a queue that allows it stores and acks the message, and the nurse sees it on accepting")
    void allowed() {
      try (Pro nurse = c.professional("nurse-a", "nurse", "away")) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto").put("patientMayWriteWhileQueued", true), nurse.id());
        assertThat(t.get("/api/queues", nurse.token()).bodyAsJsonArray().getJsonObject(0).getBoolean("patientMayWriteWhileQueued"))
            .isTrue();
        try (Patient patient = c.anonymousPatient()) {
          String id = patient.ws().request(enter("nurse-chat")).getJsonObject("conversation").getString("id");
          JsonObject ack = patient.ws().request(send(id, "q1", "Kuumetta on ollut kolme päivää."));
          assertThat(type(ack)).as(ack.encode()).isEqualTo("message.ack");

          nurse.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
          nurse.ws().awaitType("conversation.offer");
          nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
          JsonObject seen = nurse.ws().await(fr -> type(fr).equals("message") && "text".equals(fr.getString("kind")));
          assertThat(seen.getString("text")).isEqualTo("Kuumetta on ollut kolme päivää.");
          assertThat(seen.getLong("seq")).isEqualTo(ack.getLong("seq"));
        }
      }
    }

    @Test
    @DisplayName("a queue that does not (the default) refuses with not_joined and stores nothing, until the nurse joins")
    void refused_by_default() {
      try (Pro nurse = c.professional("nurse-a", "nurse", "away")) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
        try (Patient patient = c.anonymousPatient()) {
          String id = patient.ws().request(enter("nurse-chat")).getJsonObject("conversation").getString("id");
          JsonObject refused = patient.ws().request(send(id, "q1", "Kuumetta."));
          assertThat(refused.getString("code")).as(refused.encode()).isEqualTo("not_joined");
          assertThat(t.rows("select 1 from message where conversation_id = $1 and kind = 'text'", UUID.fromString(id))).isEmpty();

          nurse.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
          nurse.ws().awaitType("conversation.offer");
          nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
          assertThat(type(patient.ws().request(send(id, "q2", "Kuumetta.")))).isEqualTo("message.ack");
        }
      }
    }
  }
}
