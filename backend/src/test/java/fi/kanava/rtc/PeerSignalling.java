package fi.kanava.rtc;

import dev.onvoid.webrtc.CreateSessionDescriptionObserver;
import dev.onvoid.webrtc.RTCAnswerOptions;
import dev.onvoid.webrtc.RTCDataChannel;
import dev.onvoid.webrtc.RTCDataChannelBuffer;
import dev.onvoid.webrtc.RTCDataChannelObserver;
import dev.onvoid.webrtc.RTCDataChannelState;
import dev.onvoid.webrtc.RTCIceCandidate;
import dev.onvoid.webrtc.RTCOfferOptions;
import dev.onvoid.webrtc.RTCPeerConnection;
import dev.onvoid.webrtc.RTCSdpType;
import dev.onvoid.webrtc.RTCSessionDescription;
import dev.onvoid.webrtc.SetSessionDescriptionObserver;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The offer/answer half of one webrtc-java PeerConnection in a test ({@link RtcPeer}, {@link
 * MeshPeer}): descriptions made and applied by waiting on their native callbacks (never on an event
 * loop), and remote candidates held until the remote description is set.
 */
final class PeerSignalling {
  private final RTCPeerConnection pc;
  private final List<RTCIceCandidate> early = new ArrayList<>();
  private boolean remoteSet;

  PeerSignalling(RTCPeerConnection pc) {
    this.pc = pc;
  }

  /** A new local offer (with new ICE credentials for a restart); its SDP to send. */
  String offer(boolean iceRestart) {
    RTCOfferOptions options = new RTCOfferOptions();
    options.iceRestart = iceRestart;
    RTCSessionDescription offer = await(create(o -> pc.createOffer(options, o)));
    await(apply(o -> pc.setLocalDescription(offer, o)));
    return offer.sdp;
  }

  /** Takes a remote offer; the answer's SDP to send. */
  String answer(String offerSdp) {
    await(apply(o -> pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.OFFER, offerSdp), o)));
    remoteSet();
    RTCSessionDescription answer = await(create(o -> pc.createAnswer(new RTCAnswerOptions(), o)));
    await(apply(o -> pc.setLocalDescription(answer, o)));
    return answer.sdp;
  }

  /** Takes the remote answer to our offer. */
  void answered(String answerSdp) {
    await(apply(o -> pc.setRemoteDescription(new RTCSessionDescription(RTCSdpType.ANSWER, answerSdp), o)));
    remoteSet();
  }

  /** A relayed candidate ({@code {candidate, sdpMid, sdpMLineIndex}}), held until there is a remote description. */
  void candidate(JsonObject c) {
    RTCIceCandidate candidate = new RTCIceCandidate(c.getString("sdpMid"), c.getInteger("sdpMLineIndex", 0), c.getString("candidate"));
    synchronized (early) {
      if (!remoteSet) {
        early.add(candidate);
        return;
      }
    }
    pc.addIceCandidate(candidate);
  }

  private void remoteSet() {
    synchronized (early) {
      remoteSet = true;
      early.forEach(pc::addIceCandidate);
      early.clear();
    }
  }

  private static final java.util.Set<String> SIGNALS = java.util.Set.of("rtc.offer", "rtc.answer", "rtc.candidate");

  /** The next relayed rtc.offer, rtc.answer or rtc.candidate on the socket; null once it closed or {@code stopped} says so. */
  static JsonObject nextSignal(fi.kanava.support.WsClient ws, java.util.function.BooleanSupplier stopped) {
    while (!stopped.getAsBoolean()) {
      try {
        JsonObject frame = ws.await(f -> SIGNALS.contains(f.getString("type")));
        return stopped.getAsBoolean() ? null : frame;
      } catch (AssertionError e) {
        if (e.getMessage() != null && e.getMessage().startsWith("socket closed")) {
          return null;
        }
      }
    }
    return null;
  }

  /** A local candidate as rtc.candidate carries it. */
  static JsonObject json(RTCIceCandidate candidate) {
    return new JsonObject().put("candidate", candidate.sdp).put("sdpMid", candidate.sdpMid).put("sdpMLineIndex", candidate.sdpMLineIndex);
  }

  /** Completes {@code open} when the data channel opens and {@code message} with the first text it receives. */
  static void observe(RTCDataChannel channel, CompletableFuture<RTCDataChannel> open, CompletableFuture<String> message) {
    channel.registerObserver(new RTCDataChannelObserver() {
      @Override
      public void onBufferedAmountChange(long previous) {}

      @Override
      public void onStateChange() {
        if (channel.getState() == RTCDataChannelState.OPEN) {
          open.complete(channel);
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
      open.complete(channel);
    }
  }

  private interface Creating {
    void start(CreateSessionDescriptionObserver observer);
  }

  private interface Applying {
    void start(SetSessionDescriptionObserver observer);
  }

  private static CompletableFuture<RTCSessionDescription> create(Creating op) {
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

  private static CompletableFuture<Void> apply(Applying op) {
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
      return future.get(RtcPeer.WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
