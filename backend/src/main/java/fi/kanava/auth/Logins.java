package fi.kanava.auth;

import fi.kanava.infra.Timestamps;
import fi.kanava.infra.AddressLimiter;
import fi.kanava.infra.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Professional sign-in with a username and password. Failures are counted per username and client
 * address, whether the account exists or not, so neither the answers nor their timing reveal which
 * usernames are real: unknown users are verified against a decoy hash, every failure gets the same
 * 401 after the same growing delay, and a username locked for an address gets 429 whether it exists
 * or not. The lock holds only for the address the failures came from, so someone guessing from
 * elsewhere cannot lock a real user out; what one address may try in all is bounded by a token
 * bucket of failures per address ({@code abuse.login-failures}), checked before anything is hashed.
 */
public final class Logins {
  private static final Logger log = LoggerFactory.getLogger(Logins.class);

  private final Vertx vertx;
  private final Pool pool;
  private final PasswordHasher hasher;
  private final Sessions sessions;
  private final LoginThrottle throttle;
  private final AddressLimiter failuresPerAddress;
  private final Clock clock;

  public Logins(Vertx vertx, Pool pool, PasswordHasher hasher, Sessions sessions, LoginThrottle throttle,
      AddressLimiter failuresPerAddress, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.hasher = hasher;
    this.sessions = sessions;
    this.throttle = throttle;
    this.failuresPerAddress = failuresPerAddress;
    this.clock = clock;
  }

  public record LoginRequest(String username, String password) {
    public LoginRequest {
      username = fi.kanava.infra.Require.text(username, "username", 100);
      password = fi.kanava.infra.Require.secret(password, "password", 256);
    }
  }

  private record Candidate(UUID id, Role role, String organisationId, String passwordHash, boolean disabled) {}

  /** Signs in from {@code address} (see {@link fi.kanava.infra.ClientAddresses}). */
  public Future<TokenPair> login(LoginRequest request, String address) {
    String key = request.username().toLowerCase(Locale.ROOT);
    // Every attempt takes a token before anything is read or hashed, and a success gives it back:
    // the bucket bounds the failures of an address, and also how many of its attempts are hashed at once.
    // An address out of tokens is refused, and that counts against no username.
    failuresPerAddress.acquire(address);
    return lockedUntil(key, address)
        .compose(
            locked -> {
              if (locked != null) {
                return Future.failedFuture(tooMany(locked));
              }
              return findAccount(key)
                  .compose(candidate -> vertx.executeBlocking(() -> check(candidate, request.password()))
                      .compose(ok -> ok ? succeed(key, address, candidate) : fail(key, address)));
            })
        .map(pair -> {
          failuresPerAddress.refund(address);
          return pair;
        });
  }

  private boolean check(Candidate candidate, String password) {
    if (candidate == null) {
      return hasher.verifyDecoy(password);
    }
    return hasher.verify(password, candidate.passwordHash()) && !candidate.disabled();
  }

  private Future<Instant> lockedUntil(String key, String address) {
    return pool.preparedQuery(
            "select locked_until from login_throttle where username_key = $1 and client_address = $2 and locked_until > $3")
        .execute(Tuple.of(key, address, Timestamps.at(clock.instant())))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime("locked_until").toInstant());
  }

  private Future<Candidate> findAccount(String key) {
    return pool.preparedQuery("select id, role, organisation_id, password_hash, disabled_at from account where username_key = $1")
        .execute(Tuple.of(key))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          return new Candidate(row.getUUID("id"), Role.fromCode(row.getString("role")), row.getString("organisation_id"),
              row.getString("password_hash"), row.getOffsetDateTime("disabled_at") != null);
        });
  }

  private Future<TokenPair> succeed(String key, String address, Candidate candidate) {
    Principal principal = Principal.professional(candidate.id(), candidate.role(), candidate.organisationId());
    return pool.withTransaction(tx -> tx.preparedQuery("delete from login_throttle where username_key = $1 and client_address = $2")
            .execute(Tuple.of(key, address))
            .compose(v -> sessions.open(tx, principal)))
        .onSuccess(pair -> log.info("Account {} signed in", candidate.id()));
  }

  /** Counts the failure for the address and for the username from it (restarting after a quiet lock-out period), and answers after the delay. */
  private Future<TokenPair> fail(String key, String address) {
    Instant now = clock.instant();
    OffsetDateTime at = Timestamps.at(now);
    return pool.preparedQuery(
            "insert into login_throttle as t (username_key, client_address, failures, last_failure_at, locked_until)"
                + " values ($1, $6, 1, $2, case when $3 <= 1 then $4 end)"
                + " on conflict (username_key, client_address) do update set"
                + "   failures = case when t.last_failure_at < $5 then 1 else t.failures + 1 end,"
                + "   last_failure_at = $2,"
                + "   locked_until = case when (case when t.last_failure_at < $5 then 1 else t.failures + 1 end) >= $3"
                + "     then $4 else t.locked_until end"
                + " returning failures, locked_until")
        .execute(Tuple.of(key, at, throttle.maxFailures(), Timestamps.at(now.plus(throttle.lockout())),
            Timestamps.at(now.minus(throttle.lockout())), address))
        .compose(rows -> {
          Row row = rows.iterator().next();
          OffsetDateTime locked = row.getOffsetDateTime("locked_until");
          if (locked != null && locked.toInstant().isAfter(now)) {
            log.warn("Sign-in locked for a username from one address after {} failures", row.getInteger("failures"));
            return Future.failedFuture(tooMany(locked.toInstant()));
          }
          return delay(throttle.delayAfter(row.getInteger("failures")))
              .compose(v -> Future.failedFuture(
                  ApiError.unauthenticated("invalid_credentials", "The username or password is wrong")));
        });
  }

  /** Forgets failure counts that no longer matter: no lock in force and the last failure older than a lock-out. */
  public Future<Integer> purgeStale() {
    Instant now = clock.instant();
    return pool.preparedQuery("delete from login_throttle where last_failure_at < $1 and (locked_until is null or locked_until < $2)")
        .execute(Tuple.of(Timestamps.at(now.minus(throttle.lockout())), Timestamps.at(now)))
        .map(rows -> rows.rowCount());
  }

  private Future<Void> delay(Duration duration) {
    if (duration.isZero()) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    vertx.setTimer(duration.toMillis(), id -> promise.complete());
    return promise.future();
  }

  private ApiError tooMany(Instant lockedUntil) {
    long seconds = Math.max(1, Duration.between(clock.instant(), lockedUntil).toSeconds());
    return ApiError.tooManyAttempts(seconds, "Too many failed sign-ins; try again in " + seconds + " seconds");
  }
}
