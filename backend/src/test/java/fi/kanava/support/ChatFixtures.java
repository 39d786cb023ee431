package fi.kanava.support;

import fi.kanava.queue.QueueSettings;
import fi.kanava.queue.Queues;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Queues, professionals and patients for chat tests. */
public final class ChatFixtures {
  private final TestApp t;
  private final Fixtures f;

  public ChatFixtures(TestApp t, Fixtures f) {
    this.t = t;
    this.f = f;
  }

  /** A queue definition like the demo's nurse chat, always open, with the given id and routing mode. */
  public static JsonObject queue(String id, String routingMode) {
    return new JsonObject()
        .put("id", id)
        .put("names", new JsonObject().put("fi", "Testijono " + id).put("en", "Test queue " + id))
        .put("serviceArea", "Lappi")
        .put("municipalities", new JsonArray(List.of("Rovaniemi", "Inari")))
        .put("languages", new JsonArray(List.of("fi", "sv", "en")))
        .put("openingHours", new JsonObject().put("timeZone", "Europe/Helsinki").put("alwaysOpen", true))
        .put("anonymousAllowed", true)
        .put("strongIdRequired", false)
        .put("maxLength", 500)
        .put("routingMode", routingMode)
        .put("questionnaire", new JsonObject().put("questions", new JsonArray()
            .add(new JsonObject().put("id", "breathing").put("type", "yesno").put("text", new JsonObject().put("fi", "Hengenahdistusta?"))
                .put("yesUrgency", "immediate").put("nextYes", "end"))
            .add(new JsonObject().put("id", "topic").put("type", "choice").put("text", new JsonObject().put("fi", "Aihe?"))
                .put("options", new JsonArray()
                    .add(new JsonObject().put("id", "fever").put("text", new JsonObject().put("fi", "Kuume")).put("urgency", "same_day"))
                    .add(new JsonObject().put("id", "other").put("text", new JsonObject().put("fi", "Muu")))))))
        .put("cannedPhrases", new JsonObject().put("fi", new JsonArray(List.of("Hei, miten voin auttaa?"))));
  }

  public void createQueue(JsonObject definition, UUID... members) {
    TestApp.await(t.app.services().queues().create(Fixtures.decode(definition, QueueSettings.Request.class).validate(null), Fixtures.ORG));
    TestApp.await(t.app.services().queues().setMembers(definition.getString("id"), new Queues.Members(List.of(members))));
  }

  /** A nurse (or other role) with a live socket, set available, and their access token. */
  public record Pro(UUID id, String token, WsClient ws) implements AutoCloseable {
    @Override
    public void close() {
      ws.close();
    }
  }

  public Pro professional(String username, String role, String status) {
    UUID id = f.account(username, role);
    String token = f.accessToken(username);
    WsClient ws = WsClient.connect(t, token);
    if (status != null) {
      JsonObject reply = ws.request(new JsonObject().put("type", "presence").put("status", status));
      if (!"presence".equals(reply.getString("type"))) {
        throw new AssertionError("presence failed: " + reply);
      }
    }
    return new Pro(id, token, ws);
  }

  public record Patient(UUID id, String token, WsClient ws) implements AutoCloseable {
    @Override
    public void close() {
      ws.close();
    }
  }

  public Patient anonymousPatient() {
    String token = t.post("/api/patient/session", null, null).bodyAsJsonObject().getString("accessToken");
    return new Patient(Fixtures.subject(token), token, WsClient.connect(t, token));
  }

  public static JsonObject enter(String queueId, Map<String, Object> answers) {
    return new JsonObject().put("type", "queue.enter").put("queueId", queueId).put("language", "fi").put("municipality", "Inari")
        .put("answers", new JsonObject(answers));
  }

  public static JsonObject enter(String queueId) {
    return enter(queueId, Map.of("breathing", false, "topic", "other"));
  }

  /** {@code {type: presence, status}}: this device's status. */
  public static JsonObject presence(String status) {
    return new JsonObject().put("type", "presence").put("status", status);
  }

  /**
   * A patient's new socket ({@code again}) resumes a conversation after its old one was lost: it
   * gets exactly {@code missed} after {@code lastSeen}; a resend of its last acknowledged message
   * ({@code resentId}, {@code resentText}) is acknowledged with the same {@code seq}; and what the
   * professional writes next arrives once.
   */
  public static void resumes(WsClient again, String id, long lastSeen, List<String> missed, Pro professional, String resentId, String resentText) {
    again.send(new JsonObject().put("type", "conversation.open").put("conversationId", id).put("afterSeq", lastSeen));
    again.awaitType("conversation.synced");
    org.assertj.core.api.Assertions.assertThat(again.all("message").stream().map(fr -> fr.getString("text")).toList())
        .containsExactlyElementsOf(missed);
    // a client unsure whether its last send arrived sends it again: the same message, not a second one
    org.assertj.core.api.Assertions.assertThat(again.request(send(id, resentId, resentText)).getLong("seq")).isEqualTo(lastSeen);
    professional.ws().request(send(id, "after-resume", "resumed"));
    again.await(fr -> "message".equals(fr.getString("type")) && "resumed".equals(fr.getString("text")));
    List<String> all = new java.util.ArrayList<>(missed);
    all.add("resumed");
    org.assertj.core.api.Assertions.assertThat(again.all("message").stream().map(fr -> fr.getString("text")).toList())
        .containsExactlyElementsOf(all);
  }

  public static JsonObject send(String conversationId, String clientMsgId, String text) {
    return new JsonObject().put("type", "message.send").put("conversationId", conversationId).put("clientMsgId", clientMsgId).put("text", text);
  }

  /** The patient's chat in the queue, routed to the professional (who must serve it, available) and accepted: its id. */
  public static String activeChat(Patient patient, Pro pro, String queueId) {
    String id = patient.ws().request(enter(queueId)).getJsonObject("conversation").getString("id");
    pro.ws().await(fr -> "conversation.offer".equals(fr.getString("type")) && id.equals(fr.getJsonObject("conversation").getString("id")));
    JsonObject accepted = pro.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
    if (!"conversation.state".equals(accepted.getString("type"))) {
      throw new AssertionError("accept failed: " + accepted);
    }
    return id;
  }
}
