package fi.kanava.auth;

import fi.kanava.infra.Timestamps;
import fi.kanava.infra.ApiError;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Token pairs: a short-lived access token and a rotating, single-use refresh token stored only as
 * its SHA-256 hash. Using a refresh token marks it used and issues the next one in the same
 * family; presenting a used one again revokes the whole family, because someone else has a copy.
 * The family is the session: its id is every access token's {@code sid}, and ending it (logout,
 * reuse) revokes those access tokens too ({@link Revocations}).
 */
public final class Sessions {
  private static final Logger log = LoggerFactory.getLogger(Sessions.class);
  private static final int REFRESH_TOKEN_BYTES = 32;
  private static final int MAX_REFRESH_TOKEN_LENGTH = 128;

  private final Pool pool;
  private final AccessTokens accessTokens;
  private final Revocations revocations;
  private final Duration refreshTtl;
  private final Duration sessionMax;
  private final Duration reuseLeeway;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  public Sessions(Pool pool, AccessTokens accessTokens, Revocations revocations, Duration refreshTtl, Duration sessionMax,
      Duration reuseLeeway, Clock clock) {
    this.reuseLeeway = reuseLeeway;
    this.pool = pool;
    this.accessTokens = accessTokens;
    this.revocations = revocations;
    this.refreshTtl = refreshTtl;
    this.sessionMax = sessionMax;
    this.clock = clock;
  }

  /** Starts a new token family for the principal. */
  public Future<TokenPair> open(SqlClient client, Principal principal) {
    return issue(client, principal, UUID.randomUUID(), clock.instant());
  }

  /**
   * Starts a new token family that ends at {@code endsAt} at the latest, however it is refreshed (a
   * session opened with a visit's join code): the family counts as started {@code
   * auth.session-max-duration} before that, so the usual session limit falls on {@code endsAt}.
   */
  public Future<TokenPair> openUntil(SqlClient client, Principal principal, Instant endsAt) {
    return issue(client, principal, UUID.randomUUID(), endsAt.minus(sessionMax));
  }

  public Future<TokenPair> open(Principal principal) {
    return open(pool, principal);
  }

  /** Rotates a refresh token; a reused one revokes its family and fails with 401. */
  public Future<TokenPair> refresh(String refreshToken) {
    Buffer hash = hash(refreshToken);
    return pool.withTransaction(tx -> rotate(tx, hash))
        .compose(outcome -> {
          outcome.revoked().ifPresent(revocations::apply);
          return outcome.pair() != null ? Future.succeededFuture(outcome.pair()) : Future.failedFuture(outcome.error());
        });
  }

  /**
   * Ends the refresh token's session: its whole family is revoked, and so are the access tokens
   * issued in it, on every node within seconds. Unknown tokens are ignored: logging out twice is
   * harmless.
   */
  public Future<Void> logout(String refreshToken) {
    Buffer hash = hash(refreshToken);
    return pool.withTransaction(tx -> tx.preparedQuery("select family_id, subject_id from refresh_token where token_hash = $1")
            .execute(Tuple.of(hash))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.succeededFuture(Optional.<Revocations.Revocation>empty());
              }
              Row row = rows.iterator().next();
              UUID familyId = row.getUUID("family_id");
              return revokeFamily(tx, familyId, Revocations.LOGOUT)
                  .compose(revoked -> revoked
                      ? revocations.revokeSession(tx, row.getUUID("subject_id"), familyId, Revocations.LOGOUT).map(Optional::of)
                      : Future.succeededFuture(Optional.<Revocations.Revocation>empty()));
            }))
        .map(revoked -> {
          revoked.ifPresent(revocations::apply);
          return null;
        });
  }

  /**
   * Ends every session of a subject inside the caller's transaction (an account disabled): its
   * refresh tokens are revoked, and so is every access token issued until now. Apply the returned
   * revocation after the commit ({@link Revocations#apply}).
   */
  public Future<Revocations.Revocation> revokeAll(SqlClient client, Principal.Kind kind, UUID subjectId, String reason) {
    return client
        .preparedQuery(
            "update refresh_token set revoked_at = $3, revoked_reason = $4"
                + " where subject_kind = $1 and subject_id = $2 and revoked_at is null")
        .execute(Tuple.of(kind.code(), subjectId, Timestamps.at(clock.instant()), reason))
        .compose(v -> revocations.revokeSubject(client, subjectId, reason));
  }

  /**
   * Deletes at most {@code limit} patients' refresh tokens that expired before {@code cutoff}; returns
   * how many. An expired token can never be used again, so nothing that still works is lost.
   */
  public Future<Integer> purgeExpiredPatientTokens(Instant cutoff, int limit) {
    return pool.preparedQuery(
            "delete from refresh_token where id in"
                + " (select id from refresh_token where subject_kind = 'patient' and expires_at < $1 limit $2)")
        .execute(Tuple.of(Timestamps.at(cutoff), limit))
        .map(io.vertx.sqlclient.SqlResult::rowCount);
  }

  /** After the commit of {@link #revokeAll}: see {@link Revocations#apply}. */
  public void applied(Revocations.Revocation revocation) {
    revocations.apply(revocation);
  }

  /** A refresh's result: a new pair, or an error and perhaps the session it ended (to apply after the commit). */
  private record Outcome(TokenPair pair, ApiError error, Optional<Revocations.Revocation> revoked) {
    Outcome(TokenPair pair) {
      this(pair, null, Optional.empty());
    }

    Outcome(ApiError error) {
      this(null, error, Optional.empty());
    }
  }

  private Future<Outcome> rotate(SqlClient tx, Buffer hash) {
    Instant now = clock.instant();
    return tx.preparedQuery(
            "select id, family_id, family_started, subject_kind, subject_id, expires_at, used_at, revoked_at"
                + " from refresh_token where token_hash = $1 for update")
        .execute(Tuple.of(hash))
        .compose(
            rows -> {
              if (rows.size() == 0) {
                return Future.succeededFuture(new Outcome(invalid()));
              }
              Row row = rows.iterator().next();
              UUID familyId = row.getUUID("family_id");
              if (row.getOffsetDateTime("revoked_at") != null) {
                return Future.succeededFuture(new Outcome(invalid()));
              }
              Instant usedAt = row.getOffsetDateTime("used_at") == null ? null : row.getOffsetDateTime("used_at").toInstant();
              // two tabs of one browser refreshing with the same cookie at once: the later one (it waited
              // for this row's lock) gets a pair of its own in the same session; later than that, a second
              // use means someone else holds a copy
              boolean concurrent = usedAt != null && !reuseLeeway.isZero() && !now.isAfter(usedAt.plus(reuseLeeway));
              if (usedAt != null && !concurrent) {
                log.warn("Refresh token reuse in family {}: revoking the family and its access tokens", familyId);
                return revokeFamily(tx, familyId, "reuse")
                    .compose(v -> revocations.revokeSession(tx, row.getUUID("subject_id"), familyId, Revocations.REUSE))
                    .map(revoked -> new Outcome(null, ApiError.unauthenticated("refresh_token_reused",
                        "This refresh token was already used; sign in again"), Optional.of(revoked)));
              }
              if (!row.getOffsetDateTime("expires_at").toInstant().isAfter(now)) {
                return Future.succeededFuture(new Outcome(ApiError.unauthenticated("refresh_token_expired",
                    "The refresh token has expired; sign in again")));
              }
              Principal.Kind kind = Principal.Kind.fromCode(row.getString("subject_kind"));
              UUID subjectId = row.getUUID("subject_id");
              Future<?> used = concurrent ? Future.succeededFuture()
                  : tx.preparedQuery("update refresh_token set used_at = $2 where id = $1").execute(Tuple.of(row.getUUID("id"), Timestamps.at(now)));
              return used
                  .compose(v -> currentPrincipal(tx, kind, subjectId))
                  .compose(
                      principal ->
                          principal == null
                              ? revokeFamily(tx, familyId, "subject_disabled").map(v -> new Outcome(invalid()))
                              : issue(tx, principal, familyId, row.getOffsetDateTime("family_started").toInstant())
                                  .map(Outcome::new));
            });
  }

  /** The principal as it is now (role and organisation may have changed); null if disabled or gone. */
  private static Future<Principal> currentPrincipal(SqlClient tx, Principal.Kind kind, UUID id) {
    if (kind == Principal.Kind.PATIENT) {
      return tx.preparedQuery("select id from patient where id = $1")
          .execute(Tuple.of(id))
          .map(rows -> rows.size() == 0 ? null : Principal.patient(id));
    }
    return tx.preparedQuery("select role, organisation_id from account where id = $1 and disabled_at is null")
        .execute(Tuple.of(id))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          return Principal.professional(id, Role.fromCode(row.getString("role")), row.getString("organisation_id"));
        });
  }

  /** Revokes the family's tokens; true when any was not revoked yet. */
  private Future<Boolean> revokeFamily(SqlClient tx, UUID familyId, String reason) {
    return tx.preparedQuery(
            "update refresh_token set revoked_at = $2, revoked_reason = $3 where family_id = $1 and revoked_at is null")
        .execute(Tuple.of(familyId, Timestamps.at(clock.instant()), reason))
        .map(rows -> rows.rowCount() > 0);
  }

  private Future<TokenPair> issue(SqlClient client, Principal principal, UUID familyId, Instant familyStarted) {
    Instant now = clock.instant();
    Instant idleLimit = now.plus(refreshTtl);
    Instant sessionLimit = familyStarted.plus(sessionMax);
    Instant expires = idleLimit.isBefore(sessionLimit) ? idleLimit : sessionLimit;
    byte[] raw = new byte[REFRESH_TOKEN_BYTES];
    random.nextBytes(raw);
    String refreshToken = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    return client
        .preparedQuery(
            "insert into refresh_token (id, family_id, family_started, subject_kind, subject_id, token_hash, issued_at, expires_at)"
                + " values ($1, $2, $3, $4, $5, $6, $7, $8)")
        .execute(
            Tuple.of(UUID.randomUUID(), familyId, Timestamps.at(familyStarted), principal.kind().code(), principal.id(), hash(refreshToken))
                .addValue(Timestamps.at(now))
                .addValue(Timestamps.at(expires)))
        .compose(v -> accessTokens.issueOffLoop(principal, familyId))
        .map(accessToken -> new TokenPair(accessToken, refreshToken, accessTokens.ttlSeconds()));
  }

  private static ApiError invalid() {
    return ApiError.unauthenticated("invalid_refresh_token", "The refresh token is not valid; sign in again");
  }

  static Buffer hash(String token) {
    if (token.length() > MAX_REFRESH_TOKEN_LENGTH) {
      throw ApiError.unauthenticated("invalid_refresh_token", "The refresh token is not valid; sign in again");
    }
    try {
      return Buffer.buffer(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

}
