package fi.kanava.rtc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The network check end to end: a webrtc-java peer in the test JVM plays the browser over a real
 * socket against the server's own native peer, with a real database.
 */
@DisplayName("Network check")
class NetworkCheckTest {
  private static final String SCRAPE_TOKEN = "network-check-test-scrape-token-0123456789";
  private static PeerConnectionFactory browsers;

  @BeforeAll
  static void nativeWebRtc() {
    browsers = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
  }

  @AfterAll
  static void dispose() {
    browsers.dispose();
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  @DisplayName("with the native peer")
  class WithPeer {
    TestApp t;
    ChatFixtures c;
    Fixtures f;
    UUID nurse;

    @BeforeAll
    void start() {
      t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN, "netcheck.max-concurrent", "1"));
      f = new Fixtures(t).organisations();
      c = new ChatFixtures(t, f);
      nurse = f.account("nc-nurse", "nurse");
    }

    @AfterAll
    void stop() {
      t.close();
    }

    @Test
    @DisplayName("a browser's peer connects, its pings are echoed, and the result is answered and kept with the visit")
    void connected_check_is_measured_and_stored() throws Exception {
      try (Patient patient = c.anonymousPatient()) {
        UUID visit = visitOf(patient.id());
        JsonObject ready = patient.ws().request(new JsonObject().put("type", "netcheck.start").put("visitId", visit.toString()));
        assertThat(ready.getString("type")).isEqualTo("netcheck.ready");
        String checkId = ready.getString("checkId");
        assertThat(ready.getJsonArray("iceServers")).isNotNull();

        try (Browser browser = new Browser(patient.ws(), checkId, true)) {
          JsonObject answer = patient.ws().request(new JsonObject().put("type", "netcheck.offer").put("checkId", checkId)
              .put("sdp", browser.offer()));
          assertThat(answer.getString("type")).as(answer.encode()).isEqualTo("netcheck.answer");
          browser.answered(answer.getString("sdp"));
          browser.awaitOpen();
          int echoed = 0;
          for (int seq = 0; seq < 20; seq++) {
            echoed += browser.ping(seq) ? 1 : 0;
          }
          assertThat(echoed).as("pings echoed by the server's peer").isPositive();

          JsonObject result = patient.ws().request(new JsonObject().put("type", "netcheck.done").put("checkId", checkId).put("sent", 20));
          assertThat(result.getString("type")).as(result.encode()).isEqualTo("netcheck.result");
          assertThat(result.getString("checkId")).isEqualTo(checkId);
          assertThat(result.getString("result")).isEqualTo("connected");
          assertThat(result.getInteger("rttMs")).isNotNull().isGreaterThanOrEqualTo(0);
          assertThat(result.getDouble("lossPercent")).isBetween(0.0, 100.0);

          Row row = t.row("select subject_kind, subject_id, visit_id, result, rtt_ms, loss_percent, finished_at from network_check where id = $1",
              UUID.fromString(checkId));
          assertThat(row.getString("subject_kind")).isEqualTo("patient");
          assertThat(row.getUUID("subject_id")).isEqualTo(patient.id());
          assertThat(row.getUUID("visit_id")).isEqualTo(visit);
          assertThat(row.getString("result")).isEqualTo("connected");
          assertThat(row.getInteger("rtt_ms")).isEqualTo(result.getInteger("rttMs"));
          assertThat(row.getOffsetDateTime("finished_at")).isNotNull();
        }
        String metrics = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
        assertThat(metrics).contains("kanava_network_checks_total{result=\"connected\"} 1.0", "kanava_network_checks_total{result=\"relayed\"} 0.0",
            "kanava_network_checks_open 0.0", "kanava_network_check_rtt_seconds_count 1");
        JsonObject again = patient.ws().request(new JsonObject().put("type", "netcheck.done").put("checkId", checkId));
        assertThat(again.getString("code")).as("a finished check is gone").isEqualTo("check_not_found");
      }
    }

    @Test
    @DisplayName("bad input gets a code and changes nothing; another connection's check cannot be reached")
    void bad_input() throws Exception {
      String sdp;
      try (Browser probe = new Browser(null, null, false)) {
        sdp = probe.offer();
      }
      try (Patient patient = c.anonymousPatient(); WsClient nurseWs = WsClient.connect(t, f.accessToken("nc-nurse"))) {
        JsonObject unknown = patient.ws().request(new JsonObject().put("type", "netcheck.offer").put("checkId", UUID.randomUUID().toString())
            .put("sdp", sdp));
        assertThat(unknown.getString("code")).isEqualTo("check_not_found");

        String checkId = patient.ws().request(new JsonObject().put("type", "netcheck.start")).getString("checkId");
        JsonObject malformed = patient.ws().request(new JsonObject().put("type", "netcheck.offer").put("checkId", checkId).put("sdp", "hello"));
        assertThat(malformed.getString("code")).isEqualTo("invalid_sdp");
        JsonObject badCandidate = patient.ws().request(new JsonObject().put("type", "netcheck.candidate").put("checkId", checkId)
            .put("candidate", new JsonObject().put("candidate", "a=rtpmap evil").put("sdpMid", "0").put("sdpMLineIndex", 0)));
        assertThat(badCandidate.getString("code")).isEqualTo("invalid_candidate");

        // the nurse's socket names the patient's check: nothing reaches it
        JsonObject stolen = nurseWs.request(new JsonObject().put("type", "netcheck.offer").put("checkId", checkId).put("sdp", sdp));
        assertThat(stolen.getString("code")).isEqualTo("check_not_found");
        JsonObject stolenCandidate = nurseWs.request(new JsonObject().put("type", "netcheck.candidate").put("checkId", checkId)
            .put("candidate", new JsonObject().put("candidate", "candidate:1 1 udp 2122260223 192.0.2.7 50000 typ host")
                .put("sdpMid", "0").put("sdpMLineIndex", 0)));
        assertThat(stolenCandidate.getString("code")).isEqualTo("check_not_found");
        JsonObject stolenDone = nurseWs.request(new JsonObject().put("type", "netcheck.done").put("checkId", checkId));
        assertThat(stolenDone.getString("code")).isEqualTo("check_not_found");
        assertThat(patient.ws().request(new JsonObject().put("type", "ping")).getString("type")).isEqualTo("pong");
        assertThat(patient.ws().received()).noneMatch(frame -> frame.getString("type").startsWith("netcheck.answer")
            || frame.getString("type").equals("netcheck.candidate") || frame.getString("type").equals("netcheck.result"));
        assertThat(t.row("select result from network_check where id = $1", UUID.fromString(checkId)).getString("result")).isNull();

        // the check still takes its real offer after all that
        JsonObject answer = patient.ws().request(new JsonObject().put("type", "netcheck.offer").put("checkId", checkId).put("sdp", sdp));
        assertThat(answer.getString("type")).as(answer.encode()).isEqualTo("netcheck.answer");
        JsonObject second = patient.ws().request(new JsonObject().put("type", "netcheck.offer").put("checkId", checkId).put("sdp", sdp));
        assertThat(second.getString("code")).isEqualTo("check_in_progress");

        // netcheck.max-concurrent is 1 here: the patient's check holds the only place
        JsonObject busy = nurseWs.request(new JsonObject().put("type", "netcheck.start"));
        assertThat(busy.getString("code")).isEqualTo("check_busy");
        assertThat(metric("kanava_network_checks_open")).as("the patient's check holds a native peer").isEqualTo(1.0);

        // a visit the nurse is no member of
        UUID visit = visitOf(patient.id());
        JsonObject notMember = nurseWs.request(new JsonObject().put("type", "netcheck.start").put("visitId", visit.toString()));
        assertThat(notMember.getString("code")).isEqualTo("not_a_member");
        assertThat(t.rows("select 1 from network_check where subject_id = $1", nurse)).isEmpty();
      }
      // the patient's socket closed with its check open: the peer is freed, no result kept
      awaitMetric("kanava_network_checks_open", 0.0);
      assertThat(t.rows("select 1 from network_check where result is null")).hasSize(1);
      try (WsClient nurseWs = WsClient.connect(t, f.accessToken("nc-nurse"))) {
        JsonObject ready = nurseWs.request(new JsonObject().put("type", "netcheck.start"));
        assertThat(ready.getString("type")).as("the place is free again").isEqualTo("netcheck.ready");
        JsonObject again = nurseWs.request(new JsonObject().put("type", "netcheck.start"));
        assertThat(again.getString("type")).as("a socket's new check ends its earlier one").isEqualTo("netcheck.ready");
        JsonObject old = nurseWs.request(new JsonObject().put("type", "netcheck.done").put("checkId", ready.getString("checkId")));
        assertThat(old.getString("code")).isEqualTo("check_not_found");
        JsonObject result = nurseWs.request(new JsonObject().put("type", "netcheck.done").put("checkId", again.getString("checkId")));
        assertThat(result.getString("result")).as("done before any offer").isEqualTo("failed");
      }
    }

    private double metric(String series) {
      String scrape = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
      return scrape.lines().filter(line -> line.startsWith(series + " ")).mapToDouble(line -> Double.parseDouble(line.split(" ")[1]))
          .findFirst().orElseThrow(() -> new AssertionError(series + " not exported"));
    }

    /** Asks the node again until the series has the value: the peer is freed on a worker after the socket closed. */
    private void awaitMetric(String series, double expected) {
      for (int attempt = 0; attempt < 500; attempt++) {
        if (metric(series) == expected) {
          return;
        }
      }
      assertThat(metric(series)).as(series).isEqualTo(expected);
    }

    /** A visit of this patient, inserted directly (the visit feature owns its service). */
    private UUID visitOf(UUID patientId) {
      UUID visit = UUID.randomUUID();
      OffsetDateTime now = OffsetDateTime.parse("2026-03-02T08:00:00Z");
      t.rows("insert into visit (id, organisation_id, patient_id, starts_at, duration_minutes, channel, language, interpreter_needed, state,"
          + " booked_by, booked_at) values ($1, $2, $3, $4, 30, 'video', 'fi', false, 'booked', $5, $4)", visit, Fixtures.ORG, patientId, now, nurse);
      t.rows("insert into visit_member (id, visit_id, kind, patient_id, invited_at) values ($1, $2, 'patient', $3, $4)",
          UUID.randomUUID(), visit, patientId, now);
      return visit;
    }
  }

  @Test
  @DisplayName("with netcheck.enabled=false every check answers check_unavailable and is kept as unavailable")
  void unavailable() {
    try (TestApp t = TestApp.start(Map.of("netcheck.enabled", "false")); Patient patient = new ChatFixtures(t, new Fixtures(t)).anonymousPatient()) {
      JsonObject refused = patient.ws().request(new JsonObject().put("type", "netcheck.start"));
      assertThat(refused.getString("type")).isEqualTo("error");
      assertThat(refused.getString("code")).isEqualTo("check_unavailable");
      Row row = t.row("select result, finished_at from network_check where subject_id = $1", patient.id());
      assertThat(row.getString("result")).isEqualTo("unavailable");
      assertThat(row.getOffsetDateTime("finished_at")).isNotNull();
    }
  }

  @Test
  @DisplayName("a check that never connects ends on its own as failed, its peer freed")
  void timeout() throws Exception {
    try (TestApp t = TestApp.start(Map.of("netcheck.timeout", "PT0.5S", "metrics.scrape-token", SCRAPE_TOKEN));
        Patient patient = new ChatFixtures(t, new Fixtures(t)).anonymousPatient()) {
      String checkId = patient.ws().request(new JsonObject().put("type", "netcheck.start")).getString("checkId");
      try (Browser browser = new Browser(null, null, true)) {
        // an offer, but no candidate ever crosses: the peers cannot meet
        JsonObject answer = patient.ws().request(new JsonObject().put("type", "netcheck.offer").put("checkId", checkId)
            .put("sdp", browser.offer()));
        assertThat(answer.getString("type")).isEqualTo("netcheck.answer");
        JsonObject result = patient.ws().awaitType("netcheck.result");
        assertThat(result.getString("checkId")).isEqualTo(checkId);
        assertThat(result.getString("result")).isEqualTo("failed");
        assertThat(result.containsKey("ref")).isFalse();
      }
      assertThat(t.row("select result from network_check where id = $1", UUID.fromString(checkId)).getString("result")).isEqualTo("failed");
      String metrics = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
      assertThat(metrics).contains("kanava_network_checks_total{result=\"failed\"} 1.0", "kanava_network_checks_open 0.0");
    }
  }

  /** The browser's side: a webrtc-java peer with a {@code netcheck} data channel, signalling over the socket. */
  private static final class Browser implements AutoCloseable {
    private final WsClient ws;
    private final String checkId;
    private final RTCPeerConnection pc;
    private final RTCDataChannel channel;
    private final CompletableFuture<Void> open = new CompletableFuture<>();
    private final BlockingQueue<String> echoes = new LinkedBlockingQueue<>();
    private Thread candidates;

    /** {@code trickle}: the browser sends its candidates to the server ({@code ws} and {@code checkId} then needed). */
    Browser(WsClient ws, String checkId, boolean trickle) {
      this.ws = ws;
      this.checkId = checkId;
      pc = browsers.createPeerConnection(new RTCConfiguration(), new PeerConnectionObserver() {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
          if (trickle && ws != null) {
            ws.send(new JsonObject().put("type", "netcheck.candidate").put("checkId", checkId).put("candidate",
                new JsonObject().put("candidate", candidate.sdp).put("sdpMid", candidate.sdpMid).put("sdpMLineIndex", candidate.sdpMLineIndex)));
          }
        }
      });
      RTCDataChannelInit init = new RTCDataChannelInit();
      init.ordered = false;
      init.maxRetransmits = 0;
      channel = pc.createDataChannel("netcheck", init);
      channel.registerObserver(new RTCDataChannelObserver() {
        @Override
        public void onBufferedAmountChange(long previousAmount) {}

        @Override
        public void onStateChange() {
          if (channel.getState() == RTCDataChannelState.OPEN) {
            open.complete(null);
          }
        }

        @Override
        public void onMessage(RTCDataChannelBuffer buffer) {
          byte[] bytes = new byte[buffer.data.remaining()];
          buffer.data.get(bytes);
          echoes.add(new String(bytes, StandardCharsets.UTF_8));
        }
      });
    }

    String offer() throws Exception {
      CompletableFuture<RTCSessionDescription> offer = new CompletableFuture<>();
      pc.createOffer(new RTCOfferOptions(), new CreateSessionDescriptionObserver() {
        @Override
        public void onSuccess(RTCSessionDescription description) {
          offer.complete(description);
        }

        @Override
        public void onFailure(String error) {
          offer.completeExceptionally(new AssertionError(error));
        }
      });
      RTCSessionDescription description = offer.get(10, TimeUnit.SECONDS);
      CompletableFuture<Void> set = new CompletableFuture<>();
      pc.setLocalDescription(description, settled(set));
      set.get(10, TimeUnit.SECONDS);
      return description.sdp;
    }

    /** Applies the server's answer, then its candidates as they come. */
    void answered(String sdp) throws Exception {
      CompletableFuture<Void> set = new CompletableFuture<>();
      pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, sdp), settled(set));
      set.get(10, TimeUnit.SECONDS);
      candidates = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          JsonObject frame;
          try {
            frame = ws.await(f -> "netcheck.candidate".equals(f.getString("type")));
          } catch (AssertionError e) {
            return;
          }
          JsonObject c = frame.getJsonObject("candidate");
          assertThat(frame.getString("checkId")).isEqualTo(checkId);
          pc.addIceCandidate(new RTCIceCandidate(c.getString("sdpMid"), c.getInteger("sdpMLineIndex"), c.getString("candidate")));
        }
      }, "netcheck-test-candidates");
      candidates.setDaemon(true);
      candidates.start();
    }

    void awaitOpen() throws Exception {
      open.get(15, TimeUnit.SECONDS);
    }

    /** Sends one ping; whether its echo came back. */
    boolean ping(int seq) throws Exception {
      String ping = "{\"seq\":" + seq + "}";
      channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(ping.getBytes(StandardCharsets.UTF_8)), false));
      String echo = echoes.poll(2, TimeUnit.SECONDS);
      return ping.equals(echo);
    }

    @Override
    public void close() {
      if (candidates != null) {
        candidates.interrupt();
      }
      channel.unregisterObserver();
      channel.close();
      channel.dispose();
      pc.close();
    }

    private static SetSessionDescriptionObserver settled(CompletableFuture<Void> done) {
      return new SetSessionDescriptionObserver() {
        @Override
        public void onSuccess() {
          done.complete(null);
        }

        @Override
        public void onFailure(String error) {
          done.completeExceptionally(new AssertionError(error));
        }
      };
    }
  }
}
