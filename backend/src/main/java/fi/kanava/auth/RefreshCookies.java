package fi.kanava.auth;

import fi.kanava.infra.ApiError;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Optional;

/**
 * Where a client keeps its refresh token. An API client that is not a browser takes it in the
 * response body and sends it back in the body, as before. A browser page asks, with the header
 * {@value #HEADER}{@code : patient} or {@code : console}, to have it in a cookie that no script
 * can read: {@code HttpOnly; Secure; SameSite=Strict; Path=/api/auth}, one per page so that the
 * patient page and the console do not share a session. The page then gets only the access token,
 * which it keeps in memory.
 *
 * <p>CSRF: the cookie goes only to same-site requests (SameSite=Strict), and it is read only when
 * the request carries {@value #HEADER}, which a cross-site form cannot send and a cross-site
 * script could send only after a CORS preflight that Kanava never answers. A request that carries
 * the cookie without the header and has no refresh token of its own is refused with {@code
 * csrf_header_required}.
 */
final class RefreshCookies {
  static final String HEADER = "X-Kanava-Session";
  static final String PATH = "/api/auth";
  private static final String NAME_PREFIX = "kanava_refresh_";

  /** The pages that keep a session in a cookie. */
  enum Page {
    PATIENT,
    CONSOLE;

    String code() {
      return name().toLowerCase(Locale.ROOT);
    }

    String cookieName() {
      return NAME_PREFIX + code();
    }
  }

  private RefreshCookies() {}

  /** The page the request comes from, if it asks for the cookie; a value other than a page's is refused. */
  static Optional<Page> page(RoutingContext ctx) {
    String value = ctx.request().getHeader(HEADER);
    if (value == null) {
      return Optional.empty();
    }
    for (Page page : Page.values()) {
      if (page.code().equals(value.strip())) {
        return Optional.of(page);
      }
    }
    throw ApiError.badRequest("invalid_header", "Header " + HEADER + " must be patient or console");
  }

  /** As {@link #page}, for a sign-in that only this page makes (the console's login, the patient page's sessions). */
  static Optional<Page> pageFor(RoutingContext ctx, Page only) {
    Optional<Page> page = page(ctx);
    if (page.isPresent() && page.get() != only) {
      throw ApiError.badRequest("invalid_header", "Header " + HEADER + " must be " + only.code() + " here");
    }
    return page;
  }

  /** The answer to a sign-in or refresh: the pair in the body, or for a page the access token only and the refresh token as its cookie. */
  static JsonObject answer(RoutingContext ctx, Optional<Page> page, TokenPair pair) {
    if (page.isEmpty()) {
      return pair.toJson();
    }
    ctx.response().addCookie(cookie(page.get(), pair.refreshToken()));
    return new JsonObject().put("accessToken", pair.accessToken()).put("expiresIn", pair.expiresIn());
  }

  /** The page's refresh token from its cookie, if there is one. */
  static Optional<String> token(RoutingContext ctx, Page page) {
    return Optional.ofNullable(ctx.request().getCookie(page.cookieName())).map(Cookie::getValue).filter(v -> !v.isEmpty());
  }

  /** Tells the browser to forget the page's cookie (logout, or a refresh token that can never work again). */
  static void clear(RoutingContext ctx, Page page) {
    ctx.response().addCookie(cookie(page, "").setMaxAge(0));
  }

  /** Refuses a request that would act on a refresh cookie without asking for it: what a forged cross-site request looks like. */
  static void refuseCookieWithoutHeader(RoutingContext ctx) {
    for (Page page : Page.values()) {
      if (ctx.request().getCookie(page.cookieName()) != null) {
        throw new ApiError(403, "csrf_header_required",
            "A refresh cookie is used only with the header " + HEADER + "; API clients send the refresh token in the body");
      }
    }
  }

  /** A session cookie (no Max-Age): it also ends when the browser closes. */
  private static Cookie cookie(Page page, String value) {
    return Cookie.cookie(page.cookieName(), value).setPath(PATH).setHttpOnly(true).setSecure(true).setSameSite(CookieSameSite.STRICT);
  }
}
