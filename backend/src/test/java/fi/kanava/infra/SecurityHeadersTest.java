package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.TestApp;
import io.vertx.core.MultiMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Security headers on pages and the API")
class SecurityHeadersTest {
  private static void assertHardened(MultiMap headers) {
    String csp = headers.get("content-security-policy");
    assertThat(csp).contains("script-src 'self'").contains("frame-ancestors 'none'").contains("object-src 'none'")
        .doesNotContain("unsafe-inline").doesNotContain("unsafe-eval");
    assertThat(headers.get("permissions-policy")).contains("camera=(self)").contains("microphone=(self)");
    assertThat(headers.get("cross-origin-opener-policy")).isEqualTo("same-origin");
    assertThat(headers.get("x-frame-options")).isEqualTo("DENY");
  }

  @Test
  @DisplayName("every page and API answer has a CSP without inline script, a Permissions-Policy and COOP; no HSTS by default")
  void hardened_by_default() {
    try (TestApp t = TestApp.start()) {
      for (String path : new String[] {"/", "/console", "/js/patient.js", "/health/live", "/api/queues"}) {
        MultiMap headers = t.get(path, null).headers();
        assertHardened(headers);
        assertThat(headers.get("strict-transport-security")).as(path).isNull();
      }
    }
  }

  @Test
  @DisplayName("with TLS in front, HSTS is sent as configured")
  void hsts_when_configured() {
    try (TestApp t = TestApp.start(Map.of("http.hsts-max-age-seconds", "31536000"))) {
      MultiMap headers = t.get("/", null).headers();
      assertHardened(headers);
      assertThat(headers.get("strict-transport-security")).isEqualTo("max-age=31536000; includeSubDomains");
    }
  }
}
