package fi.kanava.auth;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Access tokens that stop working before they expire (table {@code token_revocation}, whose SQL
 * is all here): one session ended by logout or refresh-token reuse, or every token of a subject
 * issued until its account was disabled. A revocation is written in the transaction that ends the
 * session; after the commit, {@link #apply} makes this node refuse the tokens at once and ends
 * their sockets on every node the event bus reaches. Every node also reads the live rows every
 * {@code auth.revocation-check-interval}, so nodes that share only the database refuse them too
 * within that interval, and end their own sockets of them.
 *
 * <p>What a node keeps is small: a row matters only until every token it covers has expired (the
 * access-token lifetime after the revocation).
 */
public final class Revocations {
  private static final Logger log = LoggerFactory.getLogger(Revocations.class);
  /** A margin over the token lifetime for nodes whose clocks differ a little. */
  private static final Duration CLOCK_MARGIN = Duration.ofMinutes(1);

  /** Reasons, as stored and as they end sockets. */
  public static final String LOGOUT = "logout";
  public static final String REUSE = "refresh_token_reuse";
  public static final String ACCOUNT_DISABLED = "account_disabled";

  /**
   * One revocation: the session {@code sessionId} of the subject, or (no session) every token of
   * the subject issued at or before {@code revokedAt}.
   */
  public record Revocation(long id, UUID subjectId, Optional<UUID> sessionId, Instant revokedAt, Instant expiresAt, String reason) {
    /** The subject's tokens it ends. */
    public PrincipalEvents.Which which() {
      return sessionId.map(PrincipalEvents.Which::session).orElse(PrincipalEvents.Which.issuedUpTo(revokedAt));
    }

    boolean covers(VerifiedToken token) {
      return token.principal().id().equals(subjectId) && which().matches(token);
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Duration lifetime;
  private final Duration checkInterval;
  private final Clock clock;
  /** What this node knows, by row id. */
  private final Map<Long, Revocation> known = new ConcurrentHashMap<>();
  /** The same, for lookups: by session id, and the latest subject-wide revocation by subject. */
  private final Map<UUID, Revocation> bySession = new ConcurrentHashMap<>();
  private final Map<UUID, Revocation> bySubject = new ConcurrentHashMap<>();
  private long timer = -1;

  public Revocations(Vertx vertx, Pool pool, Duration accessTokenTtl, Duration checkInterval, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.lifetime = accessTokenTtl.plus(CLOCK_MARGIN);
    this.checkInterval = checkInterval;
    this.clock = clock;
  }

  /** Whether a verified token has been revoked, as far as this node knows. No I/O. */
  public boolean revoked(VerifiedToken token) {
    Instant now = clock.instant();
    Revocation session = bySession.get(token.sessionId());
    if (session != null && session.expiresAt().isAfter(now) && session.covers(token)) {
      return true;
    }
    Revocation subject = bySubject.get(token.principal().id());
    return subject != null && subject.expiresAt().isAfter(now) && subject.covers(token);
  }

  /** Records, inside the caller's transaction, that one session ends. Call {@link #apply} after the commit. */
  public Future<Revocation> revokeSession(SqlClient tx, UUID subjectId, UUID sessionId, String reason) {
    return insert(tx, subjectId, sessionId, reason);
  }

  /** Records, inside the caller's transaction, that every token of the subject issued until now ends. Call {@link #apply} after the commit. */
  public Future<Revocation> revokeSubject(SqlClient tx, UUID subjectId, String reason) {
    return insert(tx, subjectId, null, reason);
  }

  private Future<Revocation> insert(SqlClient tx, UUID subjectId, UUID sessionId, String reason) {
    Instant now = clock.instant();
    Instant expires = now.plus(lifetime);
    return tx.preparedQuery("insert into token_revocation (subject_id, session_id, revoked_at, expires_at, reason)"
            + " values ($1, $2, $3, $4, $5) returning id")
        .execute(Tuple.of(subjectId, sessionId, Timestamps.at(now), Timestamps.at(expires), reason))
        .map(rows -> new Revocation(rows.iterator().next().getLong(0), subjectId, Optional.ofNullable(sessionId), now, expires, reason));
  }

  /**
   * After the commit: this node refuses the tokens from now on, and the sockets they opened end
   * on every node the event bus reaches (nodes that share only the database end theirs at their
   * next read).
   */
  public void apply(Revocation revocation) {
    if (learn(revocation)) {
      endSockets(revocation, false);
    }
  }

  /** Reads the live revocations of every node: what is new here is refused from now on and ends this node's sockets. */
  public Future<Void> refresh() {
    Instant now = clock.instant();
    return pool.preparedQuery("select id, subject_id, session_id, revoked_at, expires_at, reason from token_revocation"
            + " where expires_at > $1")
        .execute(Tuple.of(Timestamps.at(now)))
        .map(rows -> {
          for (Row row : rows) {
            Revocation revocation = new Revocation(row.getLong("id"), row.getUUID("subject_id"),
                Optional.ofNullable(row.getUUID("session_id")), row.getOffsetDateTime("revoked_at").toInstant(),
                row.getOffsetDateTime("expires_at").toInstant(), row.getString("reason"));
            if (learn(revocation)) {
              // another node's (or one applied here before this node started): only this node's sockets
              endSockets(revocation, true);
            }
          }
          forgetExpired(now);
          return null;
        });
  }

  public void startTimer() {
    timer = vertx.setPeriodic(checkInterval.toMillis(), id -> refresh()
        .onFailure(e -> log.warn("Reading the revoked sessions failed; trying again in {}: {}", checkInterval, e.getMessage())));
  }

  public void stopTimer() {
    vertx.cancelTimer(timer);
  }

  /** Deletes rows that no longer cover any token. */
  public Future<Integer> purge() {
    return pool.preparedQuery("delete from token_revocation where expires_at < $1")
        .execute(Tuple.of(Timestamps.at(clock.instant())))
        .map(rows -> rows.rowCount());
  }

  /** Adds a revocation; false when this node knew it already. */
  private boolean learn(Revocation r) {
    if (known.putIfAbsent(r.id(), r) != null) {
      return false;
    }
    if (r.sessionId().isPresent()) {
      bySession.put(r.sessionId().get(), r);
    } else {
      bySubject.merge(r.subjectId(), r, (a, b) -> a.revokedAt().isAfter(b.revokedAt()) ? a : b);
    }
    return true;
  }

  private void forgetExpired(Instant now) {
    known.values().removeIf(r -> !r.expiresAt().isAfter(now));
    bySession.values().removeIf(r -> !r.expiresAt().isAfter(now));
    bySubject.values().removeIf(r -> !r.expiresAt().isAfter(now));
  }

  private void endSockets(Revocation r, boolean localOnly) {
    var bus = vertx.eventBus();
    if (ACCOUNT_DISABLED.equals(r.reason())) {
      PrincipalEvents.endSessions(bus, r.subjectId(), "account_disabled", "The account was disabled", r.which(), localOnly);
    } else {
      PrincipalEvents.endSessions(bus, r.subjectId(), "token_revoked", "The session has ended; sign in again", r.which(), localOnly);
    }
  }
}
