package fi.kanava.rtc;

import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Calls from a chat end to end (docs/protocol.md, "Calls"): the nurse assigned to a chat and its
 * patient, each a webrtc-java peer in this JVM, signal through the server over real sockets; the
 * database, the clock and the sweep are the server's own.
 */
@DisplayName("Calls from a chat, signalled through the server between real WebRTC peers")
class RtcSignallingTest {
  static final String VALID_SDP = SignalValidationTest.SDP;
  static final String SCRAPE_TOKEN = "rtc-test-scrape-token-0123456789abcdef";
  static PeerConnectionFactory factory;

  TestApp t;
  Fixtures f;
  ChatFixtures c;
  Pro nurse;
  Patient patient;
  String conversationId;

  @BeforeAll
  static void nativePeers() {
    factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
  }

  @AfterAll
  static void disposeNativePeers() {
    if (factory != null) {
      factory.dispose();
    }
  }

  @BeforeEach
  void start() {
    // a peer sends an offer and a handful of candidates in a burst; the default burst suits chat, not this test's two restarts
    t = TestApp.start(Map.of("ws.rate-limit-burst", "200", "rtc.reconnect-grace", "PT30S", "rtc.ring-timeout", "PT45S",
        "metrics.scrape-token", SCRAPE_TOKEN));
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
    nurse = c.professional("nurse-call", "nurse", "available");
    c.createQueue(ChatFixtures.queue("chat", "auto"), nurse.id());
    patient = c.anonymousPatient();
    conversationId = activeChat(patient, nurse);
  }

  @AfterEach
  void stop() {
    patient.close();
    nurse.close();
    t.close();
  }

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  /** The patient's chat in "chat", accepted by the nurse. */
  private static String activeChat(Patient p, Pro pro) {
    return ChatFixtures.activeChat(p, pro, "chat");
  }

  private static JsonObject frame(String type, String callId) {
    return new JsonObject().put("type", type).put("callId", callId);
  }

  /** The nurse calls; the patient's socket rings. */
  private String ring() {
    JsonObject call = nurse.ws().request(new JsonObject().put("type", "rtc.invite").put("conversationId", conversationId));
    assertThat(type(call)).as(call.encode()).isEqualTo("rtc.call");
    assertThat(call.getString("state")).isEqualTo("ringing");
    String callId = call.getString("callId");
    JsonObject incoming = patient.ws().awaitType("rtc.incoming");
    assertThat(incoming.getString("callId")).isEqualTo(callId);
    assertThat(incoming.getString("conversationId")).isEqualTo(conversationId);
    assertThat(incoming.getJsonObject("from").getString("name")).isEqualTo("Test nurse-call");
    assertThat(incoming.getJsonObject("from").getString("role")).isEqualTo("nurse");
    return callId;
  }

  private static JsonObject join(WsClient ws, String callId) {
    JsonObject joined = ws.request(frame("rtc.join", callId));
    assertThat(type(joined)).as(joined.encode()).isEqualTo("rtc.joined");
    return joined;
  }

  /** Both joined: the nurse's and the patient's peer ids. */
  private record Joined(String callId, String nursePeer, String patientPeer) {}

  private Joined bothJoined() {
    String callId = ring();
    JsonObject nurseJoin = join(nurse.ws(), callId);
    assertThat(nurseJoin.getJsonArray("peers")).isEmpty();
    JsonObject patientJoin = join(patient.ws(), callId);
    String nursePeer = nurseJoin.getString("peerId");
    String patientPeer = patientJoin.getString("peerId");
    JsonObject existing = patientJoin.getJsonArray("peers").getJsonObject(0);
    assertThat(existing.getString("peerId")).isEqualTo(nursePeer);
    assertThat(existing.getString("role")).isEqualTo("professional");
    assertThat(existing.getString("name")).isEqualTo("Test nurse-call");
    JsonObject peerJoined = nurse.ws().awaitType("rtc.peer-joined");
    assertThat(peerJoined.getJsonObject("peer").getString("peerId")).isEqualTo(patientPeer);
    assertThat(peerJoined.getJsonObject("peer").getString("role")).isEqualTo("patient");
    return new Joined(callId, nursePeer, patientPeer);
  }

  private Row call(String callId) {
    return t.row("select state, end_reason, connected, ended_at from call where id = $1", UUID.fromString(callId));
  }

  /** A frame that goes through the same relay after the ones before it: once it arrives, anything relayed earlier has too. */
  private void marker(Joined j) {
    patient.ws().send(new JsonObject().put("type", "rtc.media").put("callId", j.callId()).put("audio", false).put("video", false));
    JsonObject media = nurse.ws().awaitType("rtc.media");
    assertThat(media.getString("from")).isEqualTo(j.patientPeer());
    assertThat(media.getBoolean("audio")).isFalse();
  }

  @Test
  @DisplayName("nurse and patient complete a call: audio, a data-channel message each way, an ICE restart that keeps it, hang-up")
  void completes_a_call() throws Exception {
    Joined j = bothJoined();
    assertThat(call(j.callId()).getString("state")).isEqualTo("pending");

    try (RtcPeer nursePeer = new RtcPeer("nurse", factory, new RTCConfiguration(), nurse.ws(), j.callId());
        RtcPeer patientPeer = new RtcPeer("patient", factory, new RTCConfiguration(), patient.ws(), j.callId())) {
      // the mesh rule: the newcomer offers to every peer already there
      patientPeer.call(j.nursePeer());
      RtcPeer.await(patientPeer.connected);
      RtcPeer.await(nursePeer.connected);
      RtcPeer.await(nursePeer.track);
      RtcPeer.await(patientPeer.track);
      patientPeer.send("hei hoitaja");
      nursePeer.send("hei potilas");
      assertThat(RtcPeer.await(nursePeer.message)).isEqualTo("hei hoitaja");
      assertThat(RtcPeer.await(patientPeer.message)).isEqualTo("hei potilas");
      // the offer went to the nurse's socket as rtc.offer from the patient's peer, and only there
      JsonObject relayed = nurse.ws().all("rtc.offer").get(0);
      assertThat(relayed.getString("from")).isEqualTo(j.patientPeer());
      assertThat(relayed.containsKey("to")).isFalse();
      assertThat(patient.ws().all("rtc.offer")).isEmpty();

      JsonObject state = patient.ws().request(frame("rtc.status", j.callId()).put("status", "connected").put("relayed", false));
      assertThat(type(state)).as(state.encode()).isEqualTo("rtc.state");
      assertThat(state.getString("state")).isEqualTo("active");
      // the nurse heard the answer (ringing to pending) when the patient joined, and now that media flows
      assertThat(nurse.ws().awaitType("rtc.state").getString("state")).isEqualTo("pending");
      assertThat(nurse.ws().awaitType("rtc.state").getString("state")).isEqualTo("active");
      assertThat(call(j.callId()).getBoolean("connected")).isTrue();

      // ICE restart: a new offer with new ICE credentials; the call stays as it is
      patientPeer.offer(true);
      assertThat(patientPeer.answers.tryAcquire(2, RtcPeer.WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      assertThat(ufrag(patientPeer.sentOffers.get(1))).isNotEqualTo(ufrag(patientPeer.sentOffers.get(0)));
      assertThat(nurse.ws().all("rtc.offer")).extracting(fr -> fr.getString("sdp")).containsExactlyElementsOf(patientPeer.sentOffers);
      assertThat(call(j.callId()).getString("state")).isEqualTo("active");
      assertThat(nurse.ws().all("rtc.ended")).isEmpty();
      assertThat(patient.ws().all("rtc.ended")).isEmpty();
    }

    // the patient hangs up: the nurse stays, the call with them
    JsonObject left = patient.ws().request(frame("rtc.hangup", j.callId()));
    assertThat(type(left)).as(left.encode()).isEqualTo("rtc.peer-left");
    assertThat(nurse.ws().awaitType("rtc.peer-left").getString("peerId")).isEqualTo(j.patientPeer());
    assertThat(call(j.callId()).getString("state")).isEqualTo("active");
    // the nurse hangs up: no one is left, the call ends for everyone who took part
    nurse.ws().request(frame("rtc.hangup", j.callId()));
    assertThat(nurse.ws().awaitType("rtc.ended").getString("reason")).isEqualTo("hung_up");
    assertThat(patient.ws().awaitType("rtc.ended").getString("reason")).isEqualTo("hung_up");
    Row ended = call(j.callId());
    assertThat(ended.getString("state")).isEqualTo("ended");

    // ending twice is harmless: the same end again, nothing changes, nobody else hears of it
    JsonObject again = nurse.ws().request(frame("rtc.hangup", j.callId()));
    assertThat(type(again)).as(again.encode()).isEqualTo("rtc.ended");
    assertThat(again.getString("reason")).isEqualTo("hung_up");
    assertThat(call(j.callId()).getOffsetDateTime("ended_at")).isEqualTo(ended.getOffsetDateTime("ended_at"));
    assertThat(patient.ws().all("rtc.ended")).hasSize(1);
    // messages after the end are refused
    JsonObject late = patient.ws().request(frame("rtc.join", j.callId()));
    assertThat(late.getString("code")).isEqualTo("call_ended");
  }

  private static String ufrag(String sdp) {
    return sdp.lines().filter(l -> l.startsWith("a=ice-ufrag:")).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("a stranger, another patient or another nurse, cannot join or inject: not_in_call, nothing relayed, the attempt audited")
  void strangers_cannot_inject() {
    Joined j = bothJoined();
    Pro otherNurse = c.professional("nurse-other", "nurse", "available");
    Patient otherPatient = c.anonymousPatient();
    try (otherNurse; otherPatient) {
      for (WsClient stranger : new WsClient[] {otherPatient.ws(), otherNurse.ws()}) {
        assertThat(stranger.request(frame("rtc.join", j.callId())).getString("code")).isEqualTo("not_in_call");
        assertThat(stranger.request(frame("rtc.offer", j.callId()).put("to", j.nursePeer()).put("sdp", VALID_SDP)).getString("code"))
            .isEqualTo("not_in_call");
        assertThat(stranger.request(frame("rtc.candidate", j.callId()).put("to", j.patientPeer()).put("candidate",
            new JsonObject().put("candidate", "candidate:1 1 udp 2122260223 192.0.2.9 5000 typ host").put("sdpMid", "0")))
            .getString("code")).isEqualTo("not_in_call");
        assertThat(stranger.request(frame("rtc.hangup", j.callId())).getString("code")).isEqualTo("not_in_call");
        assertThat(stranger.request(frame("rtc.media", j.callId()).put("audio", true).put("video", true)).getString("code"))
            .isEqualTo("not_in_call");
      }
      assertThat(otherPatient.ws().request(frame("rtc.decline", j.callId())).getString("code")).isEqualTo("not_in_call");
      // only the assigned professional calls
      assertThat(otherNurse.ws().request(new JsonObject().put("type", "rtc.invite").put("conversationId", conversationId)).getString("code"))
          .isIn("not_assigned", "forbidden");
    }
    marker(j);
    assertThat(nurse.ws().all("rtc.offer")).isEmpty();
    assertThat(nurse.ws().all("rtc.candidate")).isEmpty();
    assertThat(patient.ws().all("rtc.candidate")).isEmpty();
    assertThat(patient.ws().all("rtc.peer-joined")).isEmpty();
    assertThat(call(j.callId()).getString("state")).isEqualTo("pending");
    // the other nurse's attempt to join read the conversation's access: audited as denied
    long denied = t.row("select count(*) from audit_event where purpose = 'call_join' and outcome = 'denied' and resource_id = $1",
        conversationId).getLong(0);
    assertThat(denied).isGreaterThanOrEqualTo(2);
  }

  @Test
  @DisplayName("malformed descriptions and candidates get codes and nothing is relayed")
  void malformed_signals() {
    Joined j = bothJoined();
    WsClient ws = patient.ws();
    assertThat(ws.request(frame("rtc.offer", j.callId()).put("to", j.nursePeer()).put("sdp", "hello")).getString("code")).isEqualTo("invalid_sdp");
    assertThat(ws.request(frame("rtc.answer", j.callId()).put("to", j.nursePeer()).put("sdp", "v=0\r\n<b>x</b>\r\n")).getString("code"))
        .isEqualTo("invalid_sdp");
    assertThat(ws.request(frame("rtc.candidate", j.callId()).put("to", j.nursePeer())
        .put("candidate", new JsonObject().put("candidate", "candidate:bogus").put("sdpMid", "0"))).getString("code"))
        .isEqualTo("invalid_candidate");
    assertThat(ws.request(frame("rtc.candidate", j.callId()).put("to", j.nursePeer())
        .put("candidate", new JsonObject().put("candidate", "candidate:1 1 udp 1 192.0.2.9 5000 typ host").put("sdpMLineIndex", 99)))
        .getString("code")).isEqualTo("invalid_candidate");
    assertThat(ws.request(frame("rtc.offer", j.callId()).put("to", UUID.randomUUID().toString()).put("sdp", VALID_SDP)).getString("code"))
        .isEqualTo("unknown_peer");
    assertThat(ws.request(frame("rtc.offer", j.callId()).put("to", j.patientPeer()).put("sdp", VALID_SDP)).getString("code"))
        .isEqualTo("unknown_peer");
    marker(j);
    assertThat(nurse.ws().all("rtc.offer")).isEmpty();
    assertThat(nurse.ws().all("rtc.answer")).isEmpty();
    assertThat(nurse.ws().all("rtc.candidate")).isEmpty();
  }

  @Test
  @DisplayName("the patient's decline ends a ringing call for the nurse; declining or joining it again is refused")
  void decline_ends_a_ringing_call() {
    String callId = ring();
    JsonObject declined = patient.ws().request(frame("rtc.decline", callId));
    assertThat(type(declined)).as(declined.encode()).isEqualTo("rtc.ended");
    assertThat(declined.getString("reason")).isEqualTo("declined");
    JsonObject ended = nurse.ws().awaitType("rtc.ended");
    assertThat(ended.getString("callId")).isEqualTo(callId);
    assertThat(ended.getString("reason")).isEqualTo("declined");
    Row row = call(callId);
    assertThat(row.getString("state")).isEqualTo("ended");
    assertThat(row.getString("end_reason")).isEqualTo("declined");
    assertThat(patient.ws().request(frame("rtc.decline", callId)).getString("code")).isEqualTo("call_ended");
    assertThat(nurse.ws().request(frame("rtc.join", callId)).getString("code")).isEqualTo("call_ended");
    // a new call of the same chat rings again
    assertThat(ring()).isNotEqualTo(callId);
  }

  @Test
  @DisplayName("a dropped patient rejoins within the grace as a new peer; a drop past the grace leaves the call")
  void reconnect_grace() {
    Joined j = bothJoined();
    patient.ws().close();
    try (WsClient back = WsClient.connect(t, patient.token())) {
      JsonObject rejoined = join(back, j.callId());
      assertThat(rejoined.getString("peerId")).isNotEqualTo(j.patientPeer());
      assertThat(nurse.ws().awaitType("rtc.peer-left").getString("peerId")).isEqualTo(j.patientPeer());
      assertThat(nurse.ws().awaitType("rtc.peer-joined").getJsonObject("peer").getString("peerId")).isEqualTo(rejoined.getString("peerId"));
      back.close();
      // the grace runs from when the server handled the close, which the nurse does not hear of
      t.awaitTrue("select dropped_at is not null from call_member where peer_id = $1", UUID.fromString(rejoined.getString("peerId")));
      // within the grace the sweep lets no one go
      t.clock.advance(Duration.ofSeconds(20));
      TestApp.await(t.app.services().sweeper().sweep());
      assertThat(nurse.ws().all("rtc.peer-left")).hasSize(1);
      t.clock.advance(Duration.ofSeconds(11));
      TestApp.await(t.app.services().sweeper().sweep());
      assertThat(nurse.ws().awaitType("rtc.peer-left").getString("peerId")).isEqualTo(rejoined.getString("peerId"));
      // the nurse is still there: a chat call lasts while its professional is in it
      assertThat(call(j.callId()).getString("state")).isEqualTo("pending");
    }
  }

  private void sweepCalls() {
    TestApp.await(t.app.services().calls().sweep());
  }

  @Test
  @DisplayName("a chat call nobody answers within rtc.ring-timeout ends no_answer for both, counted once; an answered call does not")
  void unanswered_call_ends_no_answer() {
    String callId = ring();
    join(nurse.ws(), callId);
    t.clock.advance(Duration.ofSeconds(44));
    sweepCalls();
    assertThat(call(callId).getString("state")).isEqualTo("ringing");
    t.clock.advance(Duration.ofSeconds(1));
    sweepCalls();
    JsonObject toNurse = nurse.ws().awaitType("rtc.ended");
    assertThat(toNurse.getString("callId")).isEqualTo(callId);
    assertThat(toNurse.getString("reason")).isEqualTo("no_answer");
    assertThat(patient.ws().awaitType("rtc.ended").getString("reason")).isEqualTo("no_answer");
    Row row = call(callId);
    assertThat(row.getString("state")).isEqualTo("ended");
    assertThat(row.getString("end_reason")).isEqualTo("no_answer");
    // ending twice is harmless: another sweep tells no one and counts nothing
    sweepCalls();
    assertThat(patient.ws().request(frame("rtc.join", callId)).getString("code")).isEqualTo("call_ended");
    assertThat(nurse.ws().all("rtc.ended")).hasSize(1);
    assertThat(patient.ws().all("rtc.ended")).hasSize(1);
    String scraped = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
    assertThat(scraped).contains("kanava_calls_total{result=\"no_answer\"} 1.0");
    assertThat(scraped).contains("kanava_calls_total{result=\"failed\"} 0.0");

    // answered before the timeout: it stays
    String answered = ring();
    join(nurse.ws(), answered);
    join(patient.ws(), answered);
    t.clock.advance(Duration.ofMinutes(5));
    sweepCalls();
    assertThat(call(answered).getString("state")).isEqualTo("pending");
    assertThat(nurse.ws().all("rtc.ended")).hasSize(1);
  }

  @Test
  @DisplayName("closing the chat ends its call (conversation_closed) for both, once; a close the node did not hear of is ended by the sweep")
  void closing_the_chat_ends_its_call() {
    Joined j = bothJoined();
    JsonObject closed = nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", conversationId)
        .put("outcome", "resolved"));
    assertThat(type(closed)).as(closed.encode()).isEqualTo("conversation.closed");
    assertThat(nurse.ws().awaitType("rtc.ended").getString("reason")).isEqualTo("conversation_closed");
    JsonObject toPatient = patient.ws().awaitType("rtc.ended");
    assertThat(toPatient.getString("callId")).isEqualTo(j.callId());
    assertThat(toPatient.getString("reason")).isEqualTo("conversation_closed");
    assertThat(call(j.callId()).getString("end_reason")).isEqualTo("conversation_closed");
    // idempotent: ending the closed chat's call again, by the event or the sweep, changes and tells nothing
    TestApp.await(t.app.services().calls().conversationClosed(UUID.fromString(conversationId)));
    sweepCalls();
    assertThat(nurse.ws().all("rtc.ended")).hasSize(1);
    assertThat(patient.ws().all("rtc.ended")).hasSize(1);
    assertThat(patient.ws().request(frame("rtc.hangup", j.callId())).getString("reason")).isEqualTo("conversation_closed");

    // a chat that closed without this node hearing it (another node, or a close racing an invite): the sweep ends its call
    try (Patient other = c.anonymousPatient()) {
      String otherChat = activeChat(other, nurse);
      String callId = nurse.ws().request(new JsonObject().put("type", "rtc.invite").put("conversationId", otherChat)).getString("callId");
      t.ownerRows("update conversation set state = 'closed', outcome = 'abandoned', closed_at = now() where id = $1", UUID.fromString(otherChat));
      assertThat(call(callId).getString("state")).isEqualTo("ringing");
      sweepCalls();
      assertThat(other.ws().await(fr -> "rtc.ended".equals(type(fr)) && callId.equals(fr.getString("callId"))).getString("reason"))
          .isEqualTo("conversation_closed");
      assertThat(call(callId).getString("end_reason")).isEqualTo("conversation_closed");
    }
  }
}
