package fi.kanava.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** js/netcheck.js in Chromium against the server's own WebRTC peer: the module the visit page runs before the waiting room. */
@DisplayName("The browser's network check")
class BrowserNetworkCheckTest {

  @Test
  @DisplayName("Chromium connects to the server's peer, its pings are echoed and the server's result comes back and is kept")
  void chromium_runs_the_check() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      String token = t.post("/api/patient/session", null, null).bodyAsJsonObject().getString("accessToken");
      try (BrowserContext context = chromium.browser.newContext()) {
        Page page = context.newPage();
        page.navigate("http://localhost:" + t.app.port() + "/");
        @SuppressWarnings("unchecked")
        Map<String, Object> outcome = (Map<String, Object>) page.evaluate("""
            async (token) => {
              const { Api } = await import('/js/api.js');
              const { KanavaSocket } = await import('/js/socket.js');
              const { runNetworkCheck } = await import('/js/netcheck.js');
              const api = new Api('netcheck-test');
              api.setTokens({ accessToken: token, expiresIn: 600 });
              const socket = new KanavaSocket(api);
              socket.start();
              const phases = [];
              const result = await runNetworkCheck(socket, { onProgress: (p) => phases.includes(p.phase) || phases.push(p.phase) });
              socket.stop();
              return { ...result, phases: phases.join(',') };
            }""", token);
        JsonObject result = new JsonObject(outcome);
        assertThat(result.getString("result")).as(result.encode()).isEqualTo("connected");
        assertThat(result.getInteger("rttMs")).isNotNull().isGreaterThanOrEqualTo(0);
        assertThat(result.getDouble("lossPercent")).isBetween(0.0, 100.0);
        assertThat(result.getString("phases")).isEqualTo("starting,connecting,measuring,finishing");
        Row row = t.row("select result, rtt_ms from network_check where subject_id = $1", Fixtures.subject(token));
        assertThat(row.getString("result")).isEqualTo("connected");
        assertThat(row.getInteger("rtt_ms")).isEqualTo(result.getInteger("rttMs"));
      }
    }
  }
}
