package fi.kanava.rtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.PeerConnectionFactory;
import dev.onvoid.webrtc.PeerConnectionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCConfiguration;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCIceConnectionState;
import dev.onvoid.webrtc.RTCIceServer;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCPeerConnectionState;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.RTCStats;
import dev.onvoid.webrtc.RTCStatsReport;
import dev.onvoid.webrtc.RTCStatsType;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import dev.onvoid.webrtc.media.audio.HeadlessAudioDeviceModule;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's side of one network check: a native WebRTC peer (webrtc-java) that answers the
 * browser's offer, echoes the pings on its {@code netcheck} data channel at once and reports what it
 * saw. Every method here is blocking native work: call it on a worker, never on an event loop. The
 * native callbacks (candidates, pings) run on libwebrtc's own threads.
 *
 * <p>All checks of the process share one {@link PeerConnectionFactory} with a headless audio
 * module (a server has no sound card), loaded on first use; if the native library cannot load on
 * this platform, {@link #factory()} says so once and for all and the checks answer
 * {@code check_unavailable}.
 */
final class NetworkCheckPeer {
  private static final Logger log = LoggerFactory.getLogger(NetworkCheckPeer.class);
  private static final long NATIVE_WAIT_SECONDS = 10;
  private static final Pattern PING = Pattern.compile("\\{\\s*\"seq\"\\s*:\\s*(\\d{1,6})\\s*}");
  private static final int MAX_PING_BYTES = 64;

  private static Optional<PeerConnectionFactory> factory;

  private final RTCPeerConnection connection;
  private final Set<Integer> pings = ConcurrentHashMap.newKeySet();
  private volatile boolean connected;
  private volatile RTCDataChannel channel;
  private boolean closed;

  /**
   * The process's one factory, loaded on the first call (blocking: on a worker). Empty when native
   * WebRTC cannot load here (missing library, unsupported platform): logged once, never retried.
   */
  static synchronized Optional<PeerConnectionFactory> factory() {
    if (factory == null) {
      try {
        factory = Optional.of(new PeerConnectionFactory(new HeadlessAudioDeviceModule()));
        log.info("Native WebRTC loaded for the network check");
      } catch (Throwable e) {
        // UnsatisfiedLinkError, ExceptionInInitializerError, NoClassDefFoundError: the server runs on without it
        log.warn("Native WebRTC could not load; network checks answer check_unavailable: {}", e.toString());
        factory = Optional.empty();
      }
    }
    return factory;
  }

  /** A new peer that sends its candidates to {@code onCandidate} (on a native thread). */
  NetworkCheckPeer(PeerConnectionFactory factory, List<String> stunUrls, Consumer<NetworkCheckFrames.OwnCandidate> onCandidate) {
    RTCConfiguration config = new RTCConfiguration();
    if (!stunUrls.isEmpty()) {
      RTCIceServer stun = new RTCIceServer();
      stun.urls.addAll(stunUrls);
      config.iceServers.add(stun);
    }
    connection = factory.createPeerConnection(config, new PeerConnectionObserver() {
      @Override
      public void onIceCandidate(RTCIceCandidate candidate) {
        onCandidate.accept(new NetworkCheckFrames.OwnCandidate(candidate.sdp, candidate.sdpMid, candidate.sdpMLineIndex));
      }

      @Override
      public void onConnectionChange(RTCPeerConnectionState state) {
        if (state == RTCPeerConnectionState.CONNECTED) {
          connected = true;
        }
      }

      @Override
      public void onIceConnectionChange(RTCIceConnectionState state) {
        if (state == RTCIceConnectionState.CONNECTED || state == RTCIceConnectionState.COMPLETED) {
          connected = true;
        }
      }

      @Override
      public void onDataChannel(RTCDataChannel dataChannel) {
        if ("netcheck".equals(dataChannel.getLabel()) && channel == null) {
          channel = dataChannel;
          dataChannel.registerObserver(new Echo(dataChannel));
        }
      }
    });
    if (connection == null) {
      throw new IllegalStateException("the native factory made no peer connection");
    }
  }

  /** Applies the browser's offer and returns the answer (the candidates follow through the callback). */
  String answer(String offerSdp) {
    CompletableFuture<Void> remote = new CompletableFuture<>();
    connection.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offerSdp), settled(remote));
    await(remote);
    CompletableFuture<RTCSessionDescription> answer = new CompletableFuture<>();
    connection.createAnswer(new RTCAnswerOptions(), new CreateSessionDescriptionObserver() {
      @Override
      public void onSuccess(RTCSessionDescription description) {
        answer.complete(description);
      }

      @Override
      public void onFailure(String error) {
        answer.completeExceptionally(new IllegalArgumentException(error));
      }
    });
    RTCSessionDescription description = await(answer);
    CompletableFuture<Void> local = new CompletableFuture<>();
    connection.setLocalDescription(description, settled(local));
    await(local);
    return description.sdp;
  }

  /** One of the browser's candidates; an empty one (end of candidates) is ignored. */
  void addCandidate(NetworkCheckFrames.IceCandidate candidate) {
    if (!candidate.candidate().isEmpty()) {
      connection.addIceCandidate(new RTCIceCandidate(candidate.sdpMid(), candidate.sdpMLineIndex() == null ? 0 : candidate.sdpMLineIndex(),
          candidate.candidate()));
    }
  }

  /** What the peer saw: connected, relayed and the round trip from the selected candidate pair, and the pings. */
  NetworkCheckOutcome.Observed observe(Integer sent, Integer clientRttMs) {
    boolean relayed = false;
    Double rtt = null;
    if (connected) {
      CompletableFuture<RTCStatsReport> report = new CompletableFuture<>();
      connection.getStats(report::complete);
      Map<String, RTCStats> stats = await(report).getStats();
      RTCStats pair = selectedPair(stats);
      if (pair != null) {
        relayed = isRelay(stats.get(text(pair, "localCandidateId"))) || isRelay(stats.get(text(pair, "remoteCandidateId")));
        if (pair.getAttributes().get("currentRoundTripTime") instanceof Number seconds) {
          rtt = seconds.doubleValue();
        }
      }
    }
    return new NetworkCheckOutcome.Observed(connected, relayed, rtt, clientRttMs, Set.copyOf(pings), sent);
  }

  boolean connected() {
    return connected;
  }

  /** Closes and frees the native peer; harmless twice. */
  synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    RTCDataChannel dataChannel = channel;
    if (dataChannel != null) {
      dataChannel.unregisterObserver();
      dataChannel.close();
      dataChannel.dispose();
    }
    connection.close();
  }

  /** The transport's selected pair, else the nominated pair that succeeded. */
  private static RTCStats selectedPair(Map<String, RTCStats> stats) {
    for (RTCStats s : stats.values()) {
      RTCStats pair = s.getType() == RTCStatsType.TRANSPORT ? stats.get(text(s, "selectedCandidatePairId")) : null;
      if (pair != null) {
        return pair;
      }
    }
    for (RTCStats s : stats.values()) {
      if (s.getType() == RTCStatsType.CANDIDATE_PAIR && Boolean.TRUE.equals(s.getAttributes().get("nominated"))
          && "succeeded".equalsIgnoreCase(text(s, "state"))) {
        return s;
      }
    }
    return null;
  }

  private static boolean isRelay(RTCStats candidate) {
    return candidate != null && "relay".equalsIgnoreCase(text(candidate, "candidateType"));
  }

  private static String text(RTCStats stats, String attribute) {
    Object value = stats.getAttributes().get(attribute);
    return value == null ? "" : value.toString();
  }

  private static SetSessionDescriptionObserver settled(CompletableFuture<Void> done) {
    return new SetSessionDescriptionObserver() {
      @Override
      public void onSuccess() {
        done.complete(null);
      }

      @Override
      public void onFailure(String error) {
        done.completeExceptionally(new IllegalArgumentException(error));
      }
    };
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(NATIVE_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("native WebRTC did not answer in " + NATIVE_WAIT_SECONDS + " s");
    }
  }

  /** Counts each ping {@code {"seq": n}} and sends it straight back. */
  private final class Echo implements RTCDataChannelObserver {
    private final RTCDataChannel dataChannel;

    Echo(RTCDataChannel dataChannel) {
      this.dataChannel = dataChannel;
    }

    @Override
    public void onMessage(RTCDataChannelBuffer buffer) {
      ByteBuffer data = buffer.data;
      if (buffer.binary || data.remaining() > MAX_PING_BYTES) {
        return;
      }
      byte[] bytes = new byte[data.remaining()];
      data.get(bytes);
      Matcher ping = PING.matcher(new String(bytes, StandardCharsets.UTF_8));
      if (!ping.matches()) {
        return;
      }
      int seq = Integer.parseInt(ping.group(1));
      if (seq < NetworkCheckFrames.MAX_PINGS) {
        pings.add(seq);
      }
      try {
        dataChannel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(bytes), false));
      } catch (Exception e) {
        log.debug("Network check: echo not sent: {}", e.toString());
      }
    }

    @Override
    public void onBufferedAmountChange(long previousAmount) {}

    @Override
    public void onStateChange() {}
  }
}
