package fi.kanava.access;

import static fi.kanava.support.ChatFixtures.enter;
import static fi.kanava.support.ChatFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.auth.Accounts;
import fi.kanava.auth.Organisations;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Everyone who has no business in a conversation tries everything against it. The victim is an
 * active conversation between a patient and the nurse who took it, with messages, read positions
 * and an internal note. Each intruder sends every frame type the server has registered (read from
 * the {@link fi.kanava.ws.FrameRegistry}, so a new frame type fails here until it gets a sample
 * below) and calls every REST endpoint that touches patient data or administration.
 *
 * <p>For each attempt: it is refused ({@code forbidden}, 403), unless the table lists it as allowed
 * for that intruder on their own data; the victim's conversation, messages, read positions,
 * participants and the nurse's presence are exactly as before; and a refusal concerning patient
 * data (or a system function) leaves a denied {@code audit_event} row for the intruder.
 */
@DisplayName("Access matrix: every frame and every patient-data or admin endpoint, tried by everyone with no business there")
class AccessMatrixTest {
  static TestApp t;
  static Fixtures f;
  static ChatFixtures c;
  static int counter;

  @BeforeAll
  static void start() {
    // a frame burst well above what one intruder sends, so the rate limit never answers for the policy
    t = TestApp.start(Map.of("ws.rate-limit-burst", "200", "ws.rate-limit-per-second", "100"));
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static String unique(String prefix) {
    return prefix + "-" + (++counter);
  }

  /** Who tries. None of them is a participant of the victim's conversation. */
  enum Intruder {
    OTHER_PATIENT("another patient"),
    NURSE_OUTSIDE_QUEUE("a nurse who does not serve the queue"),
    NURSE_OF_QUEUE("a nurse who serves the queue but is not assigned, once the conversation is active"),
    PARTNER("a partner-organisation user without a referral"),
    SUPERVISOR("a supervisor"),
    ADMIN("an admin"),
    PLATFORM_ADMIN("a platform admin");

    final String description;

    Intruder(String description) {
      this.description = description;
    }

    @Override
    public String toString() {
      return description;
    }
  }

  static final Set<Intruder> EVERYONE = EnumSet.allOf(Intruder.class);
  static final Set<Intruder> NOBODY = EnumSet.noneOf(Intruder.class);
  /** The console's users: care professionals and partner staff. */
  static final Set<Intruder> CONSOLE = EnumSet.of(Intruder.NURSE_OUTSIDE_QUEUE, Intruder.NURSE_OF_QUEUE, Intruder.PARTNER);

  /** What a refusal must leave in the audit trail. */
  enum Audit {
    /** A denied row for the intruder about the victim patient: it shows in the patient's access log. */
    PATIENT,
    /** A denied row for the intruder about a system function. */
    SYSTEM,
    /** Nothing required: the attempt could reach no one's patient data, whatever its input (the reason is in the table). */
    NONE
  }

  /** The victim's conversation and what the samples refer to. */
  record Scene(String queue, String spareQueue, UUID spareAccount, Patient patient, Pro nurse, UUID conversationId, long lastSeq,
      List<String> secrets) implements AutoCloseable {
    @Override
    public void close() {
      patient.close();
      nurse.close();
    }
  }

  /** The intruder, signed in, with a live socket. */
  record Principal(UUID id, String token, WsClient ws) implements AutoCloseable {
    @Override
    public void close() {
      ws.close();
    }
  }

  // --- the frame table: one or more samples for every registered frame type ----------------------------------

  /**
   * A valid-looking frame of one type about the victim's conversation. {@code reply} is the type
   * of the answer when allowed (null: accepted without a reply).
   */
  record FrameSample(String label, Function<Attempt, JsonObject> frame, Set<Intruder> allowedFor, String reply, Audit audit, String why) {}

  record Attempt(Scene scene, Principal intruder) {
    JsonObject about(String type) {
      return new JsonObject().put("type", type).put("conversationId", scene.conversationId().toString());
    }
  }

  private static FrameSample denied(String label, Function<Attempt, JsonObject> frame) {
    return new FrameSample(label, frame, NOBODY, null, Audit.PATIENT, null);
  }

  private static final Map<String, List<FrameSample>> FRAMES = new LinkedHashMap<>();

  static {
    frames("auth", new FrameSample("auth with one's own token", a -> new JsonObject().put("type", "auth").put("token", a.intruder().token()),
        EVERYONE, "auth.ok", Audit.NONE, "renews the intruder's own socket"));
    frames("ping", new FrameSample("ping", a -> new JsonObject().put("type", "ping"), EVERYONE, "pong", Audit.NONE, "liveness only"));
    frames("conversation.open", denied("open", a -> a.about("conversation.open")),
        denied("resume after a sequence number", a -> a.about("conversation.open").put("afterSeq", 1)));
    frames("conversation.leave", new FrameSample("leave", a -> a.about("conversation.leave"), EVERYONE, null, Audit.NONE,
        "stops a watch the socket does not have: nothing is read or changed"));
    frames("message.send", denied("a message", a -> send(a.scene().conversationId().toString(), unique("intruder"), "Let me in")),
        denied("an internal note", a -> send(a.scene().conversationId().toString(), unique("intruder"), "A note").put("internal", true)));
    frames("typing", denied("typing", a -> a.about("typing").put("typing", true)));
    frames("read", denied("read", a -> a.about("read").put("seq", a.scene().lastSeq())));
    frames("conversation.close", denied("close", a -> a.about("conversation.close").put("outcome", "resolved")));
    frames("presence", new FrameSample("presence", a -> new JsonObject().put("type", "presence").put("status", "available"), CONSOLE,
        "presence", Audit.NONE, "sets the sender's own status; names no conversation"));
    frames("queue.enter", new FrameSample("enter the victim's queue", a -> enter(a.scene().queue()), EnumSet.of(Intruder.OTHER_PATIENT),
        "queue.entered", Audit.NONE, "starts the sender's own conversation; staff are refused before anything is read"));
    frames("queue.leave", denied("leave the queue", a -> a.about("queue.leave")));
    frames("conversation.end", denied("end the chat", a -> a.about("conversation.end")));
    frames("queues.watch", new FrameSample("watch the waiting lists", a -> new JsonObject().put("type", "queues.watch"), CONSOLE, null,
        Audit.NONE, "lists only the queues the sender serves (none for anyone else), and no active conversation"));
    frames("conversation.take", denied("take", a -> a.about("conversation.take")));
    frames("conversation.accept", denied("accept", a -> a.about("conversation.accept")));
    frames("offer.decline", denied("decline", a -> a.about("offer.decline").put("reason", "not mine")));
    frames("transfer.request", denied("transfer", a -> a.about("transfer.request").put("toQueue", "elsewhere")
        .put("note", new JsonObject().put("situation", "Let me move it"))));
    frames("transfer.accept", denied("accept a transfer", a -> a.about("transfer.accept")));
    frames("transfer.decline", denied("decline a transfer", a -> a.about("transfer.decline").put("reason", "not mine")));
    frames("transfer.consent", denied("answer the consent question", a -> a.about("transfer.consent")
        .put("transferId", java.util.UUID.randomUUID().toString()).put("granted", true)));
    frames("feedback.submit", denied("give feedback", a -> a.about("feedback.submit").put("score", 0)));
    frames("feedback.skip", denied("skip the feedback", a -> a.about("feedback.skip")));
    Set<Intruder> figureReaders = EnumSet.of(Intruder.SUPERVISOR, Intruder.ADMIN, Intruder.PLATFORM_ADMIN);
    frames("figures.watch", new FrameSample("watch the live figures", a -> new JsonObject().put("type", "figures.watch"), figureReaders,
        "figures.live", Audit.NONE, "counts per queue of the sender's own organisation, no patient data; others are refused by role"));
    frames("figures.unwatch", new FrameSample("stop watching the live figures", a -> new JsonObject().put("type", "figures.unwatch"),
        figureReaders, "figures.unwatched", Audit.NONE, "stops the sender's own watch"));
    frames("profeedback.submit", new FrameSample("answer the question about the tool", a -> new JsonObject().put("type", "profeedback.submit")
        .put("score", 5), CONSOLE, "error", Audit.NONE, "about the tool, not a patient: profeedback_not_asked unless the sender was asked"));
    frames("profeedback.skip", new FrameSample("skip the question about the tool", a -> new JsonObject().put("type", "profeedback.skip"),
        CONSOLE, "error", Audit.NONE, "about the tool, not a patient: profeedback_not_asked unless the sender was asked"));
    frames("consult.open", denied("consult about the conversation", a -> new JsonObject().put("type", "consult.open")
        .put("caseConversationId", a.scene().conversationId().toString()).put("queueId", a.scene().queue()).put("urgency", "urgent")
        .put("isbar", new JsonObject().put("situation", "Let me see it"))));
    for (String type : List.of("consult.accept", "consult.join", "consult.takeover", "consult.close")) {
      frames(type, new FrameSample(type, a -> consultFrame(type), EnumSet.of(Intruder.NURSE_OUTSIDE_QUEUE, Intruder.NURSE_OF_QUEUE), "error", Audit.NONE,
          "names no existing consultation (care professionals get consultation_not_found, others are refused at the socket): nothing is read;"
              + " refusals of real consultations are audited (ConsultationTest)"));
    }
    for (String type : List.of("visit.arrive", "visit.watch", "visit.get", "feedback.pending")) {
      frames(type, new FrameSample(type, a -> visitFrame(type), EnumSet.of(Intruder.OTHER_PATIENT), "error", Audit.NONE,
          "names no existing visit (patients get visit_not_found, staff are refused at the socket): nothing is read;"
              + " refusals of real visits are audited (VisitTest)"));
    }
    for (String type : List.of("visit.admit", "visit.late")) {
      frames(type, new FrameSample(type, a -> visitFrame(type), EnumSet.of(Intruder.NURSE_OUTSIDE_QUEUE, Intruder.NURSE_OF_QUEUE), "error",
          Audit.NONE, "names no existing visit (care professionals get visit_not_found, others are refused at the socket): nothing is read;"
              + " refusals of real visits are audited (VisitTest)"));
    }
    frames("rtc.invite", new FrameSample("offer a video call in the victim's chat", a -> new JsonObject().put("type", "rtc.invite")
        .put("conversationId", a.scene().conversationId().toString()), CONSOLE, "error", Audit.NONE,
        "only the chat's assigned professional may ring its patient (not_assigned / not_in_call): nothing is read or relayed;"
            + " audited refusals of real calls are in RtcSignallingTest"));
    frames("rtc.invite-colleague", new FrameSample("bring a colleague into a call", a -> callFrame("rtc.invite-colleague"), CONSOLE, "error",
        Audit.NONE, "names no existing call (call_not_found; patients are refused at the socket): nothing is read or relayed;"
            + " refusals in real calls, audited, are in RtcColleagueTest"));
    frames("rtc.decline", new FrameSample("decline a call", a -> callFrame("rtc.decline"), EnumSet.of(Intruder.OTHER_PATIENT), "error",
        Audit.NONE, "names no existing call (call_not_found): nothing is read"));
    for (String type : List.of("rtc.join", "rtc.offer", "rtc.answer", "rtc.candidate", "rtc.media", "rtc.status", "rtc.hangup")) {
      frames(type, new FrameSample(type, a -> callFrame(type), EVERYONE, "error", Audit.NONE,
          "names no existing call: the sender is in no call, so nothing is relayed to anyone (strangers to real calls: RtcSignallingTest)"));
    }
    frames("netcheck.start", new FrameSample("check the network for a visit", a -> new JsonObject().put("type", "netcheck.start")
        .put("visitId", java.util.UUID.randomUUID().toString()), EVERYONE, "error", Audit.NONE,
        "names no visit the sender is a member of (not_a_member): nothing is read"));
    for (String type : List.of("netcheck.offer", "netcheck.candidate", "netcheck.done")) {
      frames(type, new FrameSample(type, a -> checkFrame(type), EVERYONE, "error", Audit.NONE,
          "names no check of this socket (check_not_found): a check belongs to the socket that started it"));
    }
  }

  /** A call frame about a call that does not exist, well formed. */
  private static JsonObject callFrame(String type) {
    String callId = java.util.UUID.randomUUID().toString();
    String peer = java.util.UUID.randomUUID().toString();
    JsonObject frame = new JsonObject().put("type", type).put("callId", callId);
    return switch (type) {
      case "rtc.offer", "rtc.answer" -> frame.put("to", peer).put("sdp", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n");
      case "rtc.candidate" -> frame.put("to", peer).put("candidate", new JsonObject()
          .put("candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host").put("sdpMid", "0").put("sdpMLineIndex", 0));
      case "rtc.media" -> frame.put("audio", true).put("video", false);
      case "rtc.status" -> frame.put("status", "connected").put("relayed", false).put("audioOnly", false);
      case "rtc.invite-colleague" -> frame.put("accountId", java.util.UUID.randomUUID().toString());
      default -> frame;
    };
  }

  /** A network-check frame about a check that does not exist, well formed. */
  private static JsonObject checkFrame(String type) {
    JsonObject frame = new JsonObject().put("type", type).put("checkId", java.util.UUID.randomUUID().toString());
    return switch (type) {
      case "netcheck.offer" -> frame.put("sdp", "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n");
      case "netcheck.candidate" -> frame.put("candidate", new JsonObject()
          .put("candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host").put("sdpMid", "0").put("sdpMLineIndex", 0));
      default -> frame;
    };
  }

  /** A waiting-room frame about a visit that does not exist. */
  private static JsonObject visitFrame(String type) {
    JsonObject frame = new JsonObject().put("type", type).put("visitId", java.util.UUID.randomUUID().toString());
    return switch (type) {
      case "visit.admit" -> frame.put("memberId", java.util.UUID.randomUUID().toString());
      case "visit.late" -> frame.put("minutes", 10);
      default -> frame;
    };
  }

  /** A consultation frame about a consultation that does not exist. */
  private static JsonObject consultFrame(String type) {
    JsonObject frame = new JsonObject().put("type", type).put("consultationId", java.util.UUID.randomUUID().toString());
    return "consult.close".equals(type) ? frame.put("answer", "An answer") : frame;
  }

  private static void frames(String type, FrameSample... samples) {
    FRAMES.put(type, List.of(samples));
  }

  // --- the REST table: every endpoint that touches patient data or administration ------------------------------
  //
  // Left out on purpose: sign-in, refresh, logout, opening a patient session, the identity methods,
  // the public queue list and questionnaires, and the health probes. None of them returns or
  // changes anyone's patient data or an administrative setting.

  record Call(HttpMethod method, Function<Scene, String> path, Function<Scene, JsonObject> body, Set<Intruder> allowedFor, int status,
      Audit audit, String why) {}

  /** The victim's organisation's admin and a platform admin (AdminScopeTest tries admins of other organisations). */
  private static final Set<Intruder> ADMIN = EnumSet.of(Intruder.ADMIN, Intruder.PLATFORM_ADMIN);
  private static final Set<Intruder> PLATFORM = EnumSet.of(Intruder.PLATFORM_ADMIN);

  private static final List<Call> CALLS = List.of(
      new Call(HttpMethod.GET, s -> "/api/conversations/" + s.conversationId() + "/messages",
          s -> null, NOBODY, 0, Audit.PATIENT, null),
      new Call(HttpMethod.GET, s -> "/api/console/conversations", s -> null, CONSOLE, 200, Audit.SYSTEM, null),
      new Call(HttpMethod.GET, s -> "/api/patient/conversations/current", s -> null, EnumSet.of(Intruder.OTHER_PATIENT), 204, Audit.NONE,
          "answers with the caller's own open conversation (none here), looked up by the caller's id: a professional has none"),
      new Call(HttpMethod.GET, s -> "/api/patient/conversations/latest", s -> null, EnumSet.of(Intruder.OTHER_PATIENT), 204, Audit.NONE,
          "answers with the caller's own latest conversation, closed ones included (none here), looked up by the caller's id"),
      new Call(HttpMethod.GET, s -> "/api/patient/access-log", s -> null, EnumSet.of(Intruder.OTHER_PATIENT), 200, Audit.SYSTEM, null),
      new Call(HttpMethod.GET, s -> "/api/queues/" + s.queue() + "/phrases", s -> null, CONSOLE, 200, Audit.SYSTEM, null),
      new Call(HttpMethod.GET, s -> "/metrics", s -> null, EnumSet.of(Intruder.SUPERVISOR, Intruder.ADMIN, Intruder.PLATFORM_ADMIN), 200,
          Audit.SYSTEM, null),
      new Call(HttpMethod.GET, s -> "/api/supervisor/live", s -> null,
          EnumSet.of(Intruder.SUPERVISOR, Intruder.ADMIN, Intruder.PLATFORM_ADMIN), 200, Audit.SYSTEM, null),
      new Call(HttpMethod.GET, s -> "/api/reports/monthly?month=2026-03", s -> null,
          EnumSet.of(Intruder.SUPERVISOR, Intruder.ADMIN, Intruder.PLATFORM_ADMIN), 200, Audit.SYSTEM, null),
      new Call(HttpMethod.GET, s -> "/api/reports/monthly.csv?month=2026-03&queue=" + s.queue(), s -> null,
          EnumSet.of(Intruder.SUPERVISOR, Intruder.ADMIN, Intruder.PLATFORM_ADMIN), 200, Audit.SYSTEM, null),
      new Call(HttpMethod.GET, s -> "/api/admin/queues", s -> null, ADMIN, 200, Audit.SYSTEM, null),
      new Call(HttpMethod.POST, s -> "/api/admin/queues", s -> ChatFixtures.queue(unique("made"), "pick"), ADMIN, 201, Audit.SYSTEM, null),
      new Call(HttpMethod.PUT, s -> "/api/admin/queues/" + s.spareQueue(), s -> {
        JsonObject changed = ChatFixtures.queue("ignored", "pick").put("maxLength", 7);
        changed.remove("id");
        return changed;
      }, ADMIN, 200, Audit.SYSTEM, null),
      new Call(HttpMethod.PUT, s -> "/api/admin/queues/" + s.spareQueue() + "/members",
          s -> new JsonObject().put("accountIds", new JsonArray().add(String.valueOf(s.spareAccount()))), ADMIN, 200, Audit.SYSTEM, null),
      new Call(HttpMethod.PUT, s -> "/api/admin/accounts/" + s.spareAccount() + "/capacity", s -> new JsonObject().put("maxConcurrent", 3),
          ADMIN, 200, Audit.SYSTEM, null),
      new Call(HttpMethod.GET, s -> "/api/admin/accounts", s -> null, ADMIN, 200, Audit.SYSTEM, null),
      new Call(HttpMethod.POST, s -> "/api/admin/accounts", s -> new JsonObject().put("username", unique("made")).put("password", Fixtures.PASSWORD)
          .put("displayName", "Made").put("role", "nurse").put("organisationId", Fixtures.ORG).put("languages", new JsonArray().add("fi")),
          ADMIN, 201, Audit.SYSTEM, null),
      new Call(HttpMethod.POST, s -> "/api/admin/accounts/" + s.spareAccount() + "/disable", s -> null, ADMIN, 200, Audit.SYSTEM, null),
      new Call(HttpMethod.POST, s -> "/api/admin/accounts/" + s.spareAccount() + "/enable", s -> null, ADMIN, 200, Audit.SYSTEM, null),
      new Call(HttpMethod.GET, s -> "/api/admin/organisations", s -> null, ADMIN, 200, Audit.SYSTEM, null),
      new Call(HttpMethod.POST, s -> "/api/admin/organisations", s -> new JsonObject().put("id", unique("org")).put("name", "Made")
          .put("kind", "wellbeing_area"), PLATFORM, 201, Audit.SYSTEM, null),
      new Call(HttpMethod.POST, s -> "/api/admin/organisations/" + Fixtures.ORG + "/units", s -> new JsonObject().put("id", unique("unit"))
          .put("name", "Made"), ADMIN, 201, Audit.SYSTEM, null));

  // --- the tests -------------------------------------------------------------------------------------------

  @Test
  @DisplayName("every registered frame type has a sample in the matrix, every sample a registered type, every unaudited refusal a reason")
  void every_registered_frame_type_has_a_sample() {
    Set<String> registered = new TreeSet<>(t.app.services().frames().registrations().keySet());
    assertThat(new TreeSet<>(FRAMES.keySet()))
        .as("frame types registered without a sample in AccessMatrixTest.FRAMES (add one: who may send it, and is it audited?)")
        .containsAll(registered);
    assertThat(registered).as("samples for frame types that are no longer registered").containsAll(FRAMES.keySet());
    assertThat(FRAMES.values().stream().flatMap(List::stream).filter(s -> s.audit() == Audit.NONE && s.why() == null).toList())
        .as("frame samples whose refusal is not audited must say why").isEmpty();
    assertThat(CALLS.stream().filter(call -> call.audit() == Audit.NONE && call.why() == null).toList())
        .as("calls whose refusal is not audited must say why").isEmpty();
  }

  @Nested
  @DisplayName("on the socket")
  class Frames {
    @ParameterizedTest(name = "{0}")
    @EnumSource(Intruder.class)
    @DisplayName("every registered frame type about someone else's conversation is refused (unless the table allows it on the sender's own data), changes nothing and is audited")
    void every_frame_type(Intruder who) {
      try (Stage stage = stage(who)) {
        Scene scene = stage.scene();
        Principal intruder = stage.intruder();
        SoftAssertions softly = new SoftAssertions();
        List<String> missing = new ArrayList<>();
        String victimBefore = victim(scene);
        Map<String, Integer> victimFrames = victimFrames(scene);
        List<String> silentlyAllowed = new ArrayList<>();
        for (String type : t.app.services().frames().registrations().keySet()) {
          List<FrameSample> samples = FRAMES.get(type);
          if (samples == null) {
            missing.add(type);
            continue;
          }
          for (FrameSample sample : samples) {
            String what = who + " sends " + type + " (" + sample.label() + ")";
            JsonObject frame = sample.frame().apply(new Attempt(scene, intruder));
            boolean allowed = sample.allowedFor().contains(who);
            long auditedBefore = denials(intruder, sample.audit(), scene);
            String ownBefore = ownPresence(intruder);
            JsonObject reply = exchange(intruder.ws(), frame, allowed && sample.reply() == null);
            if (allowed) {
              if (sample.reply() == null) {
                silentlyAllowed.add(reply.getString("ref"));
              } else {
                softly.assertThat(reply.getString("type")).as(what + ": allowed, answered " + reply).isEqualTo(sample.reply());
              }
              softly.assertThat(reply.encode()).as(what + ": the answer shows nothing of the victim's").doesNotContain(leaks(scene));
            } else {
              softly.assertThat(reply.getString("type") + " " + reply.getString("code")).as(what + ": answered " + reply)
                  .isEqualTo("error forbidden");
              softly.assertThat(ownPresence(intruder)).as(what + ": the refusal changed the sender's presence").isEqualTo(ownBefore);
              if (sample.audit() != Audit.NONE) {
                softly.assertThat(denials(intruder, sample.audit(), scene)).as(what + ": a denied audit_event row").isGreaterThan(auditedBefore);
              }
            }
            softly.assertThat(victim(scene)).as(what + ": the victim's conversation, messages, reads, participants, presence")
                .isEqualTo(victimBefore);
          }
        }
        // whatever was accepted without an answer was not refused later either
        intruder.ws().request(new JsonObject().put("type", "ping"));
        softly.assertThat(intruder.ws().all("error").stream().map(e -> e.getString("ref")).filter(silentlyAllowed::contains).toList())
            .as("refusals of frames the table allows").isEmpty();
        for (String type : List.of("message", "typing", "read")) {
          softly.assertThat(intruder.ws().all(type).toString()).as("the intruder's " + type + " frames")
              .doesNotContain(scene.secrets().toArray(String[]::new));
        }
        // and the victims were told nothing: no typing, read receipt, message, state change or close from the intruder
        scene.patient().ws().request(new JsonObject().put("type", "ping"));
        scene.nurse().ws().request(new JsonObject().put("type", "ping"));
        softly.assertThat(victimFrames(scene)).as("frames the victims' sockets received").isEqualTo(victimFrames);
        softly.assertThat(missing).as("registered frame types without a sample in AccessMatrixTest.FRAMES").isEmpty();
        softly.assertAll();
      }
    }
  }

  @Nested
  @DisplayName("over REST")
  class Rest {
    @ParameterizedTest(name = "{0}")
    @EnumSource(Intruder.class)
    @DisplayName("every endpoint touching patient data or administration is refused with 403 (unless the table allows it), changes nothing and is audited")
    void every_endpoint(Intruder who) {
      try (Stage stage = stage(who)) {
        Scene scene = stage.scene();
        Principal intruder = stage.intruder();
        SoftAssertions softly = new SoftAssertions();
        String victimBefore = victim(scene);
        for (Call call : CALLS) {
          String path = call.path().apply(scene);
          String what = who + " calls " + call.method() + " " + path;
          boolean allowed = call.allowedFor().contains(who);
          long auditedBefore = denials(intruder, call.audit(), scene);
          JsonObject body = call.body().apply(scene);
          HttpResponse<Buffer> response = t.send(call.method(), path, intruder.token(), body);
          if (allowed) {
            softly.assertThat(response.statusCode()).as(what + ": allowed, answered " + response.bodyAsString()).isEqualTo(call.status());
            softly.assertThat(String.valueOf(response.bodyAsString())).as(what + ": the answer shows nothing of the victim's").doesNotContain(leaks(scene));
          } else {
            softly.assertThat(response.statusCode()).as(what + ": answered " + response.bodyAsString()).isEqualTo(403);
            if (call.audit() != Audit.NONE) {
              softly.assertThat(denials(intruder, call.audit(), scene)).as(what + ": a denied audit_event row").isGreaterThan(auditedBefore);
            }
          }
          softly.assertThat(victim(scene)).as(what + ": the victim's conversation, messages, reads, participants, presence")
              .isEqualTo(victimBefore);
        }
        softly.assertAll();
      }
    }
  }

  // --- the scene ----------------------------------------------------------------------------------------------

  /** The victim's conversation and the intruder, signed in. */
  record Stage(Scene scene, Principal intruder) implements AutoCloseable {
    @Override
    public void close() {
      intruder.close();
      scene.close();
    }
  }

  /**
   * A pick-mode queue; the patient enters and the nurse takes the conversation; both write, the
   * nurse adds an internal note; both read. The nurse who serves the queue (when that is the
   * intruder) opens the conversation while it waits, as they may, and loses it when it is taken.
   */
  private static Stage stage(Intruder who) {
    String queue = unique("matrix");
    String spareQueue = unique("spare");
    Pro nurse = c.professional(unique("assigned"), "nurse", "available");
    UUID spareAccount = f.account(unique("spare-nurse"), "nurse");
    Principal intruder = intruder(who);
    if (who == Intruder.NURSE_OF_QUEUE) {
      c.createQueue(ChatFixtures.queue(queue, "pick"), nurse.id(), intruder.id());
    } else {
      c.createQueue(ChatFixtures.queue(queue, "pick"), nurse.id());
    }
    c.createQueue(ChatFixtures.queue(spareQueue, "pick"));
    Patient patient = c.anonymousPatient();
    String id = patient.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
    if (who == Intruder.NURSE_OF_QUEUE) {
      assertThat(intruder.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", id)).getString("type"))
          .isEqualTo("conversation");
    }
    assertThat(nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id)).getString("type"))
        .isEqualTo("conversation.state");
    if (who == Intruder.NURSE_OF_QUEUE) {
      assertThat(intruder.ws().awaitType("conversation.revoked").getString("reason")).isEqualTo("not_entitled");
    }
    String asked = "Victim asks " + UUID.randomUUID();
    String answered = "Nurse answers " + UUID.randomUUID();
    String noted = "Nurse notes " + UUID.randomUUID();
    assertThat(patient.ws().request(send(id, "p1", asked)).getString("type")).isEqualTo("message.ack");
    assertThat(nurse.ws().request(send(id, "n1", answered)).getString("type")).isEqualTo("message.ack");
    assertThat(nurse.ws().request(send(id, "n2", noted).put("internal", true)).getString("type")).isEqualTo("message.ack");
    UUID conversationId = UUID.fromString(id);
    long lastSeq = t.row("select last_seq from conversation where id = $1", conversationId).getLong(0);
    patient.ws().send(new JsonObject().put("type", "read").put("conversationId", id).put("seq", lastSeq));
    nurse.ws().await(fr -> "read".equals(fr.getString("type")) && "patient".equals(fr.getString("who")));
    nurse.ws().send(new JsonObject().put("type", "read").put("conversationId", id).put("seq", lastSeq));
    patient.ws().await(fr -> "read".equals(fr.getString("type")) && "professional".equals(fr.getString("who")));
    assertThat(t.row("select count(*) from conversation_read where conversation_id = $1", conversationId).getLong(0)).isEqualTo(2);
    Scene scene = new Scene(queue, spareQueue, spareAccount, patient, nurse, conversationId, lastSeq, List.of(asked, answered, noted));
    return new Stage(scene, intruder);
  }

  private static Principal intruder(Intruder who) {
    return switch (who) {
      case OTHER_PATIENT -> {
        Patient other = c.anonymousPatient();
        yield new Principal(other.id(), other.token(), other.ws());
      }
      case NURSE_OUTSIDE_QUEUE, NURSE_OF_QUEUE -> professional("nurse", Fixtures.ORG);
      case PARTNER -> {
        // a partner organisation of its own: partner seats are limited
        String org = unique("partner");
        TestApp.await(t.app.services().organisations().create(Fixtures.decode(new JsonObject().put("id", org).put("name", "Partner " + org)
            .put("kind", "partner").put("seatLimit", 1), Organisations.NewOrganisation.class)));
        yield professional("partner", org);
      }
      case SUPERVISOR -> professional("supervisor", Fixtures.ORG);
      case ADMIN -> professional("admin", Fixtures.ORG);
      case PLATFORM_ADMIN -> professional("platform_admin", Fixtures.ORG);
    };
  }

  private static Principal professional(String role, String organisation) {
    String username = unique(role);
    JsonObject created = TestApp.await(t.app.services().accounts().create(Fixtures.decode(new JsonObject().put("username", username)
        .put("password", Fixtures.PASSWORD).put("displayName", "Intruder " + username).put("role", role).put("organisationId", organisation)
        .put("languages", new JsonArray().add("fi")), Accounts.NewAccount.class)));
    String token = f.accessToken(username);
    return new Principal(UUID.fromString(created.getString("id")), token, WsClient.connect(t, token));
  }

  // --- observing ------------------------------------------------------------------------------------------------

  /**
   * Sends with a fresh ref and returns the answer carrying it. A frame accepted without an answer
   * is followed by a ping, whose pong comes back instead (its handler runs before the ping's).
   */
  private static JsonObject exchange(WsClient ws, JsonObject frame, boolean silent) {
    String ref = unique("ref");
    ws.send(frame.copy().put("ref", ref));
    if (!silent) {
      return ws.await(fr -> ref.equals(fr.getString("ref")));
    }
    String pingRef = unique("ping");
    ws.send(new JsonObject().put("type", "ping").put("ref", pingRef));
    JsonObject first = ws.await(fr -> ref.equals(fr.getString("ref")) || pingRef.equals(fr.getString("ref")));
    return pingRef.equals(first.getString("ref")) ? new JsonObject().put("type", "accepted").put("ref", ref) : first;
  }

  /** Everything about the victim's conversation that an attempt might change, and the assigned nurse's presence. */
  private static String victim(Scene s) {
    return t.row("select jsonb_build_object("
        + " 'conversation', (select to_jsonb(c) from conversation c where c.id = $1),"
        + " 'messages', (select jsonb_build_object('count', count(*), 'last', max(seq), 'bodies', md5(string_agg(body, '|' order by seq)))"
        + "   from message where conversation_id = $1),"
        + " 'reads', (select jsonb_agg(to_jsonb(r) order by r.reader_id) from conversation_read r where r.conversation_id = $1),"
        + " 'participants', (select jsonb_agg(to_jsonb(p) order by p.id) from conversation_participant p where p.conversation_id = $1),"
        + " 'presence', (select to_jsonb(pp) from professional_presence pp where pp.account_id = $2),"
        + " 'devices', (select jsonb_agg(to_jsonb(d) order by d.device_id) from professional_device d where d.account_id = $2)"
        + ")::text", s.conversationId(), s.nurse().id()).getString(0);
  }

  private static String ownPresence(Principal p) {
    return t.row("select jsonb_build_object("
        + " 'presence', (select to_jsonb(pp) from professional_presence pp where pp.account_id = $1),"
        + " 'devices', (select jsonb_agg(to_jsonb(d) order by d.device_id) from professional_device d where d.account_id = $1)"
        + ")::text", p.id()).getString(0);
  }

  /** The denied audit rows of the intruder of the kind an attempt must leave. */
  private static long denials(Principal p, Audit audit, Scene s) {
    return switch (audit) {
      case PATIENT -> t.row("select count(*) from audit_event where actor_id = $1 and outcome = 'denied' and patient_id = $2",
          p.id(), s.patient().id()).getLong(0);
      case SYSTEM -> t.row("select count(*) from audit_event where actor_id = $1 and outcome = 'denied' and resource_type = 'system'",
          p.id()).getLong(0);
      case NONE -> 0;
    };
  }

  /** What an answer to an intruder must never contain: the conversation's id and its texts. */
  private static String[] leaks(Scene s) {
    List<String> out = new ArrayList<>(s.secrets());
    out.add(s.conversationId().toString());
    return out.toArray(String[]::new);
  }

  private static final List<String> TOLD = List.of("typing", "read", "message", "conversation.state", "conversation.closed",
      "conversation.revoked", "conversation.withdrawn", "presence", "error");

  /** How many frames of each kind the victims' sockets have received. */
  private static Map<String, Integer> victimFrames(Scene s) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String type : TOLD) {
      out.put("patient " + type, s.patient().ws().all(type).size());
      out.put("nurse " + type, s.nurse().ws().all(type).size());
    }
    return out;
  }
}
