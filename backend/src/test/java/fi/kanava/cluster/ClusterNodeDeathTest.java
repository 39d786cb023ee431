package fi.kanava.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.ChildNode;
import fi.kanava.support.ClusterNodes;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node killed hard: a Kanava node in its own JVM (ChildNode), clustered with one in the test's
 * JVM on one database, gets SIGKILL: no shutdown hook, no drain, no goodbye to the cluster, its
 * sockets cut. The surviving node, on a clock the test moves after the kill, forgets the dead
 * node's devices once its lease has run out, hands the conversations of its professionals back to
 * the queue once the offline grace has passed since their last heartbeat, and the dead node's
 * clients resume on the survivor.
 */
@DisplayName("Cluster: a node killed hard leaves no ghost in presence, its nurse's chat goes back to the queue after the grace, its clients resume elsewhere")
class ClusterNodeDeathTest {
  private static final Duration LEASE = Duration.ofSeconds(45);
  private static final Duration GRACE = Duration.ofSeconds(90);

  private TestApp a;
  private ChildNode c;

  @BeforeEach
  void start() {
    int hzA = ClusterNodes.freePort();
    int hzC = ClusterNodes.freePort();
    List<String> members = List.of("127.0.0.1:" + hzA, "127.0.0.1:" + hzC);
    Map<String, String> settings = new HashMap<>(ClusterNodes.member(hzA, hzA, members));
    settings.put("cluster.member-timeout", "PT5S");
    settings.put("routing.heartbeat-interval", "PT15S");
    settings.put("routing.node-lease", LEASE.toString());
    settings.put("routing.offline-grace", GRACE.toString());
    settings.put("auth.access-token-ttl", "PT30M");
    settings.put("ws.rate-limit-burst", "100");
    // the node in the other JVM runs on the real clock: this one does too until the test moves it, after the kill
    a = TestApp.startOnRealTime(settings);
    c = ChildNode.start(a, ClusterNodes.member(hzC, hzC, members));
    ClusterNodes.Watch.watch(a).awaitMembers(2);
  }

  @AfterEach
  void stop() {
    if (c != null) {
      c.close();
    }
    if (a != null) {
      a.close();
    }
  }

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  private static Predicate<JsonObject> unaskedPresence(String status) {
    return fr -> "presence".equals(type(fr)) && fr.getString("ref") == null && status.equals(fr.getString("status"));
  }

  private String status(UUID account) {
    return a.row("select status from professional_presence where account_id = $1", account).getString(0);
  }

  private String state(String conversationId) {
    return a.row("select state from conversation where id = $1", UUID.fromString(conversationId)).getString(0);
  }

  /** Two sweeps at one instant: the first renews the survivor's lease after the test moved its clock, the second judges the others. */
  private void sweepAt(Instant at) {
    a.clock.set(at);
    TestApp.await(a.app.services().sweeper().sweep());
    TestApp.await(a.app.services().sweeper().sweep());
  }

  @Test
  void a_killed_node_is_forgotten_after_its_lease_and_its_nurse_loses_her_chat_after_the_grace() {
    Fixtures f = new Fixtures(a).organisations();
    ChatFixtures onA = new ChatFixtures(a, f);
    UUID dead = UUID.fromString(a.row("select id::text from presence_node where id <> $1", a.app.services().presence().nodeId()).getString(0));

    UUID nurseId = f.account("death-nurse", "nurse");
    String nurseToken = f.accessToken("death-nurse");
    try (Pro colleague = onA.professional("death-colleague", "nurse", null); Pro twoDevices = onA.professional("death-two", "nurse", "away");
        ChatFixtures.Patient patient = onA.anonymousPatient()) {
      onA.createQueue(ChatFixtures.queue("death-auto", "auto"), nurseId, colleague.id());
      onA.createQueue(ChatFixtures.queue("death-pick", "pick"), colleague.id());

      // the nurse's console is on the node that will die; the patient's on the survivor
      WsClient nurse = WsClient.connect(a, c.port(), nurseToken);
      assertThat(nurse.request(ChatFixtures.presence("available")).getString("status")).isEqualTo("available");
      String chat = patient.ws().request(ChatFixtures.enter("death-auto")).getJsonObject("conversation").getString("id");
      nurse.await(fr -> "conversation.offer".equals(type(fr)) && chat.equals(fr.getJsonObject("conversation").getString("id")));
      assertThat(type(nurse.request(new JsonObject().put("type", "conversation.accept").put("conversationId", chat))))
          .isEqualTo("conversation.state");
      nurse.request(ChatFixtures.send(chat, "n1", "Hei, täällä hoitaja."));
      patient.ws().await(fr -> "message".equals(type(fr)) && "Hei, täällä hoitaja.".equals(fr.getString("text")));

      // a colleague signed in on both nodes: away on the survivor, available on the doomed node, so available
      WsClient phone = WsClient.connect(a, c.port(), twoDevices.token());
      phone.request(ChatFixtures.presence("available"));
      twoDevices.ws().await(unaskedPresence("available"));

      // a patient whose socket is on the doomed node, chatting with a nurse on the survivor
      String patientToken = a.post("/api/patient/session", null, null).bodyAsJsonObject().getString("accessToken");
      WsClient doomedPatient = WsClient.connect(a, c.port(), patientToken);
      String other = doomedPatient.request(ChatFixtures.enter("death-pick")).getJsonObject("conversation").getString("id");
      assertThat(type(colleague.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", other))))
          .isEqualTo("conversation.state");
      colleague.ws().request(ChatFixtures.send(other, "c1", "yksi"));
      doomedPatient.await(fr -> "message".equals(type(fr)) && "yksi".equals(fr.getString("text")));
      long lastSeen = doomedPatient.request(ChatFixtures.send(other, "p-before", "minun")).getLong("seq");
      colleague.ws().await(fr -> "message".equals(type(fr)) && "minun".equals(fr.getString("text")));
      // the colleague is free for more: the nurse's chat may come to her once it is back in the queue
      colleague.ws().request(ChatFixtures.presence("available"));

      c.kill();
      // from here the survivor's time is the test's: its own timers judge nobody early
      a.clock.set(Instant.now());
      nurse.awaitClose();
      phone.awaitClose();
      doomedPatient.awaitClose();
      ClusterNodes.Watch.watch(a).awaitMembers(1);
      // written while the patient has no socket
      for (String text : List.of("kaksi", "kolme")) {
        colleague.ws().request(ChatFixtures.send(other, text, text));
      }

      // the dead node's last renewal, and the nurse's last heartbeat, both on the real clock
      Instant renewed = a.row("select renewed_at from presence_node where id = $1", dead).getOffsetDateTime(0).toInstant();
      Instant nurseSeen = a.row("select last_seen_at from professional_presence where account_id = $1", nurseId).getOffsetDateTime(0).toInstant();
      assertThat(status(twoDevices.id())).isEqualTo("available");

      // within the lease the dead node may be alive but slow: nothing is forgotten
      sweepAt(renewed.plus(LEASE).minusSeconds(1));
      assertThat(a.rows("select 1 from professional_device where node_id = $1", dead)).isNotEmpty();
      assertThat(status(twoDevices.id())).isEqualTo("available");

      // past the lease the survivor forgets the dead node's devices: the colleague is what her live device says, and told so
      sweepAt(renewed.plus(LEASE).plusSeconds(1));
      assertThat(a.rows("select 1 from professional_device where node_id = $1", dead)).isEmpty();
      assertThat(a.rows("select 1 from presence_node where id = $1", dead)).isEmpty();
      assertThat(status(twoDevices.id())).isEqualTo("away");
      twoDevices.ws().await(unaskedPresence("away"));
      // the nurse had no other device: like a dropped connection, her status and chat wait out the grace
      assertThat(state(chat)).isEqualTo("active");
      assertThat(patient.ws().all("message")).noneMatch(fr -> "returned_to_queue".equals(fr.getString("code")));

      // the grace, counted from her last heartbeat on the dead node, has passed: the chat goes back and on to the colleague
      sweepAt(nurseSeen.plus(GRACE).plusSeconds(1));
      assertThat(status(nurseId)).isEqualTo("offline");
      patient.ws().await(fr -> "message".equals(type(fr)) && "returned_to_queue".equals(fr.getString("code")));
      patient.ws().await(fr -> "conversation.state".equals(type(fr)) && "queued".equals(fr.getJsonObject("conversation").getString("state")));
      colleague.ws().await(fr -> "conversation.offer".equals(type(fr)) && chat.equals(fr.getJsonObject("conversation").getString("id")));
      // no ghost: only live devices are left, and routing counts only the colleague as available in the queue
      assertThat(a.rows("select 1 from professional_device where account_id = $1", nurseId)).isEmpty();
      assertThat(a.rows("select p.account_id from professional_presence p join queue_member m on m.account_id = p.account_id"
          + " where m.queue_id = 'death-auto' and p.status = 'available'").stream().map(r -> r.getUUID(0)).toList())
          .containsExactly(colleague.id());

      // the dead node's patient reconnects to the survivor and resumes: nothing lost, nothing twice
      try (WsClient again = WsClient.connect(a, patientToken)) {
        ChatFixtures.resumes(again, other, lastSeen, List.of("kaksi", "kolme"), colleague, "p-before", "minun");
        assertThat(a.row("select count(*) from message where conversation_id = $1 and client_msg_id = 'p-before'", UUID.fromString(other))
            .getLong(0)).isEqualTo(1);
      }
    }
  }
}
