package fi.kanava.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.ClusterNodes;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two Kanava nodes clustered over loopback (Hazelcast, TCP/IP join), each with its own HTTP port,
 * on one database: what a socket on one node does reaches the sockets on the other through the
 * clustered event bus alone. Revocations are read from the database only every four minutes here, so a
 * socket ended on the other node was ended by the bus.
 */
@DisplayName("Cluster: two nodes share chat, offers, waiting lists, races and revocations, and a stopping node's clients resume on another")
class ClusterTest {
  private static TestApp a;
  private static TestApp b;
  private static Fixtures f;
  private static ChatFixtures onA;
  private static ChatFixtures onB;
  private static int hzA;
  private static int hzB;

  @BeforeAll
  static void start() {
    hzA = ClusterNodes.freePort();
    hzB = ClusterNodes.freePort();
    List<String> members = List.of("127.0.0.1:" + hzA, "127.0.0.1:" + hzB);
    Map<String, String> settings = new HashMap<>(ClusterNodes.member(hzA, hzA, members));
    settings.put("auth.revocation-check-interval", "PT4M");
    settings.put("ws.rate-limit-burst", "100");
    a = TestApp.start(settings);
    b = a.anotherNode(ClusterNodes.member(hzB, hzB, members));
    ClusterNodes.Watch.watch(a).awaitMembers(2);
    f = new Fixtures(a).organisations();
    onA = new ChatFixtures(a, f);
    onB = new ChatFixtures(b, f);
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  @Test
  void a_patient_on_one_node_and_a_nurse_on_the_other_are_offered_chat_and_type_to_each_other() {
    try (Pro nurse = onB.professional("cl-nurse", "nurse", null)) {
      onA.createQueue(ChatFixtures.queue("cl-chat", "auto"), nurse.id());
      nurse.ws().request(ChatFixtures.presence("available"));
      try (Patient patient = onA.anonymousPatient()) {
        String id = patient.ws().request(ChatFixtures.enter("cl-chat")).getJsonObject("conversation").getString("id");

        // node A made the offer; it reaches the nurse's socket on node B
        JsonObject offer = nurse.ws().awaitType("conversation.offer");
        assertThat(offer.getJsonObject("conversation").getString("id")).isEqualTo(id);
        assertThat(type(nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id))))
            .isEqualTo("conversation.state");
        patient.ws().await(fr -> type(fr).equals("conversation.state") && fr.getJsonObject("conversation").getString("acceptedAt") != null);

        // B to A
        long nurseSeq = nurse.ws().request(ChatFixtures.send(id, "n1", "Hei, miten voin auttaa?")).getLong("seq");
        JsonObject atPatient = patient.ws().await(fr -> type(fr).equals("message") && "Hei, miten voin auttaa?".equals(fr.getString("text")));
        assertThat(atPatient.getLong("seq")).isEqualTo(nurseSeq);
        // A to B
        long patientSeq = patient.ws().request(ChatFixtures.send(id, "p1", "Kuumetta on.")).getLong("seq");
        assertThat(nurse.ws().await(fr -> type(fr).equals("message") && "Kuumetta on.".equals(fr.getString("text"))).getLong("seq"))
            .isEqualTo(patientSeq);
        // typing and reading, both ways
        patient.ws().send(new JsonObject().put("type", "typing").put("conversationId", id).put("typing", true));
        assertThat(nurse.ws().awaitType("typing").getString("who")).isEqualTo("patient");
        nurse.ws().send(new JsonObject().put("type", "typing").put("conversationId", id).put("typing", true));
        assertThat(patient.ws().awaitType("typing").getString("who")).isEqualTo("professional");
        nurse.ws().send(new JsonObject().put("type", "read").put("conversationId", id).put("seq", patientSeq));
        assertThat(patient.ws().awaitType("read").getLong("seq")).isEqualTo(patientSeq);

        // each message reached the other side once
        assertThat(patient.ws().all("message").stream().filter(fr -> "n1".equals(fr.getString("clientMsgId"))
            || "Hei, miten voin auttaa?".equals(fr.getString("text")))).hasSize(1);
        assertThat(nurse.ws().all("message").stream().filter(fr -> "Kuumetta on.".equals(fr.getString("text")))).hasSize(1);
      }
    }
  }

  @Test
  void two_nurses_on_different_nodes_see_the_waiting_list_and_race_for_one_patient_and_only_one_wins() {
    try (Pro onNodeA = onA.professional("cl-race-a", "nurse", null); Pro onNodeB = onB.professional("cl-race-b", "nurse", null)) {
      onA.createQueue(ChatFixtures.queue("cl-race", "pick"), onNodeA.id(), onNodeB.id());
      assertThat(type(onNodeA.ws().request(new JsonObject().put("type", "queues.watch")))).isEqualTo("queue.waiting");
      assertThat(type(onNodeB.ws().request(new JsonObject().put("type", "queues.watch")))).isEqualTo("queue.waiting");
      try (Patient patient = onB.anonymousPatient()) {
        String id = patient.ws().request(ChatFixtures.enter("cl-race")).getJsonObject("conversation").getString("id");
        // the waiting list changed on node B; both nurses' lists show the patient
        onNodeA.ws().await(fr -> type(fr).equals("queue.waiting") && fr.encode().contains(id));
        onNodeB.ws().await(fr -> type(fr).equals("queue.waiting") && fr.encode().contains(id));

        onNodeA.ws().send(new JsonObject().put("type", "conversation.take").put("conversationId", id).put("ref", "take-a"));
        onNodeB.ws().send(new JsonObject().put("type", "conversation.take").put("conversationId", id).put("ref", "take-b"));
        JsonObject fromA = onNodeA.ws().await(fr -> "take-a".equals(fr.getString("ref")));
        JsonObject fromB = onNodeB.ws().await(fr -> "take-b".equals(fr.getString("ref")));
        List<JsonObject> won = List.of(fromA, fromB).stream().filter(fr -> type(fr).equals("conversation.state")).toList();
        assertThat(won).as(fromA.encode() + " / " + fromB.encode()).hasSize(1);
        assertThat(List.of(type(fromA), type(fromB))).contains("error");
        Pro winner = won.get(0) == fromA ? onNodeA : onNodeB;
        assertThat(a.row("select assigned_to from conversation where id = $1", UUID.fromString(id)).getUUID(0)).isEqualTo(winner.id());
      }
    }
  }

  @Test
  void disabling_an_account_through_one_node_closes_its_socket_on_the_other_at_once() {
    f.account("cl-admin", "admin");
    String admin = f.accessToken("cl-admin");
    try (Pro nurse = onB.professional("cl-disabled", "nurse", null)) {
      assertThat(a.post("/api/admin/accounts/" + nurse.id() + "/disable", admin, null).statusCode()).isEqualTo(200);
      // node B reads revocations from the database every four minutes here: the clustered bus carried this
      assertThat(nurse.ws().awaitType("error").getString("code")).isEqualTo("account_disabled");
      assertThat(nurse.ws().awaitClose()).isEqualTo((short) 4401);
    }
  }

  @Test
  void when_a_node_stops_its_patient_resumes_on_another_with_nothing_lost_or_repeated() {
    int hzC = ClusterNodes.freePort();
    List<String> members = List.of("127.0.0.1:" + hzA, "127.0.0.1:" + hzB, "127.0.0.1:" + hzC);
    TestApp c = a.anotherNode(ClusterNodes.member(hzC, hzC, members));
    boolean stopped = false;
    try (Pro nurse = onB.professional("cl-stop-nurse", "nurse", null)) {
      onA.createQueue(ChatFixtures.queue("cl-stop", "pick"), nurse.id());
      String token = c.post("/api/patient/session", null, null).bodyAsJsonObject().getString("accessToken");
      // the patient's client lives on node B's Vert.x but talks to node C, as a browser behind a load balancer would
      WsClient onC = WsClient.connect(b, c.app.port(), token);
      String id = onC.request(ChatFixtures.enter("cl-stop")).getJsonObject("conversation").getString("id");
      assertThat(type(nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id))))
          .isEqualTo("conversation.state");
      nurse.ws().request(ChatFixtures.send(id, "before", "yksi"));
      onC.await(fr -> type(fr).equals("message") && "yksi".equals(fr.getString("text")));
      JsonObject ack = onC.request(ChatFixtures.send(id, "p-before", "minun"));
      long lastSeen = ack.getLong("seq");
      nurse.ws().await(fr -> type(fr).equals("message") && "minun".equals(fr.getString("text")));

      c.close();
      stopped = true;
      onC.awaitClose();
      ClusterNodes.Watch.watch(b).awaitMembers(2);
      // written while the patient has no socket
      for (String text : List.of("kaksi", "kolme")) {
        nurse.ws().request(ChatFixtures.send(id, text, text));
      }

      try (WsClient again = WsClient.connect(b, token)) {
        ChatFixtures.resumes(again, id, lastSeen, List.of("kaksi", "kolme"), nurse, "p-before", "minun");
        again.request(ChatFixtures.send(id, "p-after", "kiitos"));
        nurse.ws().await(fr -> type(fr).equals("message") && "kiitos".equals(fr.getString("text")));
        assertThat(nurse.ws().all("message").stream().filter(fr -> "minun".equals(fr.getString("text")))).hasSize(1);
        assertThat(a.row("select count(*) from message where conversation_id = $1 and client_msg_id = 'p-before'", UUID.fromString(id))
            .getLong(0)).isEqualTo(1);
      }
    } finally {
      if (!stopped) {
        c.close();
      }
    }
  }
}
