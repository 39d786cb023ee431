package fi.kanava.rtc;

import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.SocketFrames.Fields;
import java.util.List;
import java.util.UUID;

/** The frames of calls (docs/protocol.md, "Calls"): decoded strictly, once, at the edge. */
public final class RtcFrames {
  private RtcFrames() {}

  /** A client frame about one call that the sender must be a current member of. */
  public interface InCall extends ClientFrame {
    UUID callId();
  }

  /** A signal for one peer of the call. */
  public interface Signal extends InCall {
    UUID to();
  }

  /** The professional assigned to an open chat calls its patient. */
  public record Invite(String ref, UUID conversationId) implements ClientFrame {
    public Invite {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
    }
  }

  /** A professional in a chat call invites a colleague (an account) into it. */
  public record InviteColleague(String ref, UUID callId, UUID accountId) implements ClientFrame {
    public InviteColleague {
      ref = Fields.ref(ref);
      Fields.required(callId, "callId");
      Fields.required(accountId, "accountId");
    }
  }

  /** The invited patient declines a ringing call. */
  public record Decline(String ref, UUID callId) implements ClientFrame {
    public Decline {
      ref = Fields.ref(ref);
      Fields.required(callId, "callId");
    }
  }

  /** Joins a call: by its id (a chat call, or a visit's call whose id is known), or by the visit. */
  public record Join(String ref, UUID callId, UUID visitId) implements ClientFrame {
    public Join {
      ref = Fields.ref(ref);
      if ((callId == null) == (visitId == null)) {
        throw Fields.malformed("give exactly one of 'callId' and 'visitId'");
      }
    }
  }

  public record Offer(String ref, UUID callId, UUID to, String sdp) implements Signal {
    public Offer {
      ref = Fields.ref(ref);
      Fields.required(callId, "callId");
      Fields.required(to, "to");
      SignalValidation.sdp(sdp);
    }
  }

  public record Answer(String ref, UUID callId, UUID to, String sdp) implements Signal {
    public Answer {
      ref = Fields.ref(ref);
      Fields.required(callId, "callId");
      Fields.required(to, "to");
      SignalValidation.sdp(sdp);
    }
  }

  /** An ICE candidate as the browser's RTCIceCandidate has it. */
  public record IceCandidate(String candidate, String sdpMid, Integer sdpMLineIndex) {
    public IceCandidate {
      SignalValidation.candidate(candidate, sdpMid, sdpMLineIndex);
    }
  }

  public record Candidate(String ref, UUID callId, UUID to, IceCandidate candidate) implements Signal {
    public Candidate {
      ref = Fields.ref(ref);
      Fields.required(callId, "callId");
      Fields.required(to, "to");
      if (candidate == null) {
        throw fi.kanava.infra.ApiError.badRequest("invalid_candidate", "'candidate' is required");
      }
    }
  }

  /** The sender's microphone and camera: on or off. */
  public record Media(String ref, UUID callId, Boolean audio, Boolean video) implements InCall {
    public Media {
      ref = Fields.ref(ref);
      Fields.required(callId, "callId");
      Fields.required(audio, "audio");
      Fields.required(video, "video");
    }
  }

  /** The sender's ICE state, whether its selected pair goes through a relay, and whether it sends audio only. */
  public record Status(String ref, UUID callId, String status, Boolean relayed, Boolean audioOnly) implements InCall {
    public Status {
      ref = Fields.ref(ref);
      Fields.required(callId, "callId");
      if (status == null || CallState.Status.fromCode(status) == null) {
        throw Fields.malformed("'status' must be connected, reconnecting or failed");
      }
      relayed = relayed != null && relayed;
      audioOnly = audioOnly != null && audioOnly;
    }

    CallState.Status parsed() {
      return CallState.Status.fromCode(status);
    }
  }

  public record Hangup(String ref, UUID callId) implements InCall {
    public Hangup {
      ref = Fields.ref(ref);
      Fields.required(callId, "callId");
    }
  }

  // --- server frames ---------------------------------------------------------------------------------

  /** A STUN or TURN server for RTCPeerConnection's iceServers; a TURN server has a username and credential. */
  public record IceServer(List<String> urls, String username, String credential) {}

  /** A peer in a call: its current join ({@code peerId}), name, role in the call, and whether its microphone and camera are on. */
  public record Peer(String peerId, String name, String role, boolean audio, boolean video) {}

  /** The reply to {@code rtc.invite}. */
  public record Call(String callId, String conversationId, String state) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.call";
    }
  }

  public record From(String name, String role) {}

  public record Colleague(String accountId, String name) {}

  /** The reply to {@code rtc.invite-colleague}: the colleague's sockets ring ({@code rtc.incoming}). */
  public record ColleagueInvited(String callId, Colleague colleague) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.colleague-invited";
    }
  }

  /** To the patient of the chat: a call rings. */
  public record Incoming(String callId, String conversationId, From from) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.incoming";
    }
  }

  /** The reply to {@code rtc.join}: the sender's peer id, who is there (the sender offers to each), the ICE servers. */
  public record Joined(String callId, String peerId, List<Peer> peers, List<IceServer> iceServers) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.joined";
    }
  }

  public record PeerJoined(String callId, Peer peer) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.peer-joined";
    }
  }

  public record PeerLeft(String callId, String peerId) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.peer-left";
    }
  }

  public record Ended(String callId, String reason) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.ended";
    }
  }

  public record StateChanged(String callId, String state) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.state";
    }
  }

  public record MediaChanged(String callId, String from, boolean audio, boolean video) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.media";
    }
  }

  /** A relayed {@code rtc.offer}, to its target peer only ({@code from} is set when relayed). */
  public record RelayedOffer(String callId, String from, String sdp) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.offer";
    }
  }

  /** A relayed {@code rtc.answer}, to its target peer only. */
  public record RelayedAnswer(String callId, String from, String sdp) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.answer";
    }
  }

  public record RelayedCandidate(String callId, String from, IceCandidate candidate) implements ServerFrame {
    @Override
    public String type() {
      return "rtc.candidate";
    }
  }
}
