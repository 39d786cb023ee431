package fi.kanava.auth;

import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Logging out and disabling an account end access at once on the node that does it, and within
 * {@code auth.revocation-check-interval} on a node that shares only the database (two nodes here,
 * each with its own event bus), not when the access token expires.
 */
@DisplayName("Revocation: logout, refresh-token reuse and disabling end access on every socket and request")
class RevocationTest {
  static TestApp a;
  static TestApp b;
  static Fixtures f;
  static String admin;
  static int counter;

  @BeforeAll
  static void start() {
    a = TestApp.start(Map.of("auth.revocation-check-interval", "PT0.1S"));
    b = a.anotherNode();
    f = new Fixtures(a).organisations();
    f.account("revoking-admin", "admin");
    admin = f.accessToken("revoking-admin");
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  private static String unique(String prefix) {
    return prefix + "-" + (++counter);
  }

  /** A call every nurse's valid token may make. */
  private static int console(TestApp node, String token) {
    return node.get("/api/console/conversations", token).statusCode();
  }

  private static void assertEnded(WsClient socket, String code) {
    assertThat(socket.awaitType("error").getString("code")).isEqualTo(code);
    assertThat(socket.awaitClose()).isEqualTo((short) 4401);
  }

  private static void assertAlive(WsClient socket) {
    assertThat(socket.request(new JsonObject().put("type", "ping")).getString("type")).isEqualTo("pong");
  }

  @Test
  void after_logout_the_access_token_is_refused_and_its_sockets_close_on_both_nodes_while_another_session_goes_on() {
    String nurse = unique("leaving-nurse");
    f.account(nurse, "nurse");
    JsonObject session = f.login(nurse);
    JsonObject otherSession = f.login(nurse);
    String token = session.getString("accessToken");
    try (WsClient onA = WsClient.connect(a, token); WsClient onB = WsClient.connect(b, token);
        WsClient other = WsClient.connect(b, otherSession.getString("accessToken"))) {
      assertThat(console(a, token)).isEqualTo(200);
      assertThat(console(b, token)).isEqualTo(200);

      assertThat(a.post("/api/auth/logout", null, new JsonObject().put("refreshToken", session.getString("refreshToken"))).statusCode())
          .isEqualTo(204);

      // this node: at once
      assertError(a.get("/api/console/conversations", token), 401, "token_revoked");
      assertEnded(onA, "token_revoked");
      // the other node, which hears nothing on its event bus: at its next read of the revocations
      assertEnded(onB, "token_revoked");
      assertError(b.get("/api/console/conversations", token), 401, "token_revoked");
      assertThat(upgradeRefused(b, token)).isTrue();

      // the nurse's other session is not touched
      assertAlive(other);
      assertThat(console(b, otherSession.getString("accessToken"))).isEqualTo(200);
    }
  }

  @Test
  void disabling_an_account_refuses_its_tokens_and_closes_its_sockets_on_both_nodes() {
    String nurse = unique("disabled-nurse");
    UUID id = f.account(nurse, "nurse");
    String token = f.accessToken(nurse);
    try (WsClient onA = WsClient.connect(a, token); WsClient onB = WsClient.connect(b, token)) {
      assertThat(a.post("/api/admin/accounts/" + id + "/disable", admin, null).statusCode()).isEqualTo(200);
      assertError(a.get("/api/console/conversations", token), 401, "token_revoked");
      assertEnded(onA, "account_disabled");
      assertEnded(onB, "account_disabled");
      assertError(b.get("/api/console/conversations", token), 401, "token_revoked");
    }
  }

  @Test
  void a_patient_who_logs_out_is_refused_at_once_on_both_nodes() {
    JsonObject session = a.post("/api/patient/session", null, null).bodyAsJsonObject();
    String token = session.getString("accessToken");
    try (WsClient onB = WsClient.connect(b, token)) {
      assertThat(b.get("/api/patient/access-log", token).statusCode()).isEqualTo(200);
      assertThat(a.post("/api/auth/logout", null, new JsonObject().put("refreshToken", session.getString("refreshToken"))).statusCode())
          .isEqualTo(204);
      assertError(a.get("/api/patient/access-log", token), 401, "token_revoked");
      assertEnded(onB, "token_revoked");
      assertError(b.get("/api/patient/access-log", token), 401, "token_revoked");
    }
  }

  @Test
  void a_reused_refresh_token_ends_the_access_tokens_of_its_session() {
    String nurse = unique("robbed-nurse");
    f.account(nurse, "nurse");
    JsonObject first = f.login(nurse);
    JsonObject second = a.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", first.getString("refreshToken")))
        .bodyAsJsonObject();
    assertThat(console(a, second.getString("accessToken"))).isEqualTo(200);
    // a copy of the first refresh token is presented again, after the leeway for two tabs: someone else has it
    a.clock.advance(a.config.auth().refreshReuseLeeway().plusSeconds(1));
    assertError(a.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", first.getString("refreshToken"))),
        401, "refresh_token_reused");
    assertError(a.get("/api/console/conversations", second.getString("accessToken")), 401, "token_revoked");
    assertError(a.get("/api/console/conversations", first.getString("accessToken")), 401, "token_revoked");
  }

  @Test
  void a_re_enabled_account_signs_in_again_while_its_old_tokens_stay_refused() {
    String nurse = unique("returning-nurse");
    UUID id = f.account(nurse, "nurse");
    String old = f.accessToken(nurse);
    assertThat(a.post("/api/admin/accounts/" + id + "/disable", admin, null).statusCode()).isEqualTo(200);
    assertThat(a.post("/api/admin/accounts/" + id + "/enable", admin, null).statusCode()).isEqualTo(200);
    a.clock.advance(Duration.ofSeconds(1));
    b.clock.advance(Duration.ofSeconds(1));
    String fresh = f.accessToken(nurse);
    assertThat(console(a, fresh)).isEqualTo(200);
    assertError(a.get("/api/console/conversations", old), 401, "token_revoked");
  }

  @Test
  void a_revocation_is_kept_only_while_a_token_it_covers_can_live() {
    JsonObject session = a.post("/api/patient/session", null, null).bodyAsJsonObject();
    a.post("/api/auth/logout", null, new JsonObject().put("refreshToken", session.getString("refreshToken")));
    UUID patient = Fixtures.subject(session.getString("accessToken"));
    assertThat(a.rows("select id from token_revocation where subject_id = $1", patient)).hasSize(1);
    // the token lifetime and a minute's margin for clocks later, no token it covers is alive
    a.clock.advance(Duration.ofMinutes(6).plusSeconds(1));
    b.clock.advance(Duration.ofMinutes(6).plusSeconds(1));
    assertThat(TestApp.await(a.app.services().revocations().purge())).isPositive();
    assertThat(a.rows("select id from token_revocation where subject_id = $1", patient)).isEmpty();
    assertError(a.get("/api/patient/access-log", session.getString("accessToken")), 401, "token_expired");
  }

  /** Whether the node refuses to open a socket with the token (the upgrade is answered 401). */
  private static boolean upgradeRefused(TestApp node, String token) {
    try {
      WsClient.open(node, List.of("kanava.v1", "kanava.auth." + token), null).close();
      return false;
    } catch (RuntimeException e) {
      return String.valueOf(e.getMessage()).contains("401");
    }
  }
}
