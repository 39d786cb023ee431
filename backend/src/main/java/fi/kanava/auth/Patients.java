package fi.kanava.auth;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.UUID;

/**
 * Patient sessions. An anonymous patient gets a fresh id and nothing else is stored about them;
 * an identified patient is found (or created) by the identity method and its subject.
 */
public final class Patients {
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
