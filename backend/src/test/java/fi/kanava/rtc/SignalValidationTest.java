package fi.kanava.rtc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fi.kanava.infra.ApiError;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("What a call relays is checked first")
public class SignalValidationTest {
  public static final String SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
      + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijklmn\r\n"
      + "a=mid:0\r\na=sctp-port:5000\r\n";

  private static String code(Runnable check) {
    try {
      check.run();
    } catch (ApiError e) {
      return e.code();
    }
    return null;
  }

  @Nested
  @DisplayName("a session description")
  class Sdp {
    @Test
    @DisplayName("is taken with CRLF or LF lines")
    void valid() {
      assertThat(SignalValidation.sdp(SDP)).isEqualTo(SDP);
      assertThatCode(() -> SignalValidation.sdp(SDP.replace("\r\n", "\n"))).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("is refused with invalid_sdp when empty, not starting v=0, with a line not x=..., or too long")
    void invalid() {
      assertThat(code(() -> SignalValidation.sdp(""))).isEqualTo("invalid_sdp");
      assertThat(code(() -> SignalValidation.sdp(null))).isEqualTo("invalid_sdp");
      assertThat(code(() -> SignalValidation.sdp("o=- 1 2 IN IP4 127.0.0.1\r\nv=0\r\n"))).isEqualTo("invalid_sdp");
      assertThat(code(() -> SignalValidation.sdp("v=0\r\n<script>alert(1)</script>\r\n"))).isEqualTo("invalid_sdp");
      assertThat(code(() -> SignalValidation.sdp("v=0\r\nA=upper\r\n"))).isEqualTo("invalid_sdp");
      assertThat(code(() -> SignalValidation.sdp("v=0\r\n\r\ns=-\r\n"))).isEqualTo("invalid_sdp");
      assertThat(code(() -> SignalValidation.sdp("v=0\r\na=x\u0000y\r\n"))).isEqualTo("invalid_sdp");
      assertThat(code(() -> SignalValidation.sdp(SDP + "a=" + "x".repeat(SignalValidation.MAX_SDP_BYTES) + "\r\n"))).isEqualTo("invalid_sdp");
    }
  }

  @Nested
  @DisplayName("a candidate")
  class Candidate {
    @Test
    @DisplayName("is taken as browsers and libwebrtc write it: host, mDNS, srflx, relay, tcp, end of candidates")
    void valid() {
      assertThatCode(() -> SignalValidation.candidate("candidate:842163049 1 udp 1677729535 192.0.2.7 52044 typ srflx raddr 10.0.0.2 rport 52044"
          + " generation 0 ufrag abcd network-id 1 network-cost 10", "0", 0)).doesNotThrowAnyException();
      assertThatCode(() -> SignalValidation.candidate("candidate:1 1 UDP 2122252543 3a1b2c3d-1111-2222-3333-444455556666.local 61111 typ host",
          null, 1)).doesNotThrowAnyException();
      assertThatCode(() -> SignalValidation.candidate("candidate:3 1 udp 41885695 198.51.100.4 49152 typ relay raddr 192.0.2.7 rport 52044",
          "1", null)).doesNotThrowAnyException();
      assertThatCode(() -> SignalValidation.candidate("candidate:4 1 tcp 1518280447 2001:db8::1 9 typ host tcptype active", "0", 0))
          .doesNotThrowAnyException();
      assertThatCode(() -> SignalValidation.candidate("", "0", 0)).doesNotThrowAnyException();
    }

    @Test
    @DisplayName("is refused with invalid_candidate when it is not the grammar, too long, or without a valid media section")
    void invalid() {
      assertThat(code(() -> SignalValidation.candidate("hello", "0", 0))).isEqualTo("invalid_candidate");
      assertThat(code(() -> SignalValidation.candidate("candidate:1 1 udp 1 192.0.2.7 5 typ bogus", "0", 0))).isEqualTo("invalid_candidate");
      assertThat(code(() -> SignalValidation.candidate("candidate:1 1 udp 1 192.0.2.7 5 typ host\r\na=evil", "0", 0)))
          .isEqualTo("invalid_candidate");
      assertThat(code(() -> SignalValidation.candidate("candidate:1 1 udp 1 192.0.2.7 5 typ host x " + "y".repeat(1100), "0", 0)))
          .isEqualTo("invalid_candidate");
      assertThat(code(() -> SignalValidation.candidate(null, "0", 0))).isEqualTo("invalid_candidate");
      assertThat(code(() -> SignalValidation.candidate("candidate:1 1 udp 1 192.0.2.7 5 typ host", null, null))).isEqualTo("invalid_candidate");
      assertThat(code(() -> SignalValidation.candidate("candidate:1 1 udp 1 192.0.2.7 5 typ host", "0", 64))).isEqualTo("invalid_candidate");
      assertThat(code(() -> SignalValidation.candidate("candidate:1 1 udp 1 192.0.2.7 5 typ host", "0", -1))).isEqualTo("invalid_candidate");
      assertThat(code(() -> SignalValidation.candidate("candidate:1 1 udp 1 192.0.2.7 5 typ host", "a b", 0))).isEqualTo("invalid_candidate");
    }
  }

  @Test
  @DisplayName("TURN passwords are base64(HMAC-SHA1(secret, username)), as coturn computes them")
  void turn_password() {
    // RFC 2202 test case 2: HMAC-SHA1("Jefe", "what do ya want for nothing?") = effcdf6ae5eb2fa2d27416d5f184df9c259a7c79
    assertThat(TurnCredentials.password("Jefe", "what do ya want for nothing?"))
        .isEqualTo(java.util.Base64.getEncoder().encodeToString(java.util.HexFormat.of().parseHex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")));
    assertThatThrownBy(() -> SignalValidation.sdp("x")).isInstanceOf(ApiError.class);
  }
}
