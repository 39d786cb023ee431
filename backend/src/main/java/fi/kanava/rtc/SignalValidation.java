package fi.kanava.rtc;

import fi.kanava.infra.ApiError;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Checks what peers ask the server to relay (docs/protocol.md, "Calls"): a session description
 * ({@code invalid_sdp}) and an ICE candidate ({@code invalid_candidate}). The server only relays
 * them, but it relays nothing that is not shaped like one: a member cannot use the call as a pipe
 * for anything else, and a broken description fails at the sender, with a code, not at the peer.
 */
public final class SignalValidation {
  /** The largest session description relayed, in bytes of UTF-8. */
  public static final int MAX_SDP_BYTES = 64 * 1024;
  /** The largest candidate line relayed, in bytes of UTF-8. */
  public static final int MAX_CANDIDATE_BYTES = 1024;
  /** The largest media-line index: far more m= sections than a call of four with audio, video and data has. */
  public static final int MAX_MLINE_INDEX = 63;
  public static final int MAX_MID = 32;

  /** One SDP line: a single lower-case letter, '=', then printable text (RFC 8866 section 5). */
  private static final Pattern SDP_LINE = Pattern.compile("[a-z]=[^\\x00-\\x08\\x0A-\\x1F\\x7F]*");
  /**
   * An ICE candidate attribute (RFC 8839 section 5.1): foundation, component, transport, priority,
   * address (an IP, or an mDNS name ending in .local), port, typ and a type, then name-value pairs
   * (raddr, rport, tcptype, generation, ufrag, network-id...).
   */
  private static final Pattern CANDIDATE = Pattern.compile(
      "candidate:[A-Za-z0-9+/]{1,32} [0-9]{1,3} (?i:udp|tcp) [0-9]{1,10} [A-Za-z0-9.:%-]{1,255} [0-9]{1,5}"
          + " typ (?:host|srflx|prflx|relay)(?: [A-Za-z0-9-]{1,32} [A-Za-z0-9.:%/+=-]{1,255})*");
  private static final Pattern MID = Pattern.compile("[A-Za-z0-9_.-]{1," + MAX_MID + "}");

  private SignalValidation() {}

  /** Returns the description unchanged if it is one, else throws {@code invalid_sdp}. */
  public static String sdp(String sdp) {
    if (sdp == null || sdp.isEmpty()) {
      throw invalidSdp("'sdp' is required");
    }
    if (sdp.getBytes(StandardCharsets.UTF_8).length > MAX_SDP_BYTES) {
      throw invalidSdp("'sdp' is longer than " + MAX_SDP_BYTES + " bytes");
    }
    if (!sdp.startsWith("v=0\r\n") && !sdp.startsWith("v=0\n")) {
      throw invalidSdp("'sdp' must start with the line v=0");
    }
    String[] lines = sdp.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      boolean lastAndEmpty = i == lines.length - 1 && lines[i].isEmpty();
      if (!lastAndEmpty && !SDP_LINE.matcher(lines[i]).matches()) {
        throw invalidSdp("line " + (i + 1) + " of 'sdp' is not of the form x=...");
      }
    }
    return sdp;
  }

  /**
   * Checks a candidate: the {@code candidate:} line (empty means the end of candidates), its media
   * section by mid and/or index (at least one).
   */
  public static void candidate(String candidate, String sdpMid, Integer sdpMLineIndex) {
    if (candidate == null) {
      throw invalidCandidate("'candidate.candidate' is required");
    }
    if (candidate.getBytes(StandardCharsets.UTF_8).length > MAX_CANDIDATE_BYTES) {
      throw invalidCandidate("'candidate.candidate' is longer than " + MAX_CANDIDATE_BYTES + " bytes");
    }
    String line = candidate.startsWith("a=") ? candidate.substring(2) : candidate;
    if (!line.isEmpty() && !CANDIDATE.matcher(line).matches()) {
      throw invalidCandidate("'candidate.candidate' is not an ICE candidate (candidate:foundation component transport priority address port typ type ...)");
    }
    if (sdpMid == null && sdpMLineIndex == null) {
      throw invalidCandidate("'candidate' needs 'sdpMid' or 'sdpMLineIndex'");
    }
    if (sdpMid != null && !MID.matcher(sdpMid).matches()) {
      throw invalidCandidate("'candidate.sdpMid' must be 1 to " + MAX_MID + " letters, digits, '_', '.' or '-'");
    }
    if (sdpMLineIndex != null && (sdpMLineIndex < 0 || sdpMLineIndex > MAX_MLINE_INDEX)) {
      throw invalidCandidate("'candidate.sdpMLineIndex' must be 0 to " + MAX_MLINE_INDEX);
    }
  }

  private static ApiError invalidSdp(String message) {
    return ApiError.badRequest("invalid_sdp", message);
  }

  private static ApiError invalidCandidate(String message) {
    return ApiError.badRequest("invalid_candidate", message);
  }
}
