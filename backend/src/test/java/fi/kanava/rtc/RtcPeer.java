package fi.kanava.rtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelInit;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.media.audio.AudioOptions;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One webrtc-java peer of a test, signalling through the server over its real WsClient: a thread
 * takes the relayed rtc.offer, rtc.answer and rtc.candidate frames addressed to it and applies them
 * (answering offers); its own candidates go out as rtc.candidate. Audio and a data channel.
 */
final class RtcPeer implements AutoCloseable {
  static final long WAIT_SECONDS = 30;

  final String name;
  final WsClient ws;
  final RTCPeerConnection pc;
  final String callId;
  volatile String remote;
  final CompletableFuture<Void> connected = new CompletableFuture<>();
  final CompletableFuture<Void> track = new CompletableFuture<>();
  final CompletableFuture<String> message = new CompletableFuture<>();
  final CompletableFuture<RTCDataChannel> channelOpen = new CompletableFuture<>();
  final List<RTCPeerConnectionState> states = new CopyOnWriteArrayList<>();
  final List<String> sentOffers = new CopyOnWriteArrayList<>();
  /** Released once for every answer applied (the first, and one per ICE restart). */
  final java.util.concurrent.Semaphore answers = new java.util.concurrent.Semaphore(0);
  private final PeerSignalling signalling;
  private volatile boolean stopped;
  private final Thread pump;
  private final AudioTrack audio;

  RtcPeer(String name, PeerConnectionFactory factory, RTCConfiguration config, WsClient ws, String callId) {
    this.name = name;
    this.ws = ws;
    this.callId = callId;
    this.pc = factory.createPeerConnection(config, new PeerConnectionObserver() {
      @Override
      public void onIceCandidate(RTCIceCandidate candidate) {
        if (remote != null && !stopped) {
          ws.send(new JsonObject().put("type", "rtc.candidate").put("callId", callId).put("to", remote)
              .put("candidate", PeerSignalling.json(candidate)));
        }
      }

      @Override
      public void onConnectionChange(RTCPeerConnectionState state) {
        states.add(state);
        if (state == RTCPeerConnectionState.CONNECTED) {
          connected.complete(null);
        }
      }

      @Override
      public void onTrack(RTCRtpTransceiver transceiver) {
        track.complete(null);
      }

      @Override
      public void onDataChannel(RTCDataChannel channel) {
        observe(channel);
      }
    });
    signalling = new PeerSignalling(pc);
    audio = factory.createAudioTrack(name + "-audio", factory.createAudioSource(new AudioOptions()));
    pc.addTrack(audio, List.of(name + "-stream"));
    pump = new Thread(this::pump, "rtc-peer-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  private void observe(RTCDataChannel channel) {
    PeerSignalling.observe(channel, channelOpen, message);
  }

  /** As the newcomer (the mesh rule): a data channel, then an offer to {@code to}. */
  void call(String to) {
    remote = to;
    observe(pc.createDataChannel("chat", new RTCDataChannelInit()));
    offer(false);
  }

  /** Sends a new offer to the remote peer; with {@code iceRestart}, new ICE credentials. */
  void offer(boolean iceRestart) {
    String offer = signalling.offer(iceRestart);
    sentOffers.add(offer);
    ws.send(new JsonObject().put("type", "rtc.offer").put("callId", callId).put("to", remote).put("sdp", offer));
  }

  void send(String text) throws Exception {
    RTCDataChannel channel = channelOpen.get(WAIT_SECONDS, TimeUnit.SECONDS);
    channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
  }

  private void pump() {
    for (JsonObject frame; (frame = PeerSignalling.nextSignal(ws, () -> stopped)) != null; ) {
      try {
        handle(frame);
      } catch (RuntimeException e) {
        connected.completeExceptionally(e);
      }
    }
  }

  private void handle(JsonObject frame) {
    switch (frame.getString("type")) {
      case "rtc.offer" -> {
        remote = frame.getString("from");
        String answer = signalling.answer(frame.getString("sdp"));
        ws.send(new JsonObject().put("type", "rtc.answer").put("callId", callId).put("to", remote).put("sdp", answer));
      }
      case "rtc.answer" -> {
        signalling.answered(frame.getString("sdp"));
        answers.release();
      }
      default -> signalling.candidate(frame.getJsonObject("candidate"));
    }
  }

  /** The local candidate type of the selected (succeeded, nominated) candidate pair: host, srflx, prflx or relay. */
  String selectedLocalCandidateType() {
    CompletableFuture<RTCStatsReport> report = new CompletableFuture<>();
    pc.getStats(report::complete);
    var stats = await(report).getStats();
    for (RTCStats s : stats.values()) {
      if (s.getType() == RTCStatsType.CANDIDATE_PAIR && "succeeded".equals(String.valueOf(s.getAttributes().get("state")))
          && Boolean.TRUE.equals(s.getAttributes().get("nominated"))) {
        RTCStats local = stats.get(String.valueOf(s.getAttributes().get("localCandidateId")));
        return local == null ? null : String.valueOf(local.getAttributes().get("candidateType"));
      }
    }
    return null;
  }

  static <T> T await(CompletableFuture<T> future) {
    return PeerSignalling.await(future);
  }

  @Override
  public void close() {
    stopped = true;
    pc.close();
    // the track stays with the closed connection's sender; disposing it here fails in native code
  }
}
