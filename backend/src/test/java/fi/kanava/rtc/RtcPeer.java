package fi.kanava.rtc;

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
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCRtpTransceiver;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.AudioOptions;
import dev.onvoid.webrtc.media.audio.AudioTrack;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One webrtc-java peer of a test, signalling through the server over its real WsClient: a thread
 * takes the relayed rtc.offer, rtc.answer and rtc.candidate frames addressed to it and applies them
 * (answering offers); its own candidates go out as rtc.candidate. Audio and a data channel.
 */
final class RtcPeer implements AutoCloseable {
  private static final Set<String> SIGNALS = Set.of("rtc.offer", "rtc.answer", "rtc.candidate");
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
  private final List<RTCIceCandidate> early = new ArrayList<>();
  private volatile boolean remoteSet;
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
              .put("candidate", new JsonObject().put("candidate", candidate.sdp).put("sdpMid", candidate.sdpMid)
                  .put("sdpMLineIndex", candidate.sdpMLineIndex)));
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
    audio = factory.createAudioTrack(name + "-audio", factory.createAudioSource(new AudioOptions()));
    pc.addTrack(audio, List.of(name + "-stream"));
    pump = new Thread(this::pump, "rtc-peer-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  private void observe(RTCDataChannel channel) {
    channel.registerObserver(new RTCDataChannelObserver() {
      @Override
      public void onBufferedAmountChange(long previous) {}

      @Override
      public void onStateChange() {
        if (channel.getState() == RTCDataChannelState.OPEN) {
          channelOpen.complete(channel);
        }
      }

      @Override
      public void onMessage(RTCDataChannelBuffer buffer) {
        byte[] bytes = new byte[buffer.data.remaining()];
        buffer.data.get(bytes);
        message.complete(new String(bytes, StandardCharsets.UTF_8));
      }
    });
    if (channel.getState() == RTCDataChannelState.OPEN) {
      channelOpen.complete(channel);
    }
  }

  /** As the newcomer (the mesh rule): a data channel, then an offer to {@code to}. */
  void call(String to) {
    remote = to;
    observe(pc.createDataChannel("chat", new RTCDataChannelInit()));
    offer(false);
  }

  /** Sends a new offer to the remote peer; with {@code iceRestart}, new ICE credentials. */
  void offer(boolean iceRestart) {
    RTCOfferOptions options = new RTCOfferOptions();
    options.iceRestart = iceRestart;
    RTCSessionDescription offer = await(create(o -> pc.createOffer(options, o)));
    await(apply(o -> pc.setLocalDescription(offer, o)));
    sentOffers.add(offer.sdp);
    ws.send(new JsonObject().put("type", "rtc.offer").put("callId", callId).put("to", remote).put("sdp", offer.sdp));
  }

  void send(String text) throws Exception {
    RTCDataChannel channel = channelOpen.get(WAIT_SECONDS, TimeUnit.SECONDS);
    channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
  }

  private void pump() {
    while (!stopped) {
      JsonObject frame;
      try {
        frame = ws.await(f -> SIGNALS.contains(f.getString("type")));
      } catch (AssertionError e) {
        if (e.getMessage() != null && e.getMessage().startsWith("socket closed")) {
          return;
        }
        continue;
      }
      if (stopped) {
        return;
      }
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
        await(apply(o -> pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, frame.getString("sdp")), o)));
        remoteSet();
        RTCSessionDescription answer = await(create(o -> pc.createAnswer(new RTCAnswerOptions(), o)));
        await(apply(o -> pc.setLocalDescription(answer, o)));
        ws.send(new JsonObject().put("type", "rtc.answer").put("callId", callId).put("to", remote).put("sdp", answer.sdp));
      }
      case "rtc.answer" -> {
        await(apply(o -> pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, frame.getString("sdp")), o)));
        remoteSet();
        answers.release();
      }
      default -> {
        JsonObject c = frame.getJsonObject("candidate");
        RTCIceCandidate candidate = new RTCIceCandidate(c.getString("sdpMid"), c.getInteger("sdpMLineIndex", 0), c.getString("candidate"));
        synchronized (early) {
          if (!remoteSet) {
            early.add(candidate);
            return;
          }
        }
        pc.addIceCandidate(candidate);
      }
    }
  }

  private void remoteSet() {
    synchronized (early) {
      remoteSet = true;
      early.forEach(pc::addIceCandidate);
      early.clear();
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

  interface Creating {
    void start(CreateSessionDescriptionObserver observer);
  }

  interface Applying {
    void start(SetSessionDescriptionObserver observer);
  }

  static CompletableFuture<RTCSessionDescription> create(Creating op) {
    CompletableFuture<RTCSessionDescription> out = new CompletableFuture<>();
    op.start(new CreateSessionDescriptionObserver() {
      @Override
      public void onSuccess(RTCSessionDescription description) {
        out.complete(description);
      }

      @Override
      public void onFailure(String error) {
        out.completeExceptionally(new IllegalStateException(error));
      }
    });
    return out;
  }

  static CompletableFuture<Void> apply(Applying op) {
    CompletableFuture<Void> out = new CompletableFuture<>();
    op.start(new SetSessionDescriptionObserver() {
      @Override
      public void onSuccess() {
        out.complete(null);
      }

      @Override
      public void onFailure(String error) {
        out.completeExceptionally(new IllegalStateException(error));
      }
    });
    return out;
  }

  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    stopped = true;
    pc.close();
    // the track stays with the closed connection's sender; disposing it here fails in native code
  }
}
