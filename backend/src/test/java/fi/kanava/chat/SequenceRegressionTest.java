package fi.kanava.chat;

import static fi.kanava.support.ChatFixtures.enter;
import static fi.kanava.support.ChatFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.Application;
import fi.kanava.infra.Metrics;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.LostCommits;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What a database crash that loses the last commits (fsync or synchronous commit off) does to the
 * numbering, simulated by deleting the last acknowledged message as the database owner and putting
 * the conversation's counter back: no number is given out again where the server can know better,
 * and no socket drops a new message as one it already has.
 */
@DisplayName("Sequence numbers never go backwards, and nothing is dropped when they would")
class SequenceRegressionTest {
  private static final Pattern REGRESSIONS = Pattern.compile("kanava_sequence_regressions_total\\{detected=\"(\\w+)\"} ([0-9.]+)");

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

  // --- the scene --------------------------------------------------------------------------------------------

  /** A conversation in a pick queue that the nurse has taken; both sockets watch it and have had their history. */
  private String chat(String queue, Pro nurse, Patient patient) {
    c.createQueue(ChatFixtures.queue(queue, "pick"), nurse.id());
    String id = patient.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
    patient.ws().awaitType("conversation.synced");
    JsonObject taken = nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
    assertThat(type(taken)).as(taken.encode()).isEqualTo("conversation.state");
    nurse.ws().awaitType("conversation.synced");
    patient.ws().await(message(m -> "professional_joined".equals(m.getString("code"))));
    return id;
  }

  /** What a crash without fsync does to the conversation's last commit (see {@link LostCommits}); returns the lost number. */
  private long loseLastMessage(String conversationId) {
    return LostCommits.loseLastMessage(t, conversationId);
  }

  private long counter(String conversationId) {
    return t.row("select last_seq from conversation where id = $1", UUID.fromString(conversationId)).getLong(0);
  }

  /**
   * Another node on the same database and the same Vert.x (so the same event bus, as a cluster
   * would share it), with its own memory: it has acknowledged and delivered nothing yet.
   */
  private Node anotherNode() {
    PrometheusMeterRegistry registry = Metrics.createRegistry();
    Application app = TestApp.await(Application.start(t.vertx, t.config, t.db, t.clock, registry));
    return new Node(app, registry);
  }

  private record Node(Application app, PrometheusMeterRegistry registry) {
    int port() {
      return app.port();
    }

    double regressions(String detected) {
      return SequenceRegressionTest.regressions(registry.scrape(), detected);
    }
  }

  /** This node's count of regressions found where {@code detected} says, from /metrics. */
  private double regressions(String detected) {
    String supervisor = "figures-" + UUID.randomUUID().toString().substring(0, 8);
    f.account(supervisor, "supervisor");
    return regressions(t.get("/metrics", f.accessToken(supervisor)).bodyAsString(), detected);
  }

  private static double regressions(String scrape, String detected) {
    Matcher m = REGRESSIONS.matcher(scrape);
    while (m.find()) {
      if (m.group(1).equals(detected)) {
        return Double.parseDouble(m.group(2));
      }
    }
    return 0;
  }

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  private static Predicate<JsonObject> message(Predicate<JsonObject> match) {
    return fr -> "message".equals(type(fr)) && match.test(fr);
  }

  private static Predicate<JsonObject> message(String text) {
    return message(m -> text.equals(m.getString("text")));
  }

  /** The frames a socket received after {@code first} and up to {@code last} (the same objects as awaited). */
  private static List<JsonObject> between(WsClient ws, JsonObject first, JsonObject last) {
    List<JsonObject> all = ws.received();
    int from = -1;
    int to = -1;
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i) == first) {
        from = i;
      } else if (all.get(i) == last) {
        to = i;
      }
    }
    assertThat(from).as("first frame").isNotNegative();
    assertThat(to).as("last frame").isGreaterThan(from);
    return all.subList(from + 1, to);
  }

  private static List<String> texts(List<JsonObject> frames) {
    return frames.stream().filter(fr -> "message".equals(type(fr)) && "text".equals(fr.getString("kind")))
        .map(fr -> fr.getString("text")).toList();
  }

  private static long count(WsClient ws, String text) {
    return ws.all("message").stream().filter(fr -> text.equals(fr.getString("text"))).count();
  }

  // --- the tests --------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("on a live socket")
  class Live {
    @Test
    @DisplayName("the next message is numbered above the lost one, and every watching socket resynchronises and gets it once")
    void the_node_numbers_above_what_it_has_acknowledged() {
      try (Pro nurse = c.professional("nurse-s", "nurse", null); Patient patient = c.anonymousPatient()) {
        String id = chat("lost", nurse, patient);
        nurse.ws().request(send(id, "n1", "yksi"));
        patient.ws().await(message("yksi"));
        JsonObject two = patient.ws().request(send(id, "p1", "kaksi"));
        assertThat(two.getString("id")).isNotBlank();
        nurse.ws().await(message("kaksi"));
        assertThat(loseLastMessage(id)).isEqualTo(two.getLong("seq"));

        JsonObject three = nurse.ws().request(send(id, "n2", "kolme"));
        assertThat(three.getLong("seq")).as("a number acknowledged before the crash is not given out again")
            .isEqualTo(two.getLong("seq") + 1);
        assertThat(counter(id)).isEqualTo(three.getLong("seq"));

        for (WsClient ws : List.of(patient.ws(), nurse.ws())) {
          JsonObject resync = ws.awaitType("conversation.resync");
          assertThat(resync.getString("conversationId")).isEqualTo(id);
          assertThat(resync.getLong("afterSeq")).isZero();
          JsonObject synced = ws.awaitType("conversation.synced");
          List<JsonObject> replayed = between(ws, resync, synced);
          assertThat(texts(replayed)).as("the store's messages: the lost one is not among them").containsExactly("yksi", "kolme");
          assertThat(synced.getLong("lastSeq")).isEqualTo(three.getLong("seq"));
        }
        // a later message marks the point by which a repeat of "kolme" would have arrived
        nurse.ws().request(send(id, "n3", "neljä"));
        patient.ws().await(message("neljä"));
        nurse.ws().await(message("neljä"));
        assertThat(count(patient.ws(), "kolme")).isEqualTo(1);
        assertThat(count(nurse.ws(), "kolme")).isEqualTo(1);
        assertThat(regressions("store")).isEqualTo(1.0);
      }
    }

    @Test
    @DisplayName("a socket that gets a number it delivered, for another message, resynchronises instead of dropping it")
    void a_number_given_out_again_by_a_node_that_never_saw_it() {
      Node b = anotherNode();
      try (Pro nurse = c.professional("nurse-b", "nurse", null); Patient patient = c.anonymousPatient()) {
        String id = chat("again", nurse, patient);
        JsonObject one = nurse.ws().request(send(id, "n1", "yksi"));
        patient.ws().await(message("yksi"));
        loseLastMessage(id);

        try (WsClient nurseOnB = WsClient.connect(t, b.port(), nurse.token())) {
          // node B has acknowledged and delivered nothing in this conversation: it can only trust the counter
          JsonObject two = nurseOnB.request(send(id, "n2", "kaksi"));
          assertThat(two.getLong("seq")).isEqualTo(one.getLong("seq"));
          assertThat(two.getString("id")).isNotEqualTo(one.getString("id"));

          for (WsClient ws : List.of(patient.ws(), nurse.ws())) {
            JsonObject resync = ws.awaitType("conversation.resync");
            JsonObject synced = ws.awaitType("conversation.synced");
            List<JsonObject> replayed = between(ws, resync, synced);
            assertThat(texts(replayed)).containsExactly("kaksi");
            assertThat(replayed).filteredOn(fr -> "kaksi".equals(fr.getString("text")))
                .allMatch(fr -> fr.getLong("seq").equals(one.getLong("seq")) && fr.getString("id").equals(two.getString("id")));
          }
          nurse.ws().request(send(id, "n3", "kolme"));
          patient.ws().await(message("kolme"));
          assertThat(count(patient.ws(), "kaksi")).isEqualTo(1);
          assertThat(regressions("socket")).isEqualTo(2.0); // the patient's socket and the nurse's, both on this node
        }
      }
    }
  }

  @Nested
  @DisplayName("on resuming")
  class Resuming {
    @Test
    @DisplayName("a client that resumes past the store is resynchronised, and the counter is raised to what it holds")
    void past_the_store() {
      Node b = anotherNode();
      Node c2 = anotherNode();
      try (Pro nurse = c.professional("nurse-r", "nurse", null)) {
        Patient patient = c.anonymousPatient();
        String id = chat("past", nurse, patient);
        JsonObject one = nurse.ws().request(send(id, "n1", "yksi"));
        JsonObject held = patient.ws().await(message("yksi"));
        patient.close();
        loseLastMessage(id);
        assertThat(counter(id)).isEqualTo(one.getLong("seq") - 1);

        // the patient comes back through a node that has seen nothing (as after a restart), holding "yksi"
        try (WsClient again = WsClient.connect(t, b.port(), patient.token())) {
          JsonObject reply = again.request(new JsonObject().put("type", "conversation.open").put("conversationId", id)
              .put("afterSeq", held.getLong("seq")).put("afterId", held.getString("id")));
          assertThat(type(reply)).as(reply.encode()).isEqualTo("conversation");
          JsonObject resync = again.awaitType("conversation.resync");
          JsonObject synced = again.awaitType("conversation.synced");
          assertThat(texts(between(again, resync, synced))).isEmpty();
          assertThat(counter(id)).as("raised to the number the client holds").isEqualTo(held.getLong("seq"));
          assertThat(b.regressions("resume")).isEqualTo(1.0);

          // a third node, which has seen nothing either, numbers above what the client held
          try (WsClient nurseOnC = WsClient.connect(t, c2.port(), nurse.token())) {
            JsonObject acked = nurseOnC.request(send(id, "n2", "kaksi"));
            assertThat(acked.getLong("seq")).isEqualTo(held.getLong("seq") + 1);
          }
          JsonObject arrived = again.await(message("kaksi"));
          assertThat(arrived.getLong("seq")).isEqualTo(held.getLong("seq") + 1);
          // the nurse's socket on the first node held "yksi" too: it was resynchronised when the patient found the loss
          JsonObject nurseResync = nurse.ws().awaitType("conversation.resync");
          assertThat(nurseResync.getString("conversationId")).isEqualTo(id);
        }
      }
    }

    @Test
    @DisplayName("a client that resumes holding a message the store does not have at that number is resynchronised")
    void from_a_message_the_store_does_not_have() {
      Node b = anotherNode();
      try (Pro nurse = c.professional("nurse-u", "nurse", null)) {
        Patient patient = c.anonymousPatient();
        String id = chat("unknown", nurse, patient);
        nurse.ws().request(send(id, "n1", "yksi"));
        JsonObject held = patient.ws().await(message("yksi"));
        patient.close();
        loseLastMessage(id);
        try (WsClient nurseOnB = WsClient.connect(t, b.port(), nurse.token())) {
          // given out again while the patient was away: resuming from the number alone would hide it
          assertThat(nurseOnB.request(send(id, "n2", "kaksi")).getLong("seq")).isEqualTo(held.getLong("seq"));
        }
        try (WsClient again = WsClient.connect(t, patient.token())) {
          again.request(new JsonObject().put("type", "conversation.open").put("conversationId", id)
              .put("afterSeq", held.getLong("seq")).put("afterId", held.getString("id")));
          JsonObject resync = again.awaitType("conversation.resync");
          JsonObject synced = again.awaitType("conversation.synced");
          assertThat(texts(between(again, resync, synced))).containsExactly("kaksi");
          assertThat(synced.getLong("lastSeq")).isEqualTo(held.getLong("seq"));
        }
        assertThat(regressions("resume")).isEqualTo(1.0);
      }
    }

    @Test
    @DisplayName("a client that resumes from a message the store has gets only what follows it")
    void from_a_message_the_store_has() {
      try (Pro nurse = c.professional("nurse-k", "nurse", null)) {
        Patient patient = c.anonymousPatient();
        String id = chat("known", nurse, patient);
        nurse.ws().request(send(id, "n1", "yksi"));
        JsonObject held = patient.ws().await(message("yksi"));
        patient.close();
        nurse.ws().request(send(id, "n2", "kaksi"));
        try (WsClient again = WsClient.connect(t, patient.token())) {
          again.request(new JsonObject().put("type", "conversation.open").put("conversationId", id)
              .put("afterSeq", held.getLong("seq")).put("afterId", held.getString("id")));
          JsonObject synced = again.awaitType("conversation.synced");
          assertThat(texts(again.all("message"))).containsExactly("kaksi");
          assertThat(again.all("conversation.resync")).isEmpty();
          assertThat(synced.getLong("lastSeq")).isEqualTo(held.getLong("seq") + 1);
        }
        assertThat(regressions("resume")).isZero();
      }
    }
  }

  @Nested
  @DisplayName("retries")
  class Retries {
    @Test
    @DisplayName("a send whose ack was lost with the socket, sent again with the same clientMsgId, is stored once and delivered once")
    void a_retry_after_the_socket_dropped() {
      try (Pro nurse = c.professional("nurse-d", "nurse", null)) {
        Patient patient = c.anonymousPatient();
        String id = chat("dropped", nurse, patient);
        // the socket goes before the ack can come back
        patient.ws().send(send(id, "p-1", "Hei").put("ref", "never-answered"));
        patient.close();
        JsonObject stored = nurse.ws().await(message("Hei"));

        try (WsClient again = WsClient.connect(t, patient.token())) {
          JsonObject ack = again.request(send(id, "p-1", "Hei"));
          assertThat(type(ack)).as(ack.encode()).isEqualTo("message.ack");
          assertThat(ack.getLong("seq")).isEqualTo(stored.getLong("seq"));
          assertThat(ack.getString("id")).isEqualTo(stored.getString("id"));
          again.request(new JsonObject().put("type", "conversation.open").put("conversationId", id));
          again.awaitType("conversation.synced");
          assertThat(count(again, "Hei")).isEqualTo(1);
          again.request(send(id, "p-2", "Moi"));
          nurse.ws().await(message("Moi"));
        }
        assertThat(count(nurse.ws(), "Hei")).isEqualTo(1);
        assertThat(t.row("select count(*) from message where conversation_id = $1 and client_msg_id = 'p-1'", UUID.fromString(id))
            .getLong(0)).isEqualTo(1);
      }
    }

    @Test
    @DisplayName("a send refused as rate_limited, or too large, is answered with its ref; rate_limited says when to send it again")
    void refusals_answer_their_frame() {
      try (TestApp slow = TestApp.start(Map.of("ws.rate-limit-per-second", "1", "ws.rate-limit-burst", "2"))) {
        ChatFixtures chat = new ChatFixtures(slow, new Fixtures(slow).organisations());
        // the patient writes while waiting, which this queue allows
        chat.createQueue(ChatFixtures.queue("slow", "pick").put("patientMayWriteWhileQueued", true));
        try (Patient patient = chat.anonymousPatient()) {
          String id = patient.ws().request(enter("slow")).getJsonObject("conversation").getString("id");
          List<String> refs = new ArrayList<>();
          for (int i = 0; i < 6; i++) {
            refs.add("send-" + i);
            patient.ws().send(send(id, "burst-" + i, "viesti " + i).put("ref", "send-" + i));
          }
          int acked = 0;
          int limited = 0;
          for (String ref : refs) {
            JsonObject answer = patient.ws().await(fr -> ref.equals(fr.getString("ref")));
            if ("message.ack".equals(type(answer))) {
              acked++;
            } else {
              assertThat(answer.getString("code")).as(answer.encode()).isEqualTo("rate_limited");
              assertThat(answer.getLong("retryAfterMs")).isPositive();
              limited++;
            }
          }
          assertThat(limited).isPositive();
          assertThat(slow.row("select count(*) from message where conversation_id = $1", UUID.fromString(id)).getLong(0))
              .as("only the acknowledged sends are stored").isEqualTo(acked);

          String big = "x".repeat(slow.config.ws().maxFrameBytes());
          JsonObject tooLarge = patient.ws().request(send(id, "big", big));
          assertThat(tooLarge.getString("code")).isEqualTo("frame_too_large");
        }
      }
    }
  }
}
