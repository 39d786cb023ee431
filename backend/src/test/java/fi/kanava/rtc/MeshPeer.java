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
import dev.onvoid.webrtc.media.audio.AudioOptions;
import dev.onvoid.webrtc.media.audio.AudioTrackSource;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One member of a mesh call in a test: a webrtc-java PeerConnection per other peer, all signalled
 * over the member's one real WsClient. A thread takes the relayed rtc.offer, rtc.answer and
 * rtc.candidate frames and hands each to the link of the peer it came {@code from} (a link is made
 * on the first signal from a peer the member has not offered to: the newcomer offers, the others
 * answer). Each link carries audio and a data channel. Native calls run on that thread and the
 * test's, never on an event loop. {@link RtcPeer} is the one-to-one version.
 */
final class MeshPeer implements AutoCloseable {

  final String name;
  final WsClient ws;
  final String callId;
  final String peerId;
  private final PeerConnectionFactory factory;
  private final AudioTrackSource audio;
  private final Map<String, Link> links = new ConcurrentHashMap<>();
  private volatile boolean stopped;
  private final Thread pump;

  /** One PeerConnection to one other peer of the call. */
  final class Link {
    final String remote;
    final RTCPeerConnection pc;
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    final CompletableFuture<Void> track = new CompletableFuture<>();
    final CompletableFuture<RTCDataChannel> channelOpen = new CompletableFuture<>();
    final CompletableFuture<String> message = new CompletableFuture<>();
    private final PeerSignalling signalling;

    Link(String remote) {
      this.remote = remote;
      this.pc = factory.createPeerConnection(new RTCConfiguration(), new PeerConnectionObserver() {
        @Override
        public void onIceCandidate(RTCIceCandidate candidate) {
          if (!stopped) {
            signal("rtc.candidate", new JsonObject().put("candidate", PeerSignalling.json(candidate)));
          }
        }

        @Override
        public void onConnectionChange(RTCPeerConnectionState state) {
          if (state == RTCPeerConnectionState.CONNECTED) {
            connected.complete(null);
          } else if (state == RTCPeerConnectionState.FAILED) {
            connected.completeExceptionally(new AssertionError(name + " to " + remote + " failed"));
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
      pc.addTrack(factory.createAudioTrack(name + "-to-" + remote, audio), List.of(name + "-stream"));
    }

    private void signal(String type, JsonObject body) {
      ws.send(body.put("type", type).put("callId", callId).put("to", remote));
    }

    private void observe(RTCDataChannel channel) {
      PeerSignalling.observe(channel, channelOpen, message);
    }

    /** As the newcomer: a data channel, then the offer. */
    void offer() {
      observe(pc.createDataChannel("chat", new RTCDataChannelInit()));
      signal("rtc.offer", new JsonObject().put("sdp", signalling.offer(false)));
    }

    void send(String text) {
      RTCDataChannel channel = RtcPeer.await(channelOpen);
      try {
        channel.send(new RTCDataChannelBuffer(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), false));
      } catch (Exception e) {
        throw new AssertionError(name + " could not send to " + remote, e);
      }
    }

    private void handle(JsonObject frame) {
      switch (frame.getString("type")) {
        case "rtc.offer" -> signal("rtc.answer", new JsonObject().put("sdp", signalling.answer(frame.getString("sdp"))));
        case "rtc.answer" -> signalling.answered(frame.getString("sdp"));
        default -> signalling.candidate(frame.getJsonObject("candidate"));
      }
    }
  }

  /** A member whose socket joined {@code callId} as {@code peerId}. */
  MeshPeer(String name, PeerConnectionFactory factory, WsClient ws, String callId, String peerId) {
    this.name = name;
    this.factory = factory;
    this.ws = ws;
    this.callId = callId;
    this.peerId = peerId;
    this.audio = factory.createAudioSource(new AudioOptions());
    pump = new Thread(this::pump, "mesh-peer-" + name);
    pump.setDaemon(true);
    pump.start();
  }

  /** The link to a peer, made on first use. */
  Link link(String remote) {
    return links.computeIfAbsent(remote, Link::new);
  }

  /** The mesh rule: the newcomer offers to every peer already in the call. */
  void offerTo(List<String> remotes) {
    remotes.forEach(remote -> link(remote).offer());
  }

  int links() {
    return links.size();
  }

  private void pump() {
    for (JsonObject frame; (frame = PeerSignalling.nextSignal(ws, () -> stopped)) != null; ) {
      Link link = link(frame.getString("from"));
      try {
        link.handle(frame);
      } catch (RuntimeException | AssertionError e) {
        link.connected.completeExceptionally(e);
      }
    }
  }

  @Override
  public void close() {
    stopped = true;
    links.values().forEach(link -> link.pc.close());
    // the tracks stay with the closed connections' senders (as in RtcPeer); the source goes with the factory
  }
}
