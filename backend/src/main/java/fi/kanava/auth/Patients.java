package fi.kanava.auth;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Patient sessions. An anonymous patient gets a fresh id and nothing else is stored about them;
 * an identified patient is found (or created) by the identity method and its subject. Stale
 * anonymous patients are purged ({@link #purgeStale}).
 */
public final class Patients {
  private static final int PURGE_BATCH = 500;

  private final Pool pool;
  private final Sessions sessions;
  private final Clock clock;

  public Patients(Pool pool, Sessions sessions, Clock clock) {
    this.pool = pool;
    this.sessions = sessions;
    this.clock = clock;
  }

  public Future<TokenPair> openAnonymous() {
    UUID id = UUID.randomUUID();
    return pool.withTransaction(tx -> tx.preparedQuery("insert into patient (id, kind, created_at) values ($1, 'anonymous', $2)")
        .execute(Tuple.of(id, Timestamps.at(clock.instant())))
        .compose(v -> sessions.open(tx, Principal.patient(id))));
  }

  /**
   * Purges what anonymous sessions leave behind (docs/security.md, "Abuse limits"): first the
   * patients' refresh tokens that expired more than {@code retention} ago, then every anonymous
   * patient created before then who has no refresh token left (their last session ended more
   * than {@code retention} ago) and takes part in no conversation. An anonymous patient of a
   * conversation stays, whatever its state: the conversation is a record that professionals still
   * need, and the row holds nothing but an id. Audit rows name patients without a foreign key and
   * are never touched. In batches, each its own statement, so no lock is held for long; returns
   * the number of patients removed.
   */
  public Future<Long> purgeStale(Duration retention) {
    Instant cutoff = clock.instant().minus(retention);
    return purgeTokens(cutoff).compose(v -> purgePatients(cutoff, 0));
  }

  private Future<Void> purgeTokens(Instant cutoff) {
    return sessions.purgeExpiredPatientTokens(cutoff, PURGE_BATCH)
        .compose(n -> n < PURGE_BATCH ? Future.succeededFuture() : purgeTokens(cutoff));
  }

  private Future<Long> purgePatients(Instant cutoff, long sofar) {
    return pool.preparedQuery(
            "delete from patient where id in (select p.id from patient p"
                + " where p.kind = 'anonymous' and p.created_at < $1"
                + " and not exists (select 1 from refresh_token t where t.subject_kind = 'patient' and t.subject_id = p.id)"
                + " and not exists (select 1 from conversation c where c.patient_id = p.id)"
                + " and not exists (select 1 from conversation_participant cp where cp.patient_id = p.id)"
                + " and not exists (select 1 from visit_member vm where vm.patient_id = p.id)"
                + " limit $2)")
        .execute(Tuple.of(Timestamps.at(cutoff), PURGE_BATCH))
        .compose(rows -> rows.rowCount() < PURGE_BATCH
            ? Future.succeededFuture(sofar + rows.rowCount())
            : purgePatients(cutoff, sofar + rows.rowCount()));
  }

  /**
   * A patient-kind principal with no identity, made inside the caller's transaction for someone
   * reached only by a visit's join link (a patient booked by name, an interpreter or relative
   * without an account); the name they are shown with is the visit member's, not stored here.
   * Kept while the visit is (see {@link #purgeStale}).
   */
  public Future<UUID> newForVisit(io.vertx.sqlclient.SqlClient tx) {
    UUID id = UUID.randomUUID();
    return tx.preparedQuery("insert into patient (id, kind, created_at) values ($1, 'anonymous', $2)")
        .execute(Tuple.of(id, Timestamps.at(clock.instant())))
        .map(id);
  }

  public Future<TokenPair> openIdentified(IdentityProvider.VerifiedIdentity identity) {
    return pool.withTransaction(tx -> tx.preparedQuery(
                "insert into patient (id, kind, identity_method, identity_subject, display_name, created_at)"
                    + " values ($1, 'identified', $2, $3, $4, $5)"
                    + " on conflict (identity_method, identity_subject) do update set display_name = excluded.display_name"
                    + " returning id")
            .execute(Tuple.of(UUID.randomUUID(), identity.method(), identity.subject(), identity.displayName(),
                Timestamps.at(clock.instant())))
            .compose(rows -> sessions.open(tx, Principal.patient(rows.iterator().next().getUUID("id")))));
  }
}
