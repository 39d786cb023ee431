package fi.kanava.rtc;

import fi.kanava.auth.Principal;
import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * The SQL of network_check (the only class that writes it), and the one read of visit_member the
 * check needs: whether the caller is a member of the visit it names (the visit feature owns that table).
 */
final class NetworkCheckStore {
  private final Pool pool;

  NetworkCheckStore(Pool pool) {
    this.pool = pool;
  }

  /** Whether the principal is a current (not removed) member of the visit; an unknown visit is no. */
  Future<Boolean> isMember(UUID visitId, Principal principal) {
    String column = principal.isPatient() ? "patient_id" : "account_id";
    return pool.preparedQuery("select 1 from visit_member where visit_id = $1 and " + column + " = $2 and removed_at is null")
        .execute(Tuple.of(visitId, principal.id()))
        .map(rows -> rows.size() > 0);
  }

  /** A check begins (no result yet: one abandoned by its socket keeps none). */
  Future<Void> started(UUID id, Principal principal, UUID visitId, Instant at) {
    return pool.preparedQuery("insert into network_check (id, subject_kind, subject_id, visit_id, started_at) values ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(id, principal.kind().code(), principal.id(), visitId, Timestamps.at(at)))
        .mapEmpty();
  }

  /** A check that could not run at all: no native peer on this node. */
  Future<Void> unavailable(UUID id, Principal principal, UUID visitId, Instant at) {
    return pool.preparedQuery("insert into network_check (id, subject_kind, subject_id, visit_id, started_at, finished_at, result)"
            + " values ($1, $2, $3, $4, $5, $5, 'unavailable')")
        .execute(Tuple.of(id, principal.kind().code(), principal.id(), visitId, Timestamps.at(at)))
        .mapEmpty();
  }

  /** The check's result, once. */
  Future<Void> finished(UUID id, NetworkCheckOutcome outcome, Instant at) {
    BigDecimal loss = outcome.lossPercent() == null ? null : BigDecimal.valueOf(outcome.lossPercent());
    return pool.preparedQuery("update network_check set finished_at = $2, result = $3, rtt_ms = $4, loss_percent = $5"
            + " where id = $1 and finished_at is null")
        .execute(Tuple.of(id, Timestamps.at(at), outcome.result().code(), outcome.rttMs(), loss))
        .mapEmpty();
  }
}
