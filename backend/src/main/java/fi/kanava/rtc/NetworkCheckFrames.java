package fi.kanava.rtc;

import fi.kanava.infra.ApiError;
import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.SocketFrames.Fields;
import io.vertx.core.json.JsonArray;
import java.util.UUID;

/**
 * The frames of the network check (docs/protocol.md, "Network check"): decoded strictly, once, at
 * the edge. SDP and candidates get the checks of call signalling ({@link SignalValidation}).
 */
public final class NetworkCheckFrames {
  /** The most pings a check counts (the browser sends about 20). */
  static final int MAX_PINGS = 1000;

  private NetworkCheckFrames() {}

  /** Starts a check, for a visit the caller is a member of (optional). */
  public record Start(String ref, UUID visitId) implements ClientFrame {
    public Start {
      ref = Fields.ref(ref);
    }
  }

  /** The browser's offer (with a data channel labelled {@code netcheck}). */
  public record Offer(String ref, UUID checkId, String sdp) implements ClientFrame {
    public Offer {
      ref = Fields.ref(ref);
      Fields.required(checkId, "checkId");
      sdp = checkedSdp(sdp);
    }
  }

  /** One of the browser's ICE candidates; an empty {@code candidate} string is the end of its candidates. */
  public record Candidate(String ref, UUID checkId, IceCandidate candidate) implements ClientFrame {
    public Candidate {
      ref = Fields.ref(ref);
      Fields.required(checkId, "checkId");
      Fields.required(candidate, "candidate");
    }
  }

  /**
   * The browser has sent its pings. {@code sent}: how many (seq 0 to sent - 1), so that pings lost
   * at the end count too; {@code rttMs}: the browser's own echo round trip, used only when the
   * server's stats have none.
   */
  public record Done(String ref, UUID checkId, Integer sent, Integer rttMs) implements ClientFrame {
    public Done {
      ref = Fields.ref(ref);
      Fields.required(checkId, "checkId");
      if (sent != null && (sent < 0 || sent > MAX_PINGS)) {
        throw Fields.malformed("'sent' must be a whole number from 0 to " + MAX_PINGS);
      }
      if (rttMs != null && (rttMs < 0 || rttMs > 60_000)) {
        throw Fields.malformed("'rttMs' must be a whole number from 0 to 60000");
      }
    }
  }

  /** An ICE candidate as the browser's RTCIceCandidate.toJSON() gives it. */
  public record IceCandidate(String candidate, String sdpMid, Integer sdpMLineIndex, String usernameFragment) {
    public IceCandidate {
      SignalValidation.candidate(candidate, sdpMid, sdpMLineIndex);
      if (usernameFragment != null && usernameFragment.length() > 256) {
        throw ApiError.badRequest("invalid_candidate", "'usernameFragment' is too long");
      }
    }
  }

  /** A candidate of the server's own peer, as libwebrtc wrote it. */
  public record OwnCandidate(String candidate, String sdpMid, int sdpMLineIndex) {}

  /** An SDP offer: starts {@code v=0}, every line {@code x=...}, at most 64 KB. */
  static String checkedSdp(String sdp) {
    return SignalValidation.sdp(sdp);
  }

  static ApiError invalidSdp() {
    return ApiError.badRequest("invalid_sdp", "'sdp' must be a session description: starts with v=0, lines x=..., at most 64 KB");
  }

  /** The reply to {@code netcheck.start}: the check's id and the ICE servers for the browser's peer. */
  public record Ready(String checkId, JsonArray iceServers) implements ServerFrame {
    @Override
    public String type() {
      return "netcheck.ready";
    }
  }

  /** The server peer's answer to the offer. */
  public record Answer(String checkId, String sdp) implements ServerFrame {
    @Override
    public String type() {
      return "netcheck.answer";
    }
  }

  /** One of the server peer's candidates. */
  public record ServerCandidate(String checkId, OwnCandidate candidate) implements ServerFrame {
    @Override
    public String type() {
      return "netcheck.candidate";
    }
  }

  /** What the check found: the reply to {@code netcheck.done}, or pushed when the check timed out. */
  public record Result(String checkId, String result, Integer rttMs, Double lossPercent) implements ServerFrame {
    @Override
    public String type() {
      return "netcheck.result";
    }
  }
}
