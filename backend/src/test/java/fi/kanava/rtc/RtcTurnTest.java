package fi.kanava.rtc;

import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCIceTransportPolicy;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.DebianPackages;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A call through a real TURN relay: Debian's coturn on loopback with the test's shared secret
 * (use-auth-secret), both webrtc-java peers restricted to relay candidates, with the credentials the
 * server issued them (docs/video.md). Loopback peers are allowed here only: ops/coturn denies them.
 */
@DisplayName("Calls reach connected through coturn with the server's TURN credentials")
class RtcTurnTest {
  private static final Path TURNSERVER = Path.of("/usr/bin/turnserver");
  private static final String SECRET = "rtc-turn-test-secret-" + UUID.randomUUID();

  Process coturn;
  volatile boolean listening;
  Path dir;
  int port;
  TestApp t;

  @BeforeEach
  void start() throws Exception {
    DebianPackages.require(TURNSERVER, "coturn", "TURN relay tests");
    dir = Files.createTempDirectory("kanava-coturn");
    try (DatagramSocket probe = new DatagramSocket(0)) {
      port = probe.getLocalPort();
    }
    int relayBase = 50_000 + ThreadLocalRandom.current().nextInt(0, 150) * 100;
    Files.writeString(dir.resolve("turnserver.conf"), String.join("\n",
        "listening-ip=127.0.0.1",
        "relay-ip=127.0.0.1",
        "listening-port=" + port,
        "min-port=" + relayBase,
        "max-port=" + (relayBase + 99),
        "use-auth-secret",
        "static-auth-secret=" + SECRET,
        "realm=kanava.test",
        "fingerprint",
        "no-tls",
        "no-dtls",
        "no-cli",
        "no-multicast-peers",
        // both relays are on loopback in this test only; ops/coturn/turnserver.conf denies loopback and private peers
        "allow-loopback-peers",
        "userdb=" + dir.resolve("turndb"),
        "pidfile=" + dir.resolve("turnserver.pid"),
        "log-file=stdout",
        "simple-log",
        "verbose", ""));
    coturn = new ProcessBuilder(TURNSERVER.toString(), "-c", dir.resolve("turnserver.conf").toString())
        .redirectErrorStream(true).start();
    // a coturn that never opens its listener is stopped, which ends the wait below
    java.util.concurrent.CompletableFuture.delayedExecutor(30, java.util.concurrent.TimeUnit.SECONDS).execute(() -> {
      if (!listening) {
        coturn.destroy();
      }
    });
    awaitListening();
    t = TestApp.start(Map.of("ws.rate-limit-burst", "200", "rtc.turn-urls", "turn:127.0.0.1:" + port + "?transport=udp",
        "rtc.turn-secret", SECRET, "rtc.turn-credential-ttl", "PT1H"));
    // coturn checks a credential's expiry against the wall clock: the server's clock is brought to it
    t.clock.advance(java.time.Duration.between(t.clock.instant(), java.time.Instant.now()));
  }

  /** Reads coturn's log until its UDP listener on the test's port is open (no sleeping). */
  private void awaitListening() throws IOException {
    BufferedReader log = new BufferedReader(new InputStreamReader(coturn.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    String line;
    while ((line = log.readLine()) != null) {
      seen.add(line);
      if (line.contains("UDP listener opened on") && line.contains("127.0.0.1:" + port)) {
        listening = true;
        Path kept = dir.resolve("coturn.log");
        Thread drain = new Thread(() -> {
          try (var out = Files.newBufferedWriter(kept)) {
            for (String l : (Iterable<String>) log.lines()::iterator) {
              out.write(l);
              out.newLine();
              out.flush();
            }
          } catch (IOException | java.io.UncheckedIOException e) {
            // coturn stopped
          }
        }, "coturn-log");
        drain.setDaemon(true);
        drain.start();
        return;
      }
    }
    throw new AssertionError("coturn exited before listening: " + String.join("\n", seen));
  }

  @AfterEach
  void stop() throws Exception {
    if (t != null) {
      t.close();
    }
    if (coturn != null) {
      coturn.destroy();
      coturn.waitFor();
    }
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static RTCConfiguration relayOnly(JsonArray iceServers) {
    RTCConfiguration config = new RTCConfiguration();
    config.iceTransportPolicy = RTCIceTransportPolicy.RELAY;
    for (Object o : iceServers) {
      JsonObject json = (JsonObject) o;
      RTCIceServer server = new RTCIceServer();
      server.urls = json.getJsonArray("urls").stream().map(String::valueOf).toList();
      server.username = json.getString("username");
      server.password = json.getString("credential");
      config.iceServers.add(server);
    }
    return config;
  }

  @Test
  @DisplayName("two relay-only peers connect through coturn; the selected pair is relay on both sides")
  void relayed_call() throws Exception {
    Fixtures f = new Fixtures(t).organisations();
    ChatFixtures c = new ChatFixtures(t, f);
    PeerConnectionFactory factory = new PeerConnectionFactory(new HeadlessAudioDeviceModule());
    try (Pro nurse = c.professional("nurse-turn", "nurse", "available"); Patient patient = c.anonymousPatient()) {
      c.createQueue(ChatFixtures.queue("turn", "auto"), nurse.id());
      String conversationId = patient.ws().request(enter("turn")).getJsonObject("conversation").getString("id");
      nurse.ws().awaitType("conversation.offer");
      nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", conversationId));

      // the REST endpoint: STUN/TURN as RTCPeerConnection takes them, the credential derived from the secret, never the secret
      var rest = t.get("/api/rtc/ice-servers", patient.token());
      assertThat(rest.statusCode()).isEqualTo(200);
      JsonObject restBody = rest.bodyAsJsonObject();
      assertThat(rest.bodyAsString()).doesNotContain(SECRET);
      JsonObject restTurn = restBody.getJsonArray("iceServers").getJsonObject(0);
      assertThat(restTurn.getString("username")).endsWith(":" + patient.id());
      assertThat(restTurn.getString("credential")).isEqualTo(TurnCredentials.password(SECRET, restTurn.getString("username")));
      assertThat(restBody.getLong("ttlSeconds")).isEqualTo(3600L);
      assertThat(t.get("/api/rtc/ice-servers", null).statusCode()).isEqualTo(401);

      String callId = nurse.ws().request(new JsonObject().put("type", "rtc.invite").put("conversationId", conversationId)).getString("callId");
      JsonObject nurseJoin = nurse.ws().request(new JsonObject().put("type", "rtc.join").put("callId", callId));
      JsonObject patientJoin = patient.ws().request(new JsonObject().put("type", "rtc.join").put("callId", callId));
      assertThat(nurseJoin.encode()).doesNotContain(SECRET);
      try (RtcPeer nursePeer = new RtcPeer("nurse", factory, relayOnly(nurseJoin.getJsonArray("iceServers")), nurse.ws(), callId);
          RtcPeer patientPeer = new RtcPeer("patient", factory, relayOnly(patientJoin.getJsonArray("iceServers")), patient.ws(), callId)) {
        patientPeer.call(nurseJoin.getString("peerId"));
        RtcPeer.await(patientPeer.connected);
        RtcPeer.await(nursePeer.connected);
        patientPeer.send("releen kautta");
        assertThat(RtcPeer.await(nursePeer.message)).isEqualTo("releen kautta");
        assertThat(patientPeer.selectedLocalCandidateType()).isEqualTo("relay");
        assertThat(nursePeer.selectedLocalCandidateType()).isEqualTo("relay");
        // only relay candidates were signalled
        assertThat(nurse.ws().all("rtc.candidate")).isNotEmpty().allSatisfy(fr ->
            assertThat(fr.getJsonObject("candidate").getString("candidate")).contains(" typ relay"));
      }
      patient.ws().request(new JsonObject().put("type", "rtc.status").put("callId", callId).put("status", "connected").put("relayed", true));
      assertThat(t.row("select relayed from call where id = $1", UUID.fromString(callId)).getBoolean(0)).isTrue();
    } finally {
      factory.dispose();
    }
  }
}
