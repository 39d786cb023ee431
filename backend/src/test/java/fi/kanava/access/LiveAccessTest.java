package fi.kanava.access;

import static fi.kanava.support.ChatFixtures.enter;
import static fi.kanava.support.ChatFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fi.kanava.conversation.ConversationEvents;
import fi.kanava.conversation.ParticipantKind;
import fi.kanava.conversation.Participants;
import fi.kanava.conversation.PatientView;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.HttpAssertions;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Access is live: what a socket receives follows, at once, who may see the conversation. Real
 * PostgreSQL, real WebSockets, the injected clock; every wait is for a frame or a database fact.
 */
@DisplayName("Live access: a socket sees a conversation only while its principal may")
class LiveAccessTest {
  /** What the triage summary of {@link #FEVER} shows professionals: the text of the chosen answer. */
  private static final String TRIAGE_ANSWER = "Kuume";
  private static final Map<String, Object> FEVER = Map.of("breathing", false, "topic", "fever");

  static TestApp t;
  static Fixtures f;
  static ChatFixtures c;
  static int counter;

  @BeforeAll
  static void start() {
    t = TestApp.start();
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  // --- frames and facts -----------------------------------------------------------------------------------

  private static String unique(String prefix) {
    return prefix + "-" + (++counter);
  }

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  private static JsonObject about(String type, String conversationId) {
    return new JsonObject().put("type", type).put("conversationId", conversationId);
  }

  private static JsonObject open(String conversationId) {
    return about("conversation.open", conversationId);
  }

  private static JsonObject take(String conversationId) {
    return about("conversation.take", conversationId);
  }

  private static JsonObject typing(String conversationId) {
    return about("typing", conversationId).put("typing", true);
  }

  private static JsonObject read(String conversationId, long seq) {
    return about("read", conversationId).put("seq", seq);
  }

  private static JsonObject close(String conversationId) {
    return about("conversation.close", conversationId).put("outcome", "resolved");
  }

  private static JsonObject note(String conversationId, String clientMsgId, String text) {
    return send(conversationId, clientMsgId, text).put("internal", true);
  }

  private static Predicate<JsonObject> message(String text) {
    return fr -> "message".equals(type(fr)) && text.equals(fr.getString("text"));
  }

  /** Sends the frame and expects it refused with {@code code} (a frame accepted silently fails by timing out). */
  private static void assertRefused(WsClient ws, JsonObject frame, String code) {
    JsonObject answer = ws.request(frame);
    assertThat(type(answer)).as(answer.encode()).isEqualTo("error");
    assertThat(answer.getString("code")).as(answer.encode()).isEqualTo(code);
  }

  private static String conversationOf(JsonObject reply) {
    assertThat(reply.getJsonObject("conversation")).as(reply.encode()).isNotNull();
    return reply.getJsonObject("conversation").getString("id");
  }

  /** The reasons of the audit rows of one actor, action, purpose and outcome on one conversation, oldest first. */
  private static List<String> audited(UUID actor, String conversationId, String action, String purpose, String outcome) {
    return t.rows("select reason from audit_event where actor_id = $1 and resource_id = $2 and action = $3 and purpose = $4"
            + " and outcome = $5 order by id", actor, conversationId, action, purpose, outcome)
        .stream().map(row -> row.getString(0)).toList();
  }

  private static long readRows(UUID reader, String conversationId) {
    return t.row("select count(*) from conversation_read where reader_id = $1 and conversation_id = $2", reader,
        UUID.fromString(conversationId)).getLong(0);
  }

  private static void joinAsConsultant(String conversationId, UUID account) {
    TestApp.await(t.pool().withTransaction(tx ->
        Participants.join(tx, UUID.fromString(conversationId), ParticipantKind.CONSULTANT, account, t.clock.instant())));
  }

  /** The consultation ends and, as every feature that changes participants must, the watchers are told the new facts. */
  private static void leaveAsConsultant(String conversationId, UUID account) {
    UUID id = UUID.fromString(conversationId);
    TestApp.await(t.pool().withTransaction(tx -> Participants.leave(tx, id, ParticipantKind.CONSULTANT, account, t.clock.instant())));
    var conversations = t.app.services().conversations();
    conversations.stateChanged(TestApp.await(conversations.load(id)));
  }

  /** Texts and notes (not system messages) a socket has received. */
  private static List<String> texts(WsClient ws) {
    return ws.all("message").stream().filter(m -> !"system".equals(m.getString("kind"))).map(m -> m.getString("text")).toList();
  }

  // --- 1 ---------------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("a professional previewing a waiting conversation")
  class Previewing {
    @Test
    @DisplayName("may read it while it waits, audited, but may not type or mark it read: a previewer is no participant")
    void a_previewer_reads_but_does_not_take_part() {
      String queue = unique("preview");
      try (Pro a = c.professional(unique("previewer"), "nurse", null); Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "pick"), a.id());
        String id = conversationOf(p.ws().request(enter(queue, FEVER)));

        JsonObject preview = a.ws().request(open(id));
        assertThat(type(preview)).as(preview.encode()).isEqualTo("conversation");
        assertThat(preview.getJsonObject("conversation").getJsonArray("triage").encode()).contains(TRIAGE_ANSWER);
        a.ws().awaitType("conversation.synced");
        assertThat(audited(a.id(), id, "conversation.read", "open", "allowed")).containsExactly("queue_server_waiting");

        assertRefused(a.ws(), typing(id), "forbidden");
        assertRefused(a.ws(), read(id, 1), "forbidden");
        assertThat(audited(a.id(), id, "conversation.participate", "typing", "denied")).containsExactly("not_participant");
        assertThat(audited(a.id(), id, "conversation.participate", "read", "denied")).containsExactly("not_participant");
        assertThat(readRows(a.id(), id)).isZero();

        // the patient's own typing still reaches the previewer, so the refusals above are not a dead socket
        p.ws().send(typing(id));
        assertThat(a.ws().awaitType("typing").getString("who")).isEqualTo("patient");
        assertThat(p.ws().all("typing")).isEmpty();
        assertThat(p.ws().all("read")).isEmpty();
      }
    }

    @Test
    @DisplayName("loses it the moment a colleague takes it: told at once, shown nothing more, and every later attempt is refused and audited")
    void a_previewer_loses_live_access_when_a_colleague_takes_the_conversation() {
      String queue = unique("taken");
      try (Pro a = c.professional(unique("nurse-a"), "nurse", null); Pro b = c.professional(unique("nurse-b"), "nurse", null);
          Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "pick"), a.id(), b.id());
        String id = conversationOf(p.ws().request(enter(queue, FEVER)));
        assertThat(type(a.ws().request(open(id)))).isEqualTo("conversation");
        a.ws().awaitType("conversation.synced");

        JsonObject taken = b.ws().request(take(id));
        assertThat(type(taken)).as(taken.encode()).isEqualTo("conversation.state");
        // taking is allowed (and audited) as a read by someone serving the queue it waits in
        assertThat(audited(b.id(), id, "conversation.read", "take", "allowed")).containsExactly("queue_server_waiting");
        JsonObject revoked = a.ws().awaitType("conversation.revoked");
        assertThat(revoked.getString("conversationId")).isEqualTo(id);
        assertThat(revoked.getString("reason")).isEqualTo("not_entitled");

        // the conversation goes on between the patient and B; both ends see it, so it was published
        long patientSeq = p.ws().request(send(id, "p1", "Minulla on lämpöä kolmatta päivää.")).getLong("seq");
        b.ws().await(message("Minulla on lämpöä kolmatta päivää."));
        b.ws().request(note(id, "n1", "Sisäinen: soita takaisin iltapäivällä"));
        b.ws().await(message("Sisäinen: soita takaisin iltapäivällä"));
        b.ws().request(send(id, "b1", "Hei, olen hoitaja B."));
        p.ws().await(message("Hei, olen hoitaja B."));

        // A's frames about it are refused, change nothing, and are audited
        assertRefused(a.ws(), typing(id), "forbidden");
        assertRefused(a.ws(), read(id, patientSeq), "forbidden");
        assertRefused(a.ws(), open(id), "forbidden");
        assertThat(t.get("/api/conversations/" + id + "/messages", a.token()).statusCode()).isEqualTo(403);
        assertThat(readRows(a.id(), id)).isZero();
        assertThat(audited(a.id(), id, "conversation.participate", "typing", "denied")).containsExactly("not_entitled");
        assertThat(audited(a.id(), id, "conversation.participate", "read", "denied")).containsExactly("not_entitled");
        assertThat(audited(a.id(), id, "conversation.read", "open", "denied")).containsExactly("not_entitled");
        assertThat(audited(a.id(), id, "conversation.read", "history", "denied")).containsExactly("not_entitled");

        // every refusal above took a database round trip after the messages were out: A got none of them
        assertThat(texts(a.ws())).isEmpty();
        assertThat(a.ws().received()).noneMatch(fr -> fr.encode().contains("Sisäinen") || fr.encode().contains("lämpöä"));
        assertThat(a.ws().all("conversation.state")).isEmpty();
        assertThat(p.ws().all("typing")).isEmpty();
        assertThat(p.ws().all("read")).isEmpty();
      }
    }

    @Test
    @DisplayName("does not start watching when a colleague takes it between the preview's access check and its subscription")
    void an_open_racing_a_take_does_not_leave_a_live_watch() {
      String queue = unique("race");
      long hold = 0x4B414E41L; // an advisory lock key of this test's own
      try (Pro a = c.professional(unique("racer-a"), "nurse", null); Pro b = c.professional(unique("racer-b"), "nurse", null);
          Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "pick"), a.id(), b.id());
        String id = conversationOf(p.ws().request(enter(queue, FEVER)));
        // A's preview is held after its access check: the audit row of the check waits for a lock this test holds
        PgConnection control = TestApp.await(PgConnection.connect(t.vertx, t.db.app().connectOptions()));
        try {
          TestApp.await(control.query("select pg_advisory_lock(" + hold + ")").execute());
          t.ownerRows("create function live_access_hold() returns trigger language plpgsql as $$"
              + " begin perform pg_advisory_xact_lock(" + hold + "); return new; end $$");
          t.ownerRows("create trigger live_access_hold before insert on audit_event for each row when (new.actor_id = '" + a.id()
              + "'::uuid and new.purpose = 'open') execute function live_access_hold()");
          a.ws().send(open(id).put("ref", "racing-open"));
          t.awaitTrue("select count(*) > 0 from pg_locks where locktype = 'advisory' and not granted and objsubid = 1"
              + " and classid::bigint * 4294967296 + objid::bigint = " + hold
              + " and database = (select oid from pg_database where datname = current_database())");

          assertThat(type(b.ws().request(take(id)))).isEqualTo("conversation.state");
          TestApp.await(control.query("select pg_advisory_unlock(" + hold + ")").execute());

          JsonObject answer = a.ws().await(fr -> "racing-open".equals(fr.getString("ref")));
          assertThat(type(answer)).as("the preview must not start once the conversation is B's: " + answer.encode()).isEqualTo("error");
          assertThat(answer.getString("code")).isEqualTo("forbidden");
        } finally {
          // closing the control connection releases the lock first, so a held insert cannot block the drop
          TestApp.await(control.close());
          t.ownerRows("drop trigger if exists live_access_hold on audit_event");
          t.ownerRows("drop function if exists live_access_hold()");
        }
        p.ws().request(send(id, "p1", "Oletko siellä?"));
        b.ws().await(message("Oletko siellä?"));
        assertRefused(a.ws(), typing(id), "forbidden");
        assertThat(texts(a.ws())).isEmpty();
        // the trail shows both: the check that passed while it waited, and the refusal once it was B's
        assertThat(audited(a.id(), id, "conversation.read", "open", "allowed")).containsExactly("queue_server_waiting");
        assertThat(audited(a.id(), id, "conversation.read", "watch", "denied")).containsExactly("not_entitled");
      }
    }
  }

  // --- 2 ---------------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("every read of a patient's conversation by a professional")
  class Audit {
    @Test
    @DisplayName("is audited with its purpose, and the patient's access log shows each of them")
    void every_read_is_audited_with_its_purpose() {
      String queue = unique("audit");
      String username = unique("auditee");
      Pro nurse = c.professional(username, "nurse", null);
      try (Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "auto"), nurse.id());
        String id = conversationOf(p.ws().request(enter(queue, FEVER)));
        nurse.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
        JsonObject offer = nurse.ws().awaitType("conversation.offer");
        assertThat(offer.getJsonObject("conversation").getString("id")).isEqualTo(id);
        assertThat(audited(nurse.id(), id, "conversation.read", "offer", "allowed")).containsExactly("assigned");

        // the console reconnects before accepting: the offer, with the triage, comes again and that read is audited too
        nurse.ws().close();
        try (WsClient console = WsClient.connect(t, nurse.token())) {
          JsonObject resent = console.awaitType("conversation.offer");
          assertThat(resent.getJsonObject("conversation").getJsonArray("triage").encode()).contains(TRIAGE_ANSWER);
          assertThat(audited(nurse.id(), id, "conversation.read", "offer_resend", "allowed")).containsExactly("assigned");

          JsonObject accepted = console.request(about("conversation.accept", id));
          assertThat(type(accepted)).as(accepted.encode()).isEqualTo("conversation.state");
          assertThat(audited(nurse.id(), id, "conversation.read", "accept", "allowed")).containsExactly("assigned");

          var list = t.get("/api/console/conversations", nurse.token());
          assertThat(list.statusCode()).isEqualTo(200);
          assertThat(list.bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("id"))).containsExactly(id);
          assertThat(audited(nurse.id(), id, "conversation.read", "console_list", "allowed")).containsExactly("assigned");

          var history = t.get("/api/conversations/" + id + "/messages", nurse.token());
          assertThat(history.statusCode()).isEqualTo(200);
          assertThat(audited(nurse.id(), id, "conversation.read", "history", "allowed")).containsExactly("assigned");

          long seq = p.ws().request(send(id, "p1", "Hei")).getLong("seq");
          console.await(message("Hei"));
          JsonObject resumed = console.request(open(id).put("afterSeq", seq - 1));
          assertThat(type(resumed)).as(resumed.encode()).isEqualTo("conversation");
          assertThat(audited(nurse.id(), id, "conversation.read", "resume", "allowed")).containsExactly("assigned");
          // resuming from the start is an open, not a resume
          assertThat(audited(nurse.id(), id, "conversation.read", "open", "allowed")).isEmpty();
        }

        var log = t.get("/api/patient/access-log", p.token());
        assertThat(log.statusCode()).isEqualTo(200);
        List<JsonObject> entries = log.bodyAsJsonArray().stream().map(JsonObject.class::cast).toList();
        List<JsonObject> byNurse = entries.stream().filter(e -> ("Test " + username).equals(e.getString("actorName"))).toList();
        assertThat(byNurse).extracting(e -> e.getString("purpose"))
            .containsExactlyInAnyOrder("offer", "offer_resend", "accept", "console_list", "history", "resume");
        assertThat(byNurse).allSatisfy(e -> {
          assertThat(e.getString("outcome")).isEqualTo("allowed");
          assertThat(e.getString("actorKind")).isEqualTo("professional");
          assertThat(e.getString("actorRole")).isEqualTo("nurse");
          assertThat(e.getString("organisation")).isEqualTo("Test area");
          assertThat(e.getString("action")).isEqualTo("conversation.read");
        });
        // newest first: the resume was the last read
        assertThat(byNurse.get(0).getString("purpose")).isEqualTo("resume");
      }
    }
  }

  // --- 3 ---------------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("professional-only data, by construction")
  class Views {
    /** What a patient may see of their conversation. Adding anything here must be a decision, not an accident. */
    private static final List<String> PATIENT_VIEW = List.of("id", "queueId", "state", "urgency", "language", "municipality",
        "enqueuedAt", "assignedAt", "acceptedAt", "professional", "lastSeq", "readUpTo", "outcome", "outcomeDetail", "position",
        "estimatedWaitSeconds", "estimatedWaitLowSeconds", "estimatedWaitHighSeconds", "noEstimateReason", "transfer");
    private static final List<String> PATIENT_VIEW_PROFESSIONAL = List.of("name", "role");
    /** The current transfer as the patient sees it: where to and their consent answer, never the handover note. */
    private static final List<String> PATIENT_VIEW_TRANSFER = List.of("transferId", "target", "answerBy", "consent", "decidedAt");
    private static final List<String> PATIENT_VIEW_READ_UP_TO = List.of("patient", "professional");

    private static List<String> components(Class<?> record) {
      return Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
    }

    @Test
    @DisplayName("the patient's view has exactly the fields a patient may see")
    void the_patient_view_holds_only_what_a_patient_may_see() {
      assertThat(components(PatientView.class)).containsExactlyElementsOf(PATIENT_VIEW);
      assertThat(components(PatientView.Professional.class)).containsExactlyElementsOf(PATIENT_VIEW_PROFESSIONAL);
      assertThat(components(PatientView.ReadUpTo.class)).containsExactlyElementsOf(PATIENT_VIEW_READ_UP_TO);
      assertThat(components(PatientView.Transfer.class)).containsExactlyElementsOf(PATIENT_VIEW_TRANSFER);
    }

    @Test
    @DisplayName("no frame a patient's socket receives in a whole conversation, and nothing on the patient's address, carries triage, notes or the professional's id")
    void nothing_professional_only_reaches_a_patient() {
      String queue = unique("views");
      String noteText = "Sisäinen muistiinpano 4471: epäily virtsatieinfektiosta";
      String nurseName = unique("viewer");
      try (Pro nurse = c.professional(nurseName, "nurse", null); Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "auto"), nurse.id());
        String id = conversationOf(p.ws().request(enter(queue, FEVER)));
        List<JsonObject> onPatientAddress = new ArrayList<>();
        MessageConsumer<JsonObject> spy = t.vertx.eventBus().consumer(ConversationEvents.forPatient(UUID.fromString(id)), msg -> {
          synchronized (onPatientAddress) {
            onPatientAddress.add(msg.body());
            onPatientAddress.notifyAll();
          }
        });
        TestApp.await(spy.completion());
        try {
          // only now is the nurse available: the offer and everything after it pass the spy
          nurse.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
          JsonObject offer = nurse.ws().awaitType("conversation.offer");
          JsonObject staffView = offer.getJsonObject("conversation");
          assertThat(staffView.getJsonArray("triage").encode()).contains(TRIAGE_ANSWER);
          assertThat(staffView.getJsonObject("patient").getString("kind")).isEqualTo("anonymous");
          assertThat(staffView.getJsonObject("professional").getString("id")).isEqualTo(nurse.id().toString());

          nurse.ws().request(about("conversation.accept", id));
          p.ws().await(fr -> "conversation.state".equals(type(fr)) && fr.getJsonObject("conversation").getString("acceptedAt") != null);
          nurse.ws().request(send(id, "n1", "Hei, miten voin auttaa?"));
          p.ws().await(message("Hei, miten voin auttaa?"));
          p.ws().send(typing(id));
          nurse.ws().awaitType("typing");
          long seq = p.ws().request(send(id, "p1", "Minulla on lämpöä.")).getLong("seq");
          nurse.ws().await(message("Minulla on lämpöä."));
          nurse.ws().send(read(id, seq));
          p.ws().awaitType("read");
          nurse.ws().send(typing(id));
          p.ws().awaitType("typing");
          nurse.ws().request(note(id, "n2", noteText));
          nurse.ws().await(message(noteText));
          nurse.ws().request(send(id, "n3", "Varaan sinulle ajan."));
          p.ws().await(message("Varaan sinulle ajan."));
          assertThat(type(nurse.ws().request(close(id)))).isEqualTo("conversation.closed");
          p.ws().awaitType("conversation.closed");
          awaitOnAddress(onPatientAddress, e -> "state".equals(e.getString("event"))
              && "closed".equals(e.getJsonObject("view").getJsonObject("conversation").getString("state")));

          // the staff view carries what must not reach the patient, so the checks below are not vacuous
          String nurseId = nurse.id().toString();
          List<JsonObject> frames = p.ws().received();
          List<JsonObject> views = frames.stream().filter(fr -> fr.getValue("conversation") instanceof JsonObject)
              .map(fr -> fr.getJsonObject("conversation")).toList();
          assertThat(views).hasSizeGreaterThanOrEqualTo(3);
          for (JsonObject fr : frames) {
            String encoded = fr.encode();
            assertThat(encoded).as(encoded).doesNotContain(TRIAGE_ANSWER).doesNotContain(noteText).doesNotContain("Aihe?");
            assertThat(keyPaths(fr, "")).as(encoded).noneMatch(path -> path.endsWith("triage"))
                .noneMatch(path -> path.endsWith("participants"))
                // readUpTo.patient is the patient's own read position; any other "patient" is who the patient is
                .noneMatch(path -> path.endsWith("patient") && !path.endsWith("readUpTo.patient"));
          }
          for (JsonObject view : views) {
            assertThat(view.fieldNames()).as(view.encode()).isSubsetOf(PATIENT_VIEW);
            assertThat(view.encode()).as(view.encode()).doesNotContain(nurseId);
            if (view.getValue("professional") instanceof JsonObject professional) {
              assertThat(professional.fieldNames()).isSubsetOf(PATIENT_VIEW_PROFESSIONAL);
            }
          }
          assertThat(texts(p.ws())).containsExactly("Hei, miten voin auttaa?", "Minulla on lämpöä.", "Varaan sinulle ajan.");
          var history = t.get("/api/conversations/" + id + "/messages", p.token());
          assertThat(history.statusCode()).isEqualTo(200);
          assertThat(history.bodyAsString()).doesNotContain(noteText).doesNotContain(TRIAGE_ANSWER);

          List<JsonObject> events;
          synchronized (onPatientAddress) {
            events = List.copyOf(onPatientAddress);
          }
          assertThat(events).anyMatch(e -> "message".equals(e.getString("event")));
          for (JsonObject e : events) {
            assertThat(e.encode()).as(e.encode()).doesNotContain(noteText).doesNotContain("triage").doesNotContain(TRIAGE_ANSWER)
                .doesNotContain("\"note\"").doesNotContain("\\\"note\\\"");
            assertThat(e.containsKey("facts")).isFalse();
          }
        } finally {
          TestApp.await(spy.unregister());
        }
      }
    }

    /** Every key path in a JSON value ("conversation.readUpTo.patient"), through objects and arrays. */
    private static List<String> keyPaths(Object value, String prefix) {
      List<String> out = new ArrayList<>();
      if (value instanceof JsonObject object) {
        for (String key : object.fieldNames()) {
          String path = prefix.isEmpty() ? key : prefix + "." + key;
          out.add(path);
          out.addAll(keyPaths(object.getValue(key), path));
        }
      } else if (value instanceof JsonArray array) {
        array.forEach(item -> out.addAll(keyPaths(item, prefix)));
      }
      return out;
    }

    private static void awaitOnAddress(List<JsonObject> seen, Predicate<JsonObject> match) {
      long deadline = System.currentTimeMillis() + 15_000;
      synchronized (seen) {
        while (seen.stream().noneMatch(match)) {
          long left = deadline - System.currentTimeMillis();
          if (left <= 0) {
            throw new AssertionError("timed out waiting on the patient's address; got " + seen);
          }
          try {
            seen.wait(left);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
          }
        }
      }
    }
  }

  // --- 4 ---------------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("a participant")
  class Consultants {
    @Test
    @DisplayName("reads and writes while a consultant, and loses the watch and the pen the moment the consultation ends")
    void a_consultant_has_access_only_while_participating() {
      String queue = unique("consult");
      try (Pro b = c.professional(unique("assigned"), "nurse", null); Pro consultant = c.professional(unique("consultant"), "nurse", null);
          Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "pick"), b.id());
        String id = conversationOf(p.ws().request(enter(queue, FEVER)));
        b.ws().request(take(id));

        // not a member of the queue, not assigned: nothing before joining
        assertRefused(consultant.ws(), open(id), "forbidden");
        assertThat(audited(consultant.id(), id, "conversation.read", "open", "denied")).containsExactly("not_entitled");

        joinAsConsultant(id, consultant.id());
        JsonObject opened = consultant.ws().request(open(id));
        assertThat(type(opened)).as(opened.encode()).isEqualTo("conversation");
        assertThat(opened.getJsonObject("conversation").getJsonArray("participants").encode())
            .contains("consultant").contains(consultant.id().toString());
        consultant.ws().awaitType("conversation.synced");
        assertThat(audited(consultant.id(), id, "conversation.read", "open", "allowed")).containsExactly("consultant");

        JsonObject ack = consultant.ws().request(send(id, "c1", "Konsultoiva hoitaja tässä."));
        assertThat(type(ack)).as(ack.encode()).isEqualTo("message.ack");
        p.ws().await(message("Konsultoiva hoitaja tässä."));
        b.ws().await(message("Konsultoiva hoitaja tässä."));
        consultant.ws().send(typing(id));
        assertThat(p.ws().awaitType("typing").getString("who")).isEqualTo("professional");

        leaveAsConsultant(id, consultant.id());
        JsonObject revoked = consultant.ws().awaitType("conversation.revoked");
        assertThat(revoked.getString("conversationId")).isEqualTo(id);
        assertThat(revoked.getString("reason")).isEqualTo("not_entitled");

        p.ws().request(send(id, "p1", "Kiitos molemmille."));
        b.ws().await(message("Kiitos molemmille."));
        assertRefused(consultant.ws(), send(id, "c2", "Vielä yksi asia."), "forbidden");
        assertRefused(consultant.ws(), typing(id), "forbidden");
        assertThat(audited(consultant.id(), id, "conversation.write", "message", "denied")).containsExactly("not_entitled");
        assertThat(t.row("select count(*) from message where conversation_id = $1 and sender_id = $2", UUID.fromString(id),
            consultant.id()).getLong(0)).isEqualTo(1);
        assertThat(texts(consultant.ws())).containsExactly("Konsultoiva hoitaja tässä.");
      }
    }
  }

  // --- 5 ---------------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("an account disabled by an admin")
  class DisabledAccounts {
    @Test
    @DisplayName("has every open socket closed at once, and its access token opens no new one and calls nothing")
    void disabling_an_account_ends_its_sockets() {
      String queue = unique("disabled");
      String username = unique("leaver");
      String adminName = unique("admin");
      f.account(adminName, "admin");
      String admin = f.accessToken(adminName);
      try (Pro nurse = c.professional(username, "nurse", null); WsClient tablet = WsClient.connect(t, nurse.token());
          Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "pick"), nurse.id());
        String id = conversationOf(p.ws().request(enter(queue, FEVER)));
        nurse.ws().request(take(id));

        var disabled = t.post("/api/admin/accounts/" + nurse.id() + "/disable", admin, null);
        assertThat(disabled.statusCode()).as(disabled.bodyAsString()).isEqualTo(200);
        for (WsClient socket : List.of(nurse.ws(), tablet)) {
          JsonObject error = socket.awaitType("error");
          assertThat(error.getString("code")).isEqualTo("account_disabled");
          assertThat(socket.awaitClose()).isEqualTo((short) 4401);
        }

        // the access token has not expired, but it is revoked: it opens no socket and no REST call
        assertThatThrownBy(() -> WsClient.open(t, List.of("kanava.v1", "kanava.auth." + nurse.token()), null))
            .hasMessageContaining("401");
        HttpAssertions.assertError(t.get("/api/console/conversations", nurse.token()), 401, "token_revoked");
      }
    }
  }

  // --- 6 ---------------------------------------------------------------------------------------------------

  @Nested
  @DisplayName("closing a conversation")
  class Closing {
    @Test
    @DisplayName("by the assigned professional reaches every socket watching it, once, and a former previewer nothing")
    void a_close_reaches_every_watcher() {
      String queue = unique("close");
      try (Pro a = c.professional(unique("looker"), "nurse", null); Pro b = c.professional(unique("closer"), "nurse", null);
          Pro consultant = c.professional(unique("second-opinion"), "nurse", null); Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "pick"), a.id(), b.id());
        String id = conversationOf(p.ws().request(enter(queue, FEVER)));
        a.ws().request(open(id));
        b.ws().request(take(id));
        a.ws().awaitType("conversation.revoked");
        joinAsConsultant(id, consultant.id());
        consultant.ws().request(open(id));
        try (WsClient bTablet = WsClient.connect(t, b.token()); WsClient patientPhone = WsClient.connect(t, p.token())) {
          assertThat(type(bTablet.request(open(id)))).isEqualTo("conversation");
          assertThat(type(patientPhone.request(open(id)))).isEqualTo("conversation");
          bTablet.awaitType("conversation.synced");
          patientPhone.awaitType("conversation.synced");

          JsonObject closed = b.ws().request(close(id));
          assertThat(type(closed)).as(closed.encode()).isEqualTo("conversation.closed");
          for (WsClient watcher : List.of(p.ws(), patientPhone, bTablet, consultant.ws())) {
            assertThat(watcher.awaitType("conversation.closed").getString("outcome")).isEqualTo("resolved");
            JsonObject state = watcher.await(fr -> "conversation.state".equals(type(fr))
                && "closed".equals(fr.getJsonObject("conversation").getString("state")));
            assertThat(state.getJsonObject("conversation").getString("outcome")).isEqualTo("resolved");
          }
          // the closer's own socket: its reply, and the state, but no second conversation.closed
          b.ws().await(fr -> "conversation.state".equals(type(fr)) && "closed".equals(fr.getJsonObject("conversation").getString("state")));
          // ending twice is harmless: refused as closed, nobody is told again
          assertRefused(b.ws(), close(id), "conversation_closed");
          assertRefused(p.ws(), send(id, "late", "Vielä yksi asia"), "conversation_closed");
          for (WsClient watcher : List.of(b.ws(), p.ws(), patientPhone, bTablet, consultant.ws())) {
            assertThat(watcher.all("conversation.closed")).hasSize(1);
          }
          assertThat(a.ws().all("conversation.closed")).isEmpty();
          assertThat(a.ws().all("conversation.state")).isEmpty();
        }
      }
    }

    @Test
    @DisplayName("while it waits ends a previewer's watch: the patient left, so the previewer is told it is gone")
    void a_previewer_watch_ends_when_the_waiting_conversation_closes() {
      String queue = unique("left");
      try (Pro a = c.professional(unique("glancer"), "nurse", null); Patient p = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue(queue, "pick"), a.id());
        String id = conversationOf(p.ws().request(enter(queue, FEVER)));
        a.ws().request(open(id));
        a.ws().awaitType("conversation.synced");

        JsonObject left = p.ws().request(about("queue.leave", id));
        assertThat(left.getString("outcome")).isEqualTo("abandoned");
        JsonObject revoked = a.ws().awaitType("conversation.revoked");
        assertThat(revoked.getString("conversationId")).isEqualTo(id);
        assertRefused(a.ws(), open(id), "forbidden");
        assertThat(audited(a.id(), id, "conversation.read", "open", "denied")).containsExactly("not_entitled");
        assertThat(a.ws().all("conversation.state")).isEmpty();
      }
    }
  }
}
