package fi.kanava.auth;

import fi.kanava.infra.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Authenticates API requests from the {@code Authorization: Bearer} header (never from the URL)
 * and puts the verified {@link Principal} on the routing context.
 */
public final class Authenticator implements Handler<RoutingContext> {
  private static final String KEY = "kanava.principal";
  private static final String BEARER = "bearer ";

  private final AccessTokens tokens;

  public Authenticator(AccessTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  public void handle(RoutingContext ctx) {
    authenticate(ctx.request().getHeader("authorization"))
        .onSuccess(principal -> {
          ctx.put(KEY, principal);
          ctx.next();
        })
        .onFailure(ctx::fail);
  }

  /** Verifies an {@code Authorization} header value. */
  public Future<Principal> authenticate(String header) {
    return verify(header).map(VerifiedToken::principal);
  }

  /** Verifies an {@code Authorization} header value, keeping what the token says of its session. */
  public Future<VerifiedToken> verify(String header) {
    String token = bearerToken(header);
    if (token == null) {
      return Future.failedFuture(ApiError.unauthenticated("unauthenticated", "Sign in first: send an access token as a Bearer token"));
    }
    return tokens.verify(token);
  }

  /** The token of a {@code Bearer} header, or null. */
  public static String bearerToken(String header) {
    if (header == null || header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return header.substring(BEARER.length()).trim();
  }

  public static Principal principal(RoutingContext ctx) {
    Principal principal = ctx.get(KEY);
    if (principal == null) {
      throw new IllegalStateException("route is not behind the authenticator");
    }
    return principal;
  }
}
