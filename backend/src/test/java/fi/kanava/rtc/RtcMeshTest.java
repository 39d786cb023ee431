package fi.kanava.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A visit's call as a full mesh of four real webrtc-java peers signalled through the server
 * (docs/protocol.md, "Calls"; docs/video.md): nurse, doctor and patient start the call, an
 * interpreter invited while it runs is admitted and joins, every pair connects with audio and a
 * data channel, and nobody beyond four gets in. One PeerConnectionFactory for the class.
 */
@DisplayName("A visit's call as a mesh of four real WebRTC peers")
class RtcMeshTest {
  static PeerConnectionFactory factory;

  TestApp t;
  ChatFixtures c;
  Pro nurse;
  Pro doctor;

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
    // each member sends offers, answers and candidates to three peers in a burst
    t = TestApp.start(Map.of("ws.rate-limit-burst", "400", "abuse.anonymous-sessions.burst", "6"));
    Fixtures f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
    nurse = c.professional("mesh-nurse", "nurse", "available");
    doctor = c.professional("mesh-doctor", "physician", null);
  }

  @AfterEach
  void stop() {
    nurse.close();
    doctor.close();
    t.close();
  }

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  /** A patient-side member's socket, signed in with their one-time link. */
  private WsClient byLink(JsonObject link) {
    String url = link.getString("url");
    HttpResponse<Buffer> r = t.post("/api/visit-codes/exchange", null, new JsonObject().put("code", url.substring(url.indexOf("#code=") + 6)));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return WsClient.connect(t, r.bodyAsJsonObject().getString("accessToken"));
  }

  /** Arrives in the waiting room; the nurse admits them. */
  private void arriveAndAdmit(WsClient member, String visitId, String name) {
    JsonObject status = member.request(new JsonObject().put("type", "visit.arrive").put("visitId", visitId));
    assertThat(status.getString("state")).as(status.encode()).isIn("waiting", "admitted");
    JsonObject room = nurse.ws().await(fr -> "visit.waiting-room".equals(type(fr))
        && fr.getJsonArray("waiting").stream().anyMatch(w -> name.equals(((JsonObject) w).getString("name"))));
    String memberId = room.getJsonArray("waiting").stream().map(JsonObject.class::cast).filter(w -> name.equals(w.getString("name")))
        .findFirst().orElseThrow().getString("id");
    JsonObject admitted = nurse.ws().request(new JsonObject().put("type", "visit.admit").put("visitId", visitId).put("memberId", memberId));
    assertThat(type(admitted)).as(admitted.encode()).isEqualTo("visit.waiting-room");
    member.await(fr -> "visit.status".equals(type(fr)) && "admitted".equals(fr.getString("state")));
  }

  /** Joins the visit's call: the reply, with the peers already there. */
  private static JsonObject join(WsClient ws, String visitId) {
    JsonObject joined = ws.request(new JsonObject().put("type", "rtc.join").put("visitId", visitId));
    assertThat(type(joined)).as(joined.encode()).isEqualTo("rtc.joined");
    return joined;
  }

  private static List<String> peerIds(JsonObject joined) {
    List<String> out = new ArrayList<>();
    joined.getJsonArray("peers").forEach(p -> out.add(((JsonObject) p).getString("peerId")));
    return out;
  }

  /** Joins and, as the newcomer, offers to everyone there. */
  private static MeshPeer enter(String name, WsClient ws, String visitId, List<MeshPeer> mesh) {
    JsonObject joined = join(ws, visitId);
    List<String> there = peerIds(joined);
    assertThat(there).containsExactlyInAnyOrderElementsOf(mesh.stream().map(p -> p.peerId).toList());
    MeshPeer peer = new MeshPeer(name, factory, ws, joined.getString("callId"), joined.getString("peerId"));
    mesh.add(peer);
    peer.offerTo(there);
    return peer;
  }

  /** Every pair connected, heard each other's audio track, and exchanged a data-channel message each way. */
  private static void fullMesh(List<MeshPeer> mesh) {
    for (MeshPeer a : mesh) {
      for (MeshPeer b : mesh) {
        if (a != b) {
          MeshPeer.Link link = a.link(b.peerId);
          RtcPeer.await(link.connected);
          RtcPeer.await(link.track);
          link.send(a.name + " to " + b.name);
        }
      }
    }
    for (MeshPeer a : mesh) {
      assertThat(a.links()).isEqualTo(mesh.size() - 1);
      for (MeshPeer b : mesh) {
        if (a != b) {
          assertThat(RtcPeer.await(a.link(b.peerId).message)).isEqualTo(b.name + " to " + a.name);
        }
      }
    }
  }

  /** Frames that would show a newcomer or a stranger's signal reaching the mesh. */
  private static int callFrames(List<MeshPeer> mesh) {
    return mesh.stream().mapToInt(p -> p.ws.all("rtc.peer-joined").size() + p.ws.all("rtc.peer-left").size() + p.ws.all("rtc.offer").size()
        + p.ws.all("rtc.state").size() + p.ws.all("rtc.incoming").size()).sum();
  }

  @Test
  @DisplayName("nurse, doctor and patient form a running call; an interpreter invited into it is admitted and meshes with all three;"
      + " a fifth is call_full and nothing reaches anyone")
  void four_peer_mesh_with_an_interpreter_invited_into_the_running_call() {
    JsonObject visit = t.post("/api/visits", nurse.token(), new JsonObject().put("startsAt", TestApp.START.plus(Duration.ofMinutes(5)).toString())
        .put("durationMinutes", 30).put("channel", "video").put("language", "se").put("interpreterNeeded", true)
        .put("patientName", "Saara Saamelainen").put("professionalIds", new JsonArray().add(doctor.id().toString()))).bodyAsJsonObject();
    String visitId = visit.getString("id");
    List<MeshPeer> mesh = new ArrayList<>();
    try (WsClient patient = byLink(visit.getJsonObject("joinLink"))) {
      arriveAndAdmit(patient, visitId, "Saara Saamelainen");
      try {
        enter("nurse", nurse.ws(), visitId, mesh);
        enter("doctor", doctor.ws(), visitId, mesh);
        MeshPeer patientPeer = enter("patient", patient, visitId, mesh);
        String callId = patientPeer.callId;
        fullMesh(mesh);
        JsonObject active = patient.request(new JsonObject().put("type", "rtc.status").put("callId", callId).put("status", "connected"));
        assertThat(active.getString("state")).as(active.encode()).isEqualTo("active");
        assertThat(t.row("select state from call where id = $1", UUID.fromString(callId)).getString(0)).isEqualTo("active");

        // the call runs: the nurse invites an interpreter, who comes in by their own link through the waiting room
        HttpResponse<Buffer> invited = t.post("/api/visits/" + visitId + "/members", nurse.token(),
            new JsonObject().put("kind", "interpreter").put("name", "Tulkki Tuomas").put("language", "se"));
        assertThat(invited.statusCode()).as(invited.bodyAsString()).isEqualTo(201);
        try (WsClient interpreter = byLink(invited.bodyAsJsonObject().getJsonObject("joinLink"))) {
          JsonObject early = interpreter.request(new JsonObject().put("type", "rtc.join").put("visitId", visitId));
          assertThat(early.getString("code")).as(early.encode()).isEqualTo("not_admitted");
          arriveAndAdmit(interpreter, visitId, "Tulkki Tuomas");
          MeshPeer interpreterPeer = enter("interpreter", interpreter, visitId, mesh);
          assertThat(interpreterPeer.callId).isEqualTo(callId);
          for (WsClient there : List.of(nurse.ws(), doctor.ws(), patient)) {
            JsonObject joined = there.await(fr -> "rtc.peer-joined".equals(type(fr)) && interpreterPeer.peerId.equals(fr.getJsonObject("peer")
                .getString("peerId")));
            assertThat(joined.getJsonObject("peer").getString("role")).isEqualTo("interpreter");
          }
          fullMesh(mesh);
          assertThat(t.row("select state from call where id = $1", UUID.fromString(callId)).getString(0)).isEqualTo("active");
          assertThat(t.row("select count(*) from call_member where call_id = $1 and left_at is null", UUID.fromString(callId)).getLong(0))
              .isEqualTo(4);

          // a fifth: the visit takes no fifth member, and no one outside it gets into the call or reaches a peer
          int framesBefore = callFrames(mesh);
          HttpResponse<Buffer> fifth = t.post("/api/visits/" + visitId + "/members", nurse.token(),
              new JsonObject().put("kind", "relative").put("name", "Sisko"));
          assertThat(fifth.statusCode()).as(fifth.bodyAsString()).isEqualTo(409);
          assertThat(fifth.bodyAsJsonObject().getString("code")).isEqualTo("call_full");
          try (Pro outsider = c.professional("mesh-outsider", "nurse", null)) {
            assertThat(outsider.ws().request(new JsonObject().put("type", "rtc.join").put("visitId", visitId)).getString("code"))
                .isEqualTo("not_in_call");
            assertThat(outsider.ws().request(new JsonObject().put("type", "rtc.join").put("callId", callId)).getString("code"))
                .isEqualTo("not_in_call");
            assertThat(outsider.ws().request(new JsonObject().put("type", "rtc.offer").put("callId", callId).put("to", patientPeer.peerId)
                .put("sdp", SignalValidationTest.SDP)).getString("code")).isEqualTo("not_in_call");
          }
          // a marker through the same call: once it arrived, anything relayed before it has too
          interpreter.send(new JsonObject().put("type", "rtc.media").put("callId", callId).put("audio", true).put("video", false));
          for (WsClient there : List.of(nurse.ws(), doctor.ws(), patient)) {
            there.await(fr -> "rtc.media".equals(type(fr)) && interpreterPeer.peerId.equals(fr.getString("from")));
          }
          assertThat(callFrames(mesh)).as("no peer joined, left, changed state or was offered to").isEqualTo(framesBefore);
          assertThat(t.row("select count(*) from call_member where call_id = $1", UUID.fromString(callId)).getLong(0)).isEqualTo(4);
        }
      } finally {
        mesh.forEach(MeshPeer::close);
      }
    }
  }
}
