package fi.kanava.auth;

import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * Short-lived ES256 access tokens (vertx-auth-jwt), signed by the current key of the {@link
 * SigningKeys} and verified by the key their header's {@code kid} names, as long as that key still
 * verifies. Each token carries its session ({@code sid}, the refresh-token family), so that {@link
 * Revocations} can end it before it expires. Expiry is checked against the injected clock, not the
 * JWT library's, so that tests control time.
 */
public final class AccessTokens {
  private final Vertx vertx;
  private final SigningKeys keys;
  private final Revocations revocations;
  private final Clock clock;
  private final KanavaConfig.Auth config;

  public AccessTokens(Vertx vertx, SigningKeys keys, Revocations revocations, KanavaConfig.Auth config, Clock clock) {
    this.vertx = vertx;
    this.keys = keys;
    this.revocations = revocations;
    this.clock = clock;
    this.config = config;
  }

  public long ttlSeconds() {
    return config.accessTokenTtl().toSeconds();
  }

  /** Signs a token on a worker: ES256 signing costs about a millisecond of CPU, not for an event loop. */
  public Future<String> issueOffLoop(Principal principal, UUID sessionId) {
    return vertx.executeBlocking(() -> issue(principal, sessionId), false);
  }

  String issue(Principal principal, UUID sessionId) {
    Instant now = clock.instant();
    KeyRing.Key key = keys.ring().signer(now);
    JsonObject claims =
        new JsonObject()
            .put("sub", principal.id().toString())
            .put("typ", principal.kind().code())
            .put("sid", sessionId.toString())
            .put("iat", now.getEpochSecond())
            .put("exp", now.plus(config.accessTokenTtl()).getEpochSecond())
            .put("jti", UUID.randomUUID().toString());
    principal.role().ifPresent(role -> claims.put("role", role.code()));
    principal.organisationId().ifPresent(org -> claims.put("org", org));
    return key.jwt().generateToken(
        claims,
        new JWTOptions()
            .setAlgorithm(SigningKeys.ALGORITHM)
            .setIssuer(config.issuer())
            .addAudience(SigningKeys.AUDIENCE)
            .setNoTimestamp(true)
            .setHeader(new JsonObject().put("kid", key.keyId())));
  }

  /**
   * Verifies signature (with the key the header names, if it still verifies), issuer, audience,
   * expiry and revocation; fails with 401 {@code invalid_token}, {@code token_expired} or {@code
   * token_revoked}. The ES256 check costs a few milliseconds of CPU (pure-Java P-256), so it runs
   * on a worker, never on an event loop: a burst of reconnecting sockets must not stall the chat.
   */
  public Future<VerifiedToken> verify(String token) {
    Instant now = clock.instant();
    Optional<KeyRing.Key> key = keyIdOf(token).flatMap(kid -> keys.ring().verifier(kid, now));
    if (key.isEmpty()) {
      return Future.failedFuture(invalid());
    }
    return vertx.executeBlocking(() -> authenticateNow(key.get().jwt(), token), false)
        .recover(e -> Future.failedFuture(invalid()))
        .compose(
            user -> {
              // vertx-auth-jwt keeps the decoded claims in the user's attributes
              JsonObject claims = user.attributes().getJsonObject("accessToken");
              if (claims == null) {
                return Future.failedFuture(invalid());
              }
              Long exp = claims.getLong("exp");
              if (exp == null || exp <= clock.instant().getEpochSecond()) {
                return Future.failedFuture(ApiError.unauthenticated("token_expired", "The access token has expired"));
              }
              VerifiedToken verified;
              try {
                verified = new VerifiedToken(toPrincipal(claims), UUID.fromString(claims.getString("sid")),
                    Instant.ofEpochSecond(claims.getLong("iat")), Instant.ofEpochSecond(exp));
              } catch (RuntimeException e) {
                return Future.failedFuture(invalid());
              }
              if (revocations.revoked(verified)) {
                return Future.failedFuture(ApiError.unauthenticated("token_revoked", "The session has ended; sign in again"));
              }
              return Future.succeededFuture(verified);
            });
  }

  /** vertx-auth-jwt verifies synchronously and hands back a completed future. */
  private static io.vertx.ext.auth.User authenticateNow(JWTAuth jwt, String token) throws Exception {
    Future<io.vertx.ext.auth.User> result = jwt.authenticate(new TokenCredentials(token));
    if (!result.isComplete()) {
      return result.toCompletionStage().toCompletableFuture().get();
    }
    if (result.failed()) {
      throw new IllegalArgumentException(result.cause());
    }
    return result.result();
  }

  /** The {@code kid} of a token's header, read before anything is verified: it only chooses the key. */
  private static Optional<String> keyIdOf(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || dot > 1024) {
      return Optional.empty();
    }
    try {
      JsonObject header = new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8));
      return header.getValue("kid") instanceof String kid && SigningKeys.ALGORITHM.equals(header.getValue("alg"))
          ? Optional.of(kid) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Principal toPrincipal(JsonObject claims) {
    UUID id = UUID.fromString(claims.getString("sub"));
    Principal.Kind kind = Principal.Kind.fromCode(claims.getString("typ"));
    return new Principal(
        kind,
        id,
        Optional.ofNullable(claims.getString("role")).map(Role::fromCode),
        Optional.ofNullable(claims.getString("org")));
  }

  private static ApiError invalid() {
    return ApiError.unauthenticated("invalid_token", "The access token is not valid");
  }
}
