package fi.kanava.auth;

import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Professional sign-in and tokens")
class SignInAndTokensTest {
  static TestApp t;
  static Fixtures f;

  @BeforeAll
  static void start() {
    t = TestApp.start(Map.of("auth.login.max-failures", "3", "auth.login.lockout", "PT10M"));
    f = new Fixtures(t).organisations();
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static HttpResponse<Buffer> login(String username, String password) {
    return t.post("/api/auth/login", null, new JsonObject().put("username", username).put("password", password));
  }


  @Nested
  @DisplayName("signing in")
  class SigningIn {
    @Test
    void the_right_password_gives_an_access_token_a_refresh_token_and_the_expiry() {
      f.account("signin-ok", "nurse");
      HttpResponse<Buffer> response = login("SIGNIN-OK", Fixtures.PASSWORD);
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject body = response.bodyAsJsonObject();
      assertThat(body.fieldNames()).containsExactlyInAnyOrder("accessToken", "refreshToken", "expiresIn");
      assertThat(body.getLong("expiresIn")).isEqualTo(300);
      assertThat(body.getString("accessToken").split("\\.")).hasSize(3);
    }

    @Test
    void a_wrong_password_and_an_unknown_user_get_the_same_answer() {
      f.account("signin-wrong", "nurse");
      HttpResponse<Buffer> wrong = login("signin-wrong", "not the password");
      HttpResponse<Buffer> unknown = login("nobody-at-all", "not the password");
      assertError(wrong, 401, "invalid_credentials");
      assertError(unknown, 401, "invalid_credentials");
      assertThat(wrong.bodyAsString()).isEqualTo(unknown.bodyAsString());
    }

    @Test
    void a_disabled_account_cannot_sign_in() {
      var id = f.account("signin-disabled", "nurse");
      TestApp.await(t.app.services().accounts().disable(id));
      assertError(login("signin-disabled", Fixtures.PASSWORD), 401, "invalid_credentials");
    }

    @Test
    void repeated_failures_lock_the_username_for_a_while_whether_or_not_it_exists() {
      f.account("signin-locked", "nurse");
      for (String username : new String[] {"signin-locked", "no-such-user-either"}) {
        assertError(login(username, "wrong 1"), 401, "invalid_credentials");
        assertError(login(username, "wrong 2"), 401, "invalid_credentials");
        HttpResponse<Buffer> third = login(username, "wrong 3");
        assertError(third, 429, "too_many_attempts");
        assertThat(third.getHeader("retry-after")).isEqualTo("600");
      }
      // locked: even the right password is refused until the lock-out has passed
      assertError(login("signin-locked", Fixtures.PASSWORD), 429, "too_many_attempts");
      t.clock.advance(Duration.ofMinutes(10).plusSeconds(1));
      assertThat(login("signin-locked", Fixtures.PASSWORD).statusCode()).isEqualTo(200);
    }

    @Test
    void a_successful_sign_in_resets_the_failure_count() {
      f.account("signin-reset", "nurse");
      login("signin-reset", "wrong 1");
      login("signin-reset", "wrong 2");
      assertThat(login("signin-reset", Fixtures.PASSWORD).statusCode()).isEqualTo(200);
      assertError(login("signin-reset", "wrong 3"), 401, "invalid_credentials");
      assertError(login("signin-reset", "wrong 4"), 401, "invalid_credentials");
    }
  }

  @Nested
  @DisplayName("access tokens")
  class AccessTokensTests {
    @Test
    void an_access_token_works_until_it_expires_by_the_injected_clock() {
      f.account("expiry-admin", "admin");
      String token = f.accessToken("expiry-admin");
      assertThat(t.get("/api/admin/accounts", token).statusCode()).isEqualTo(200);
      t.clock.advance(Duration.ofMinutes(5));
      assertError(t.get("/api/admin/accounts", token), 401, "token_expired");
    }

    @Test
    void a_forged_or_tampered_token_is_refused() {
      f.account("forged-admin", "admin");
      String token = f.accessToken("forged-admin");
      String[] parts = token.split("\\.");
      String payload = new String(java.util.Base64.getUrlDecoder().decode(parts[1])).replace("\"admin\"", "\"nurse\"");
      String tampered = parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes()) + "." + parts[2];
      assertError(t.get("/api/admin/accounts", tampered), 401, "invalid_token");
      assertError(t.get("/api/admin/accounts", "not.a.token"), 401, "invalid_token");
      String unsigned = java.util.Base64.getUrlEncoder().withoutPadding()
          .encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes()) + "." + parts[1] + ".";
      assertError(t.get("/api/admin/accounts", unsigned), 401, "invalid_token");
    }

    @Test
    void no_token_means_401() {
      assertError(t.get("/api/admin/accounts", null), 401, "unauthenticated");
    }
  }

  @Nested
  @DisplayName("refresh tokens")
  class RefreshTokens {
    private HttpResponse<Buffer> refresh(String refreshToken) {
      return t.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", refreshToken));
    }

    @Test
    void a_refresh_token_rotates_and_the_new_pair_works() {
      f.account("rotate", "admin");
      JsonObject first = f.login("rotate");
      HttpResponse<Buffer> response = refresh(first.getString("refreshToken"));
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject second = response.bodyAsJsonObject();
      assertThat(second.getString("refreshToken")).isNotEqualTo(first.getString("refreshToken"));
      assertThat(t.get("/api/admin/accounts", second.getString("accessToken")).statusCode()).isEqualTo(200);
      assertThat(refresh(second.getString("refreshToken")).statusCode()).isEqualTo(200);
    }

    @Test
    void the_same_refresh_token_twice_at_once_is_two_tabs_refreshing_and_ends_nothing() {
      f.account("two-tabs", "nurse");
      JsonObject first = f.login("two-tabs");
      HttpResponse<Buffer> one = refresh(first.getString("refreshToken"));
      // the other tab sent the same cookie before the first answer came back
      HttpResponse<Buffer> other = refresh(first.getString("refreshToken"));
      assertThat(one.statusCode()).isEqualTo(200);
      assertThat(other.statusCode()).as(other.bodyAsString()).isEqualTo(200);
      // the session goes on, in both tabs
      assertThat(refresh(one.bodyAsJsonObject().getString("refreshToken")).statusCode()).isEqualTo(200);
      assertThat(refresh(other.bodyAsJsonObject().getString("refreshToken")).statusCode()).isEqualTo(200);
    }

    @Test
    void reusing_a_refresh_token_revokes_the_whole_family() {
      f.account("reuse", "nurse");
      JsonObject first = f.login("reuse");
      JsonObject second = refresh(first.getString("refreshToken")).bodyAsJsonObject();
      // the first token was stolen and is presented again, later than two tabs refreshing at once would
      t.clock.advance(t.config.auth().refreshReuseLeeway().plusSeconds(1));
      assertError(refresh(first.getString("refreshToken")), 401, "refresh_token_reused");
      // the legitimate holder's newer token is now dead too
      assertError(refresh(second.getString("refreshToken")), 401, "invalid_refresh_token");
    }

    @Test
    void refresh_tokens_are_stored_only_as_hashes() {
      f.account("hashed", "nurse");
      String refreshToken = f.login("hashed").getString("refreshToken");
      var rows = TestApp.await(t.pool().query("select encode(token_hash, 'escape') as h from refresh_token").execute());
      rows.forEach(row -> assertThat(row.getString("h")).doesNotContain(refreshToken));
      assertThat(rows.size()).isPositive();
    }

    @Test
    void an_expired_refresh_token_is_refused() {
      f.account("refresh-expiry", "nurse");
      String refreshToken = f.login("refresh-expiry").getString("refreshToken");
      t.clock.advance(Duration.ofHours(12));
      assertError(refresh(refreshToken), 401, "refresh_token_expired");
    }

    @Test
    void refreshing_keeps_a_session_alive_only_up_to_the_session_limit() {
      f.account("session-max", "nurse");
      String refreshToken = f.login("session-max").getString("refreshToken");
      // refresh every 1h50m (inside the 2h idle limit): the last token still ends with the 12h session
      for (int i = 0; i < 6; i++) {
        t.clock.advance(Duration.ofMinutes(110));
        HttpResponse<Buffer> response = refresh(refreshToken);
        assertThat(response.statusCode()).as("refresh %d", i).isEqualTo(200);
        refreshToken = response.bodyAsJsonObject().getString("refreshToken");
      }
      t.clock.advance(Duration.ofMinutes(110));
      assertError(refresh(refreshToken), 401, "refresh_token_expired");
    }

    @Test
    void logout_revokes_the_family_and_logging_out_twice_is_harmless() {
      f.account("logout", "nurse");
      String refreshToken = f.login("logout").getString("refreshToken");
      assertThat(t.post("/api/auth/logout", null, new JsonObject().put("refreshToken", refreshToken)).statusCode()).isEqualTo(204);
      assertThat(t.post("/api/auth/logout", null, new JsonObject().put("refreshToken", refreshToken)).statusCode()).isEqualTo(204);
      assertError(refresh(refreshToken), 401, "invalid_refresh_token");
    }

    @Test
    void disabling_an_account_revokes_its_refresh_tokens() {
      var id = f.account("refresh-disabled", "nurse");
      String refreshToken = f.login("refresh-disabled").getString("refreshToken");
      TestApp.await(t.app.services().accounts().disable(id));
      assertError(refresh(refreshToken), 401, "invalid_refresh_token");
      var revoked = TestApp.await(t.pool().preparedQuery("select count(*) from refresh_token where subject_id = $1 and revoked_at is null")
          .execute(Tuple.of(id)));
      assertThat(revoked.iterator().next().getLong(0)).isZero();
    }

    @Test
    void an_unknown_refresh_token_is_refused_without_echoing_it() {
      HttpResponse<Buffer> response = refresh("made-up-token-value");
      assertError(response, 401, "invalid_refresh_token");
      assertThat(response.bodyAsString()).doesNotContain("made-up-token-value");
    }
  }
}
