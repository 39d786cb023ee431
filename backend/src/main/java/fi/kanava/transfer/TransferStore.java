package fi.kanava.transfer;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of {@code conversation_transfer}, the only class that writes it, and the read-only
 * look-ups of a transfer's target. Runs on the connection it is given.
 */
public final class TransferStore {
  private TransferStore() {}

  /** One transfer row. */
  record Transfer(UUID id, UUID conversationId, UUID fromAccount, String fromQueue, String toQueue, UUID toAccount, String state,
      Instant createdAt, String consent) {
    /** The target queue as a metric label: a named professional's personal queue is {@code personal}. */
    String targetLabel() {
      return toQueue == null ? TransferMetrics.PERSONAL : toQueue;
    }
  }

  /** A queue a transfer may go to: its organisation and whether it is archived (closed). */
  record QueueTarget(String organisationId, boolean archived) {}

  /** A professional a transfer may go to. */
  public record ProfessionalTarget(String organisationId, String name, String role, boolean enabled) {}

  private static final String SELECT = "select id, conversation_id, from_account, from_queue, to_queue, to_account, state, created_at, consent"
      + " from conversation_transfer ";

  static Future<QueueTarget> queue(SqlClient tx, String queueId) {
    return tx.preparedQuery("select organisation_id, archived_at from queue where id = $1 and kind = 'patient'").execute(Tuple.of(queueId))
        .map(rows -> rows.size() == 0 ? null
            : new QueueTarget(rows.iterator().next().getString(0), rows.iterator().next().getValue(1) != null));
  }

  /** A care professional as the target of a transfer or a consultation; null if there is none. */
  public static Future<ProfessionalTarget> professional(SqlClient tx, UUID accountId) {
    return tx.preparedQuery("select organisation_id, display_name, role, disabled_at from account where id = $1"
            + " and role in ('nurse', 'physician', 'specialist')")
        .execute(Tuple.of(accountId))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          return new ProfessionalTarget(row.getString(0), row.getString(1), row.getString(2), row.getValue(3) == null);
        });
  }

  static Future<Void> insert(SqlClient tx, UUID id, UUID conversationId, UUID from, String fromQueue, String toQueue, UUID toAccount,
      TransferFrames.Isbar note, long historyFromSeq, Instant now, Instant expiresAt, Instant consentDeadline) {
    return tx.preparedQuery("insert into conversation_transfer (id, conversation_id, from_account, from_queue, to_queue, to_account,"
            + " situation, background, assessment, recommendation, history_from_seq, created_at, expires_at, state, consent, consent_deadline)"
            + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'pending', 'pending', $14)")
        .execute(Tuple.of(id, conversationId, from, fromQueue, toQueue, toAccount).addValue(note.situation()).addValue(note.background())
            .addValue(note.assessment()).addValue(note.recommendation()).addValue(historyFromSeq).addValue(Timestamps.at(now))
            .addValue(expiresAt == null ? null : Timestamps.at(expiresAt)).addValue(Timestamps.at(consentDeadline)))
        .mapEmpty();
  }

  /** The latest transfer of the conversation, locked, or null. */
  static Future<Transfer> latest(SqlClient tx, UUID conversationId) {
    return tx.preparedQuery(SELECT + "where conversation_id = $1 order by created_at desc, id limit 1 for update")
        .execute(Tuple.of(conversationId))
        .map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()));
  }

  static Future<Transfer> get(SqlClient tx, UUID id) {
    return tx.preparedQuery(SELECT + "where id = $1 for update").execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()));
  }

  /** Whether the patient ever allowed the earlier messages to be shown in this conversation (and has not taken it back). */
  /** Whether the patient allowed the earlier messages to be shown at a transfer of the conversation (and has not taken it back). */
  public static Future<Boolean> consentOnRecord(SqlClient tx, UUID conversationId) {
    return tx.preparedQuery("select 1 from conversation_transfer where conversation_id = $1 and consent = 'granted' limit 1")
        .execute(Tuple.of(conversationId)).map(rows -> rows.size() > 0);
  }

  static Future<Void> resolve(SqlClient tx, UUID id, String state, UUID by, String reason, Instant now) {
    return tx.preparedQuery("update conversation_transfer set state = $2, resolved_at = $3, resolved_by = $4, decline_reason = $5"
            + " where id = $1 and state in ('pending', 'accepted')")
        .execute(Tuple.of(id, state, Timestamps.at(now), by, reason))
        .mapEmpty();
  }

  static Future<Void> consent(SqlClient tx, UUID id, String consent, String by, Instant now) {
    return tx.preparedQuery("update conversation_transfer set consent = $2, consent_by = $3, consent_at = $4 where id = $1")
        .execute(Tuple.of(id, consent, by, Timestamps.at(now)))
        .mapEmpty();
  }

  /** Named transfers not accepted in time. */
  static Future<List<Transfer>> lapsed(SqlClient client, Instant now) {
    return client.preparedQuery(SELECT + "where state = 'pending' and expires_at < $1").execute(Tuple.of(Timestamps.at(now))).map(TransferStore::all);
  }

  /**
   * Transfers to a queue whose conversation someone there has taken: picked up, with when. Every
   * such transfer ({@code conversationId} null, the sweep), or that of one conversation (before
   * its receiver transfers it onward: one pending transfer per conversation).
   */
  static Future<List<Row>> pickedUpFromQueues(SqlClient client, UUID conversationId) {
    return client.preparedQuery("update conversation_transfer t set state = 'accepted', resolved_at = c.accepted_at, resolved_by = c.assigned_to"
            + " from conversation c where c.id = t.conversation_id and t.state = 'pending' and t.to_queue is not null"
            + " and c.state <> 'queued' and c.accepted_at is not null and c.accepted_at >= t.created_at"
            + " and ($1::uuid is null or t.conversation_id = $1)"
            + " returning t.from_queue, t.to_queue, t.created_at, t.resolved_at, t.conversation_id, t.resolved_by")
        .execute(Tuple.of(conversationId)).map(rows -> {
          List<Row> out = new ArrayList<>();
          rows.forEach(out::add);
          return out;
        });
  }

  /** Consent questions not answered in time: expired (the receiver keeps seeing only the note and what follows). */
  static Future<List<Row>> expireConsents(SqlClient client, Instant now) {
    return client.preparedQuery("update conversation_transfer set consent = 'expired', consent_by = 'timeout', consent_at = $1"
            + " where consent = 'pending' and consent_deadline < $1 returning id, conversation_id")
        .execute(Tuple.of(Timestamps.at(now))).map(rows -> {
          List<Row> out = new ArrayList<>();
          rows.forEach(out::add);
          return out;
        });
  }

  private static List<Transfer> all(io.vertx.sqlclient.RowSet<Row> rows) {
    List<Transfer> out = new ArrayList<>();
    rows.forEach(row -> out.add(from(row)));
    return out;
  }

  private static Transfer from(Row row) {
    return new Transfer(row.getUUID("id"), row.getUUID("conversation_id"), row.getUUID("from_account"), row.getString("from_queue"),
        row.getString("to_queue"), row.getUUID("to_account"), row.getString("state"), row.getOffsetDateTime("created_at").toInstant(),
        row.getString("consent"));
  }
}
