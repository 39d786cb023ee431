package fi.kanava.auth;

import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The pages keep their refresh token in an HttpOnly cookie scoped to the auth endpoints; API
 * clients still take it in the body. A request that would use the cookie without the page header
 * (a forged cross-site request) is refused.
 */
@DisplayName("The refresh token in a cookie for the pages")
class RefreshCookieTest {
  static final String CONSOLE_COOKIE = "kanava_refresh_console";
  static final String PATIENT_COOKIE = "kanava_refresh_patient";
  static TestApp t;
  static Fixtures f;
  static int counter;

  @BeforeAll
  static void start() {
    t = TestApp.start(Map.of("identity.dev-login.enabled", "true"));
    f = new Fixtures(t).organisations();
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  /** A POST with optional page header, cookie and body. */
  private static HttpResponse<Buffer> post(String path, String page, String cookie, JsonObject body) {
    HttpRequest<Buffer> request = t.http.post(path);
    if (page != null) {
      request.putHeader("x-kanava-session", page);
    }
    if (cookie != null) {
      request.putHeader("cookie", cookie);
    }
    return TestApp.await(body == null ? request.send() : request.sendJsonObject(body));
  }

  private static String nurse() {
    String username = "cookie-nurse-" + (++counter);
    f.account(username, "nurse");
    return username;
  }

  private static HttpResponse<Buffer> consoleLogin(String username) {
    return post("/api/auth/login", "console", null, new JsonObject().put("username", username).put("password", Fixtures.PASSWORD));
  }

  /** The one Set-Cookie line of the response. */
  private static String setCookie(HttpResponse<Buffer> response) {
    List<String> cookies = response.cookies();
    assertThat(cookies).as("Set-Cookie of " + response.bodyAsString()).hasSize(1);
    return cookies.get(0);
  }

  /** The attributes of a Set-Cookie line, lower-cased (their names are case-insensitive). */
  private static List<String> attributes(String setCookie) {
    return java.util.Arrays.stream(setCookie.split(";\\s*")).skip(1).map(a -> a.toLowerCase(java.util.Locale.ROOT)).toList();
  }

  /** name=value of a Set-Cookie line, as the browser sends it back. */
  private static String sentBack(String setCookie) {
    return setCookie.substring(0, setCookie.indexOf(';'));
  }

  @Nested
  @DisplayName("for a page")
  class ForAPage {
    @Test
    void sign_in_sets_an_http_only_secure_strict_session_cookie_for_the_auth_endpoints_and_the_body_holds_only_the_access_token() {
      HttpResponse<Buffer> response = consoleLogin(nurse());
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject().fieldNames()).containsExactlyInAnyOrder("accessToken", "expiresIn");
      String cookie = setCookie(response);
      assertThat(cookie).startsWith(CONSOLE_COOKIE + "=");
      assertThat(attributes(cookie)).contains("path=/api/auth", "secure", "httponly", "samesite=strict");
      // a session cookie: it ends with the browser (the refresh token it holds expires on its own as well)
      assertThat(cookie).doesNotContainIgnoringCase("Max-Age").doesNotContainIgnoringCase("Expires");
    }

    @Test
    void a_patient_session_sets_the_patient_page_s_own_cookie() {
      HttpResponse<Buffer> anonymous = post("/api/patient/session", "patient", null, null);
      assertThat(anonymous.statusCode()).isEqualTo(201);
      assertThat(anonymous.bodyAsJsonObject().fieldNames()).containsExactlyInAnyOrder("accessToken", "expiresIn");
      assertThat(attributes(setCookie(anonymous))).contains("httponly", "secure", "samesite=strict", "path=/api/auth");
      assertThat(setCookie(anonymous)).startsWith(PATIENT_COOKIE + "=");
      HttpResponse<Buffer> identified = post("/api/patient/session/dev", "patient", null,
          new JsonObject().put("person", t.get("/api/patient/identity-methods", null).bodyAsJsonArray().getJsonObject(0)
              .getJsonArray("persons").getJsonObject(0).getString("id")));
      assertThat(identified.statusCode()).as(identified.bodyAsString()).isEqualTo(201);
      assertThat(setCookie(identified)).startsWith(PATIENT_COOKIE + "=");
    }

    @Test
    void a_reload_refreshes_with_the_cookie_which_rotates_and_a_used_one_ends_the_session() {
      HttpResponse<Buffer> login = consoleLogin(nurse());
      String first = sentBack(setCookie(login));
      HttpResponse<Buffer> refreshed = post("/api/auth/refresh", "console", first, null);
      assertThat(refreshed.statusCode()).as(refreshed.bodyAsString()).isEqualTo(200);
      assertThat(refreshed.bodyAsJsonObject().fieldNames()).containsExactlyInAnyOrder("accessToken", "expiresIn");
      String second = sentBack(setCookie(refreshed));
      assertThat(second).isNotEqualTo(first);
      assertThat(t.get("/api/console/conversations", refreshed.bodyAsJsonObject().getString("accessToken")).statusCode()).isEqualTo(200);

      // the old cookie again (a copy someone kept), later than two tabs refreshing at once would: the
      // session ends, and the browser is told to forget the cookie
      t.clock.advance(t.config.auth().refreshReuseLeeway().plusSeconds(1));
      HttpResponse<Buffer> reused = post("/api/auth/refresh", "console", first, null);
      assertError(reused, 401, "refresh_token_reused");
      assertThat(setCookie(reused)).startsWith(CONSOLE_COOKIE + "=;").contains("Max-Age=0").contains("Path=/api/auth");
      assertError(post("/api/auth/refresh", "console", second, null), 401, "invalid_refresh_token");
      assertError(t.get("/api/console/conversations", refreshed.bodyAsJsonObject().getString("accessToken")), 401, "token_revoked");
    }

    @Test
    void logout_ends_the_session_and_clears_the_cookie() {
      HttpResponse<Buffer> login = consoleLogin(nurse());
      String cookie = sentBack(setCookie(login));
      String access = login.bodyAsJsonObject().getString("accessToken");
      HttpResponse<Buffer> out = post("/api/auth/logout", "console", cookie, null);
      assertThat(out.statusCode()).isEqualTo(204);
      String cleared = setCookie(out);
      assertThat(cleared).startsWith(CONSOLE_COOKIE + "=;").contains("Max-Age=0");
      assertThat(attributes(cleared)).contains("path=/api/auth", "secure", "httponly", "samesite=strict");
      assertError(t.get("/api/console/conversations", access), 401, "token_revoked");
      assertError(post("/api/auth/refresh", "console", cookie, null), 401, "invalid_refresh_token");
      // logging out again, or with no cookie at all, is harmless
      assertThat(post("/api/auth/logout", "console", cookie, null).statusCode()).isEqualTo(204);
      assertThat(post("/api/auth/logout", "console", null, null).statusCode()).isEqualTo(204);
    }

    @Test
    void no_cookie_means_no_session() {
      assertError(post("/api/auth/refresh", "console", null, null), 401, "invalid_refresh_token");
    }

    @Test
    void a_page_header_with_another_value_or_for_the_other_page_s_sign_in_is_refused() {
      assertError(post("/api/auth/refresh", "admin", null, null), 400, "invalid_header");
      assertError(post("/api/auth/login", "patient", null, new JsonObject().put("username", nurse()).put("password", Fixtures.PASSWORD)),
          400, "invalid_header");
      assertError(post("/api/patient/session", "console", null, null), 400, "invalid_header");
      // a page sends no refresh token in the body: the cookie is the only one
      assertError(post("/api/auth/refresh", "console", null, new JsonObject().put("refreshToken", "x")), 400, "unknown_field");
    }
  }

  @Nested
  @DisplayName("against cross-site request forgery")
  class Csrf {
    @Test
    void the_cookie_without_the_page_header_refreshes_nothing_and_ends_nothing() {
      HttpResponse<Buffer> login = consoleLogin(nurse());
      String cookie = sentBack(setCookie(login));
      String access = login.bodyAsJsonObject().getString("accessToken");
      // what a cross-site form post would be, if SameSite=Strict did not keep the cookie away already
      HttpResponse<Buffer> refresh = post("/api/auth/refresh", null, cookie, null);
      assertError(refresh, 403, "csrf_header_required");
      assertThat(refresh.cookies()).isEmpty();
      assertError(post("/api/auth/logout", null, cookie, null), 403, "csrf_header_required");
      // the session is as it was: the access token works and the cookie refreshes once, with the header
      assertThat(t.get("/api/console/conversations", access).statusCode()).isEqualTo(200);
      assertThat(post("/api/auth/refresh", "console", cookie, null).statusCode()).isEqualTo(200);
    }
  }

  @Nested
  @DisplayName("for API clients that are not browsers")
  class ForApiClients {
    @Test
    void without_the_page_header_the_pair_comes_in_the_body_and_no_cookie_is_set() {
      HttpResponse<Buffer> login = post("/api/auth/login", null, null,
          new JsonObject().put("username", nurse()).put("password", Fixtures.PASSWORD));
      assertThat(login.bodyAsJsonObject().fieldNames()).containsExactlyInAnyOrder("accessToken", "refreshToken", "expiresIn");
      assertThat(login.cookies()).isEmpty();
      HttpResponse<Buffer> refreshed = post("/api/auth/refresh", null, null,
          new JsonObject().put("refreshToken", login.bodyAsJsonObject().getString("refreshToken")));
      assertThat(refreshed.statusCode()).isEqualTo(200);
      assertThat(refreshed.cookies()).isEmpty();
      assertThat(post("/api/patient/session", null, null, null).cookies()).isEmpty();
    }
  }
}
