package fi.kanava.auth;

import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Short-lived ES256 access tokens (vertx-auth-jwt). Expiry is checked against the injected clock,
 * not the JWT library's, so that tests control time.
 */
public final class AccessTokens {
  private static final String AUDIENCE = "kanava";

  private final Vertx vertx;
  private final JWTAuth jwt;
  private final Clock clock;
  private final KanavaConfig.Auth config;
  private final String keyId;

  public AccessTokens(Vertx vertx, SigningKeys.Pem keys, KanavaConfig.Auth config, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
    this.config = config;
    this.keyId = keys.keyId();
    this.jwt =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm(SigningKeys.ALGORITHM).setId(keyId).setBuffer(keys.privatePem()))
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm(SigningKeys.ALGORITHM).setId(keyId).setBuffer(keys.publicPem()))
                .setJWTOptions(
                    new JWTOptions()
                        .setAlgorithm(SigningKeys.ALGORITHM)
                        .setIssuer(config.issuer())
                        .addAudience(AUDIENCE)
                        // checked below against the injected clock
                        .setIgnoreExpiration(true)));
  }

  public long ttlSeconds() {
    return config.accessTokenTtl().toSeconds();
  }

  /** Signs a token on a worker: ES256 signing costs about a millisecond of CPU, not for an event loop. */
  public Future<String> issueOffLoop(Principal principal) {
    return vertx.executeBlocking(() -> issue(principal), false);
  }

  public String issue(Principal principal) {
    Instant now = clock.instant();
    JsonObject claims =
        new JsonObject()
            .put("sub", principal.id().toString())
            .put("typ", principal.kind().code())
            .put("iat", now.getEpochSecond())
            .put("exp", now.plus(config.accessTokenTtl()).getEpochSecond())
            .put("jti", UUID.randomUUID().toString());
    principal.role().ifPresent(role -> claims.put("role", role.code()));
    principal.organisationId().ifPresent(org -> claims.put("org", org));
    return jwt.generateToken(
        claims,
        new JWTOptions()
            .setAlgorithm(SigningKeys.ALGORITHM)
            .setIssuer(config.issuer())
            .addAudience(AUDIENCE)
            .setNoTimestamp(true)
            .setHeader(new JsonObject().put("kid", keyId)));
  }

  /**
   * Verifies signature, issuer, audience and expiry; fails with 401 {@code invalid_token}. The
   * ES256 check costs a few milliseconds of CPU (pure-Java P-256), so it runs on a worker, never
   * on an event loop: a burst of reconnecting sockets must not stall the chat.
   */
  public Future<Principal> verify(String token) {
    return vertx.executeBlocking(() -> authenticateNow(token), false)
        .recover(e -> Future.failedFuture(invalid()))
        .compose(
            user -> {
              // vertx-auth-jwt keeps the decoded claims in the user's attributes
              JsonObject claims = user.attributes().getJsonObject("accessToken");
              if (claims == null) {
                return Future.failedFuture(invalid());
              }
              long now = clock.instant().getEpochSecond();
              Long exp = claims.getLong("exp");
              if (exp == null || exp <= now) {
                return Future.failedFuture(ApiError.unauthenticated("token_expired", "The access token has expired"));
              }
              try {
                return Future.succeededFuture(toPrincipal(claims));
              } catch (RuntimeException e) {
                return Future.failedFuture(invalid());
              }
            });
  }

  /** vertx-auth-jwt verifies synchronously and hands back a completed future. */
  private io.vertx.ext.auth.User authenticateNow(String token) throws Exception {
    Future<io.vertx.ext.auth.User> result = jwt.authenticate(new TokenCredentials(token));
    if (!result.isComplete()) {
      return result.toCompletionStage().toCompletableFuture().get();
    }
    if (result.failed()) {
      throw new IllegalArgumentException(result.cause());
    }
    return result.result();
  }

  /** The expiry of a token that {@link #verify} has accepted (the payload is read, not verified again). */
  public static Instant expiryOf(String token) {
    String[] parts = token.split("\\.");
    JsonObject claims = new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(parts[1]), java.nio.charset.StandardCharsets.UTF_8));
    return Instant.ofEpochSecond(claims.getLong("exp"));
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
