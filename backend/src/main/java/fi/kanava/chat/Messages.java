package fi.kanava.chat;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The message table: appending with the conversation's next sequence number, and reading back. */
final class Messages {
  private static final String SELECT =
      "select m.seq, m.kind, m.sender_kind, m.sender_id, m.client_msg_id, m.body, m.created_at, a.display_name, a.role"
          + " from message m left join account a on a.id = m.sender_id";

  private Messages() {}

  /** A system message's code, shown translated by the client. */
  static final String PROFESSIONAL_JOINED = "professional_joined";
  static final String RETURNED_TO_QUEUE = "returned_to_queue";
  static final String IDLE_WARNING = "idle_warning";
  static final String CLOSED = "closed";

  /**
   * Appends a message inside the caller's transaction, which must hold the conversation row lock
   * (so sequence numbers are gap-free and ordered). Returns the message frame.
   */
  static Future<JsonObject> append(SqlClient tx, UUID conversationId, String kind, String senderKind, UUID senderId,
      String clientMsgId, String body, Instant at) {
    return tx.preparedQuery("update conversation set last_seq = last_seq + 1 where id = $1 returning last_seq")
        .execute(Tuple.of(conversationId))
        .compose(rows -> {
          long seq = rows.iterator().next().getLong(0);
          return tx.preparedQuery("insert into message (conversation_id, seq, kind, sender_kind, sender_id, client_msg_id, body, created_at)"
                  + " values ($1, $2, $3, $4, $5, $6, $7, $8)")
              .execute(Tuple.of(conversationId, seq, kind, senderKind, senderId, clientMsgId).addValue(body).addValue(Timestamps.at(at)))
              .compose(v -> find(tx, conversationId, seq));
        });
  }

  static Future<JsonObject> system(SqlClient tx, UUID conversationId, String code, Instant at) {
    return append(tx, conversationId, "system", "system", null, null, code, at);
  }

  static Future<JsonObject> find(SqlClient client, UUID conversationId, long seq) {
    return client.preparedQuery(SELECT + " where m.conversation_id = $1 and m.seq = $2")
        .execute(Tuple.of(conversationId, seq))
        .map(rows -> frame(conversationId, rows.iterator().next()));
  }

  /** Messages with after < seq < before (before may be Long.MAX_VALUE), oldest first. */
  static Future<List<JsonObject>> between(SqlClient client, UUID conversationId, long after, long before, boolean includeNotes, int limit) {
    return client.preparedQuery(SELECT + " where m.conversation_id = $1 and m.seq > $2 and m.seq < $3"
            + (includeNotes ? "" : " and m.kind <> 'note'") + " order by m.seq limit $4")
        .execute(Tuple.of(conversationId, after, before, limit))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          rows.forEach(row -> out.add(frame(conversationId, row)));
          return out;
        });
  }

  private static JsonObject frame(UUID conversationId, Row row) {
    return frame(conversationId, row.getLong("seq"), row.getString("kind"), row.getString("sender_kind"), row.getUUID("sender_id"),
        row.getString("display_name"), row.getString("role"), row.getString("client_msg_id"), row.getString("body"),
        row.getOffsetDateTime("created_at").toInstant());
  }

  /** The {@code message} frame, the same whether built from a row or from what was just stored. */
  static JsonObject frame(UUID conversationId, long seq, String kind, String senderKind, UUID senderId, String senderName,
      String senderRole, String clientMsgId, String body, Instant at) {
    JsonObject sender = new JsonObject().put("kind", senderKind);
    if ("professional".equals(senderKind)) {
      sender.put("id", senderId.toString()).put("name", senderName).put("role", senderRole);
    } else if ("patient".equals(senderKind)) {
      sender.put("id", senderId.toString());
    }
    JsonObject frame = new JsonObject()
        .put("type", "message")
        .put("conversationId", conversationId.toString())
        .put("seq", seq)
        .put("kind", kind)
        .put("clientMsgId", clientMsgId)
        .put("sender", sender)
        .put("at", at.toString());
    if ("system".equals(kind)) {
      frame.put("text", "").put("code", body);
    } else {
      frame.put("text", body);
    }
    return frame;
  }

  /**
   * Stores a text or note in one atomic statement, without an explicit transaction: a retry (same
   * sender and client message id) returns the stored sequence number; otherwise the
   * conversation's sequence number is bumped (its row lock orders concurrent senders) and the
   * message inserted with it. The bump happens only if the conversation is still in the state
   * and with the professional the caller's access decision was based on (optimistic check); if
   * not, neither number comes back and the caller decides again.
   */
  static final String APPEND_ONCE =
      "with existing as (select seq from message where conversation_id = $1 and sender_id = $2 and client_msg_id = $3),"
          + " bump as (update conversation set last_seq = last_seq + 1, last_activity_at = $4, idle_warned_at = null,"
          + "   first_response_at = case when $5 then coalesce(first_response_at, $4) else first_response_at end,"
          + "   accepted_at = case when $6 then coalesce(accepted_at, $4) else accepted_at end"
          + "   where id = $1 and state = $7 and assigned_to is not distinct from $8 and not exists (select 1 from existing)"
          + "   returning last_seq),"
          + " stored as (insert into message (conversation_id, seq, kind, sender_kind, sender_id, client_msg_id, body, created_at)"
          + "   select $1, last_seq, $9, $10, $2, $3, $11, $4 from bump returning seq)"
          + " select (select seq from existing) as existing_seq, (select seq from stored) as new_seq";
}
