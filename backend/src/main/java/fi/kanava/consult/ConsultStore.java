package fi.kanava.consult;

import fi.kanava.infra.Timestamps;
import fi.kanava.transfer.TransferFrames.Isbar;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of {@code consultation}, the only class that writes it, and of the consult side of a
 * queue (its kind and response target). Runs on the connection it is given.
 */
final class ConsultStore {
  private ConsultStore() {}

  /** A queue as a consultation's target: whether it is a consult queue, archived, its response target and names. */
  record QueueTarget(String id, String organisationId, boolean consult, boolean archived, Integer responseMinutes, JsonObject names) {}

  /** One consultation with the names it is shown with, and the linked case's patient (for the audit trail only). */
  record Consultation(UUID id, UUID threadId, UUID caseId, UUID casePatientId, String queueId, JsonObject queueNames, UUID toAccountId,
      String toName, String urgency, String state, UUID requesterId, String requesterName, String requesterRole, UUID consultantId,
      String consultantName, String consultantRole, Isbar isbar, Instant createdAt, Instant dueAt, Instant breachedAt, Instant acceptedAt,
      Instant joinedAt, String answer, Instant closedAt) {

    boolean isClosed() {
      return "closed".equals(state);
    }

    boolean isWaiting() {
      return "waiting".equals(state);
    }

    /** The metric label of its target: the consult queue, or {@code named} for a named colleague. */
    String queueLabel() {
      return queueId == null ? ConsultMetrics.NAMED : queueId;
    }

    /** The consultation as every client sees it (docs/protocol.md, "Consultations"): absent values as explicit nulls. */
    JsonObject toJson() {
      return new JsonObject()
          .put("id", id.toString())
          .put("threadConversationId", threadId.toString())
          .put("caseConversationId", caseId == null ? null : caseId.toString())
          .put("queueId", queueId)
          .put("queueName", queueNames)
          .put("toAccount", toAccountId == null ? null : new JsonObject().put("id", toAccountId.toString()).put("displayName", toName))
          .put("urgency", urgency)
          .put("state", state)
          .put("requester", new JsonObject().put("id", requesterId.toString()).put("displayName", requesterName).put("role", requesterRole))
          .put("consultant", consultantId == null ? null
              : new JsonObject().put("id", consultantId.toString()).put("displayName", consultantName).put("role", consultantRole))
          .put("isbar", new JsonObject().put("situation", isbar.situation()).put("background", isbar.background())
              .put("assessment", isbar.assessment()).put("recommendation", isbar.recommendation()))
          .put("createdAt", createdAt.toString())
          .put("dueAt", dueAt == null ? null : dueAt.toString())
          .put("breached", breachedAt != null)
          .put("acceptedAt", acceptedAt == null ? null : acceptedAt.toString())
          .put("joinedAt", joinedAt == null ? null : joinedAt.toString())
          .put("answer", answer)
          .put("closedAt", closedAt == null ? null : closedAt.toString());
    }
  }

  private static final String SELECT = "select k.*, q.names as queue_names, ta.display_name as to_name, r.display_name as requester_name,"
      + " r.role as requester_role, ca.display_name as consultant_name, ca.role as consultant_role, cc.patient_id as case_patient_id"
      + " from consultation k left join queue q on q.id = k.queue_id left join account ta on ta.id = k.to_account_id"
      + " join account r on r.id = k.requester_id left join account ca on ca.id = k.consultant_id"
      + " left join conversation cc on cc.id = k.case_conversation_id ";

  static Future<QueueTarget> queue(SqlClient client, String queueId) {
    return client.preparedQuery("select id, organisation_id, kind, archived_at, consult_response_minutes, names from queue where id = $1")
        .execute(Tuple.of(queueId))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          return new QueueTarget(row.getString("id"), row.getString("organisation_id"), "consult".equals(row.getString("kind")), row.getValue("archived_at") != null,
              row.getInteger("consult_response_minutes"), json(row.getValue("names")));
        });
  }

  /** The members of a consult queue: those offered its consultations. */
  static Future<List<UUID>> members(SqlClient client, String queueId) {
    return client.preparedQuery("select account_id from queue_member where queue_id = $1").execute(Tuple.of(queueId))
        .map(rows -> {
          List<UUID> out = new ArrayList<>();
          rows.forEach(row -> out.add(row.getUUID(0)));
          return out;
        });
  }

  static Future<Void> insert(SqlClient tx, UUID id, UUID threadId, UUID caseId, UUID requester, String queueId, UUID toAccount,
      String urgency, Isbar isbar, Instant now, Instant dueAt) {
    return tx.preparedQuery("insert into consultation (id, thread_conversation_id, case_conversation_id, requester_id, queue_id,"
            + " to_account_id, urgency, situation, background, assessment, recommendation, created_at, due_at, state)"
            + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'waiting')")
        .execute(Tuple.of(id, threadId, caseId, requester, queueId, toAccount).addValue(urgency).addValue(isbar.situation())
            .addValue(isbar.background()).addValue(isbar.assessment()).addValue(isbar.recommendation()).addValue(Timestamps.at(now))
            .addValue(dueAt == null ? null : Timestamps.at(dueAt)))
        .mapEmpty();
  }

  static Future<Consultation> get(SqlClient client, UUID id, boolean forUpdate) {
    return client.preparedQuery(SELECT + "where k.id = $1" + (forUpdate ? " for update of k" : "")).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()));
  }

  static Future<Void> accept(SqlClient tx, UUID id, UUID consultant, Instant now) {
    return tx.preparedQuery("update consultation set state = 'accepted', consultant_id = $2, accepted_at = $3 where id = $1 and state = 'waiting'")
        .execute(Tuple.of(id, consultant, Timestamps.at(now))).mapEmpty();
  }

  static Future<Void> joined(SqlClient tx, UUID id, Instant now) {
    return tx.preparedQuery("update consultation set joined_at = coalesce(joined_at, $2) where id = $1")
        .execute(Tuple.of(id, Timestamps.at(now))).mapEmpty();
  }

  static Future<Void> close(SqlClient tx, UUID id, UUID by, String answer, Instant now) {
    return tx.preparedQuery("update consultation set state = 'closed', answer = $3, closed_at = $4, closed_by = $2 where id = $1 and state <> 'closed'")
        .execute(Tuple.of(id, by, answer, Timestamps.at(now))).mapEmpty();
  }

  /**
   * Flags every open non-urgent consultation past its due time that is not yet flagged, in one
   * statement (so each is flagged once, whichever node sweeps); returns their ids.
   */
  static Future<List<UUID>> breach(SqlClient client, Instant now) {
    return client.preparedQuery("update consultation set breached_at = $1 where state <> 'closed' and urgency = 'non_urgent'"
            + " and breached_at is null and due_at < $1 returning id")
        .execute(Tuple.of(Timestamps.at(now))).map(ConsultStore::ids);
  }

  /**
   * The waiting consultations of the consult queues the professional serves and those to them by
   * name: urgent first, then oldest first.
   */
  static Future<List<Consultation>> queueView(SqlClient client, UUID accountId) {
    return list(client, "where k.state = 'waiting' and (k.to_account_id = $1"
        + " or k.queue_id in (select m.queue_id from queue_member m where m.account_id = $1))"
        + " order by (k.urgency = 'urgent') desc, k.created_at, k.id limit 200", accountId);
  }

  /** The consultations the professional asked for or accepted: open ones first, then newest first. */
  static Future<List<Consultation>> mine(SqlClient client, UUID accountId) {
    return list(client, "where k.requester_id = $1 or k.consultant_id = $1"
        + " order by (k.state = 'closed'), k.created_at desc, k.id limit 200", accountId);
  }

  /** The consult queues that take consultations (not archived), for the requester's choice: id, names, response target. */
  static Future<io.vertx.core.json.JsonArray> consultQueues(SqlClient client) {
    return client.query("select id, names, consult_response_minutes from queue where kind = 'consult' and archived_at is null order by id")
        .execute().map(rows -> {
          io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
          rows.forEach(row -> out.add(new JsonObject().put("id", row.getString("id")).put("names", json(row.getValue("names")))
              .put("responseMinutes", row.getInteger("consult_response_minutes"))));
          return out;
        });
  }

  /** Makes a queue a consult queue with a response target for non-urgent consultations (demo data, admin set-up). */
  static Future<Void> makeConsultQueue(SqlClient client, String queueId, int responseMinutes) {
    return client.preparedQuery("update queue set kind = 'consult', consult_response_minutes = $2 where id = $1")
        .execute(Tuple.of(queueId, responseMinutes)).mapEmpty();
  }

  private static Future<List<Consultation>> list(SqlClient client, String whereAndOrder, UUID accountId) {
    return client.preparedQuery(SELECT + whereAndOrder).execute(Tuple.of(accountId)).map(rows -> {
      List<Consultation> out = new ArrayList<>();
      rows.forEach(row -> out.add(from(row)));
      return out;
    });
  }

  private static List<UUID> ids(RowSet<Row> rows) {
    List<UUID> out = new ArrayList<>();
    rows.forEach(row -> out.add(row.getUUID(0)));
    return out;
  }

  private static Consultation from(Row row) {
    return new Consultation(row.getUUID("id"), row.getUUID("thread_conversation_id"), row.getUUID("case_conversation_id"),
        row.getUUID("case_patient_id"), row.getString("queue_id"), json(row.getValue("queue_names")), row.getUUID("to_account_id"),
        row.getString("to_name"), row.getString("urgency"), row.getString("state"), row.getUUID("requester_id"),
        row.getString("requester_name"), row.getString("requester_role"), row.getUUID("consultant_id"), row.getString("consultant_name"),
        row.getString("consultant_role"),
        new Isbar(row.getString("situation"), row.getString("background"), row.getString("assessment"), row.getString("recommendation")),
        instant(row.getOffsetDateTime("created_at")), instant(row.getOffsetDateTime("due_at")), instant(row.getOffsetDateTime("breached_at")),
        instant(row.getOffsetDateTime("accepted_at")), instant(row.getOffsetDateTime("joined_at")), row.getString("answer"),
        instant(row.getOffsetDateTime("closed_at")));
  }

  private static JsonObject json(Object value) {
    return value == null ? null : value instanceof JsonObject j ? j : new JsonObject(value.toString());
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
