package fi.kanava.access;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Writes and reads the append-only {@code audit_event} table. */
public final class AuditLog {
  private static final String INSERT =
      "insert into audit_event (occurred_at, actor_kind, actor_id, actor_role, action, resource_type,"
          + " resource_id, patient_id, purpose, outcome, reason) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

  private static final String FOR_PATIENT =
      "select e.occurred_at, e.actor_kind, e.actor_role, e.action, e.resource_type, e.purpose, e.outcome,"
          + " a.display_name as actor_name, o.name as organisation_name"
          + " from audit_event e"
          + " left join account a on a.id = e.actor_id"
          + " left join organisation o on o.id = a.organisation_id"
          + " where e.patient_id = $1 order by e.occurred_at desc, e.id desc limit $2";

  private final Pool pool;

  public AuditLog(Pool pool) {
    this.pool = pool;
  }

  public Future<Void> record(AuditEvent event) {
    return record(pool, event);
  }

  /** Records within the caller's transaction, so the audit row commits or rolls back with the work. */
  public Future<Void> record(SqlClient client, AuditEvent event) {
    return client
        .preparedQuery(INSERT)
        .execute(
            Tuple.of(
                    Timestamps.at(event.occurredAt()),
                    event.actorKind(),
                    event.actorId().orElse(null),
                    event.actorRole().orElse(null),
                    event.action(),
                    event.resourceType())
                .addValue(event.resourceId().orElse(null))
                .addValue(event.patientId().orElse(null))
                .addValue(event.purpose())
                .addValue(event.allowed() ? "allowed" : "denied")
                .addValue(event.reason()))
        .mapEmpty();
  }

  /** Who has accessed (or tried to access) this patient's data, newest first. */
  public Future<List<JsonObject>> accessLogOf(UUID patientId, int limit) {
    return pool.preparedQuery(FOR_PATIENT)
        .execute(Tuple.of(patientId, limit))
        .map(
            rows -> {
              List<JsonObject> out = new ArrayList<>();
              for (Row row : rows) {
                out.add(
                    new JsonObject()
                        .put("at", row.getOffsetDateTime("occurred_at").toInstant().toString())
                        .put("actorKind", row.getString("actor_kind"))
                        .put("actorName", row.getString("actor_name"))
                        .put("actorRole", row.getString("actor_role"))
                        .put("organisation", row.getString("organisation_name"))
                        .put("action", row.getString("action"))
                        .put("resource", row.getString("resource_type"))
                        .put("purpose", row.getString("purpose"))
                        .put("outcome", row.getString("outcome")));
              }
              return out;
            });
  }
}
