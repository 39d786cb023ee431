package fi.kanava.conversation;

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
      "select m.id, m.seq, m.kind, m.sender_kind, m.sender_id, m.client_msg_id, m.body, m.created_at, a.display_name, a.role,"
          + " m.attachment_id, at.media_type, at.width, at.height, at.thumbnail_width, at.thumbnail_height"
          + " from message m left join account a on a.id = m.sender_id left join attachment at on at.id = m.attachment_id";

  private Messages() {}

  /** A system message's code, shown translated by the client. */
  static final String PROFESSIONAL_JOINED = "professional_joined";
  static final String RETURNED_TO_QUEUE = "returned_to_queue";
  static final String IDLE_WARNING = "idle_warning";
  static final String CLOSED = "closed";
  /** The kind of an internal note: professionals only. */
  static final String NOTE = "note";

  /**
   * Appends a system message inside the caller's transaction, which must hold the conversation row
   * lock (so sequence numbers are ordered): one statement takes the next sequence number and
   * inserts. Returns the message frame.
   */
  static Future<JsonObject> system(SqlClient tx, SequenceGuard seqs, UUID conversationId, String code, Instant at) {
    UUID id = UUID.randomUUID();
    return append(tx, seqs, conversationId, id, "system", "system", null, code, at)
        .map(stored -> frame(conversationId, id, stored.seq(), "system", "system", null, null, null, null, code, stored.at()));
  }

  /**
   * Appends a system message about a professional (who joined), as {@link #system} does: the
   * professional is stored as the message's sender id, and the frame names them (name and role,
   * never the id) so that each side's client says who it was in its own language.
   */
  static Future<JsonObject> systemAbout(SqlClient tx, SequenceGuard seqs, UUID conversationId, String code, UUID about, String name,
      String role, Instant at) {
    UUID id = UUID.randomUUID();
    return append(tx, seqs, conversationId, id, "system", "system", about, code, at)
        .map(stored -> frame(conversationId, id, stored.seq(), "system", "system", about, name, role, null, code, stored.at()));
  }

  /**
   * Appends an internal note by a professional inside the caller's transaction (which holds the
   * row lock), as {@link #system} does; returns its frame. Notes reach professionals only.
   */
  static Future<JsonObject> note(SqlClient tx, SequenceGuard seqs, UUID conversationId, UUID senderId, String senderName,
      String senderRole, String text, Instant at) {
    UUID id = UUID.randomUUID();
    return append(tx, seqs, conversationId, id, NOTE, "professional", senderId, text, at)
        .map(stored -> frame(conversationId, id, stored.seq(), NOTE, "professional", senderId, senderName, senderRole, null, text,
            stored.at()));
  }

  /**
   * Takes the next sequence number, above the stored counter and above the node's floor (see
   * {@link SequenceGuard}), and inserts the message; returns its number. A counter found below
   * the floor is reported as a regression.
   */
  private static Future<Stored> append(SqlClient tx, SequenceGuard seqs, UUID conversationId, UUID id, String kind, String senderKind,
      UUID senderId, String body, Instant at) {
    long floor = seqs.floor(conversationId);
    return tx.preparedQuery("with bump as (update conversation c set last_seq = greatest(c.last_seq, $7) + 1"
            + "   from (select last_seq as before from conversation where id = $1) p where c.id = $1 returning c.last_seq, p.before),"
            + " stored as (insert into message (id, conversation_id, seq, kind, sender_kind, sender_id, body, created_at)"
            + "   select $2, $1, last_seq, $3, $4, $5, $6, $8 from bump returning seq, created_at)"
            + " select stored.seq, stored.created_at, bump.before from stored, bump")
        .execute(Tuple.of(conversationId, id, kind, senderKind, senderId, body).addValue(floor).addValue(Timestamps.at(at)))
        .map(rows -> {
          Row row = rows.iterator().next();
          long before = row.getLong("before");
          if (floor > before) {
            seqs.jumped(conversationId, before, floor);
          }
          return new Stored(row.getLong("seq"), row.getOffsetDateTime("created_at").toInstant());
        });
  }

  private record Stored(long seq, Instant at) {}

  /** Messages with after < seq < before (before may be Long.MAX_VALUE), oldest first. */
  static Future<List<JsonObject>> between(SqlClient client, UUID conversationId, long after, long before, boolean includeNotes, int limit) {
    return client.preparedQuery(SELECT + " where m.conversation_id = $1 and m.seq > $2 and m.seq < $3"
            + (includeNotes ? "" : " and m.kind <> 'note'") + " order by m.seq limit $4")
        .execute(Tuple.of(conversationId, after, before, limit))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          rows.forEach(row -> out.add(includeNotes ? frame(conversationId, row) : forPatient(frame(conversationId, row))));
          return out;
        });
  }

  private static JsonObject frame(UUID conversationId, Row row) {
    JsonObject frame = frame(conversationId, row.getUUID("id"), row.getLong("seq"), row.getString("kind"), row.getString("sender_kind"),
        row.getUUID("sender_id"), row.getString("display_name"), row.getString("role"), row.getString("client_msg_id"), row.getString("body"),
        row.getOffsetDateTime("created_at").toInstant());
    if (row.getUUID("attachment_id") != null) {
      frame.put("attachment", attachment(row));
    }
    return frame;
  }

  /**
   * The {@code attachment} of a message frame: the photo's id (its bytes are fetched through the
   * guarded {@code GET /api/attachments/{id}}), type and sizes; never its uploader or bytes.
   */
  private static JsonObject attachment(Row row) {
    return new JsonObject()
        .put("id", row.getUUID("attachment_id").toString())
        .put("mediaType", row.getString("media_type"))
        .put("width", row.getInteger("width"))
        .put("height", row.getInteger("height"))
        .put("thumbnailWidth", row.getInteger("thumbnail_width"))
        .put("thumbnailHeight", row.getInteger("thumbnail_height"));
  }

  /**
   * The photo a send refers to, as its frame's {@code attachment}, if the sender uploaded it to
   * this conversation and it is not in a message yet (or only in the very message this send
   * retries); otherwise {@code invalid_attachment}, and nothing is stored.
   */
  static Future<JsonObject> attachmentFor(SqlClient client, UUID attachmentId, UUID conversationId, UUID senderId, String clientMsgId) {
    return client.preparedQuery("select at.id as attachment_id, at.conversation_id, at.uploaded_by, at.media_type, at.width, at.height,"
            + " at.thumbnail_width, at.thumbnail_height, m.sender_id as used_by, m.client_msg_id as used_in"
            + " from attachment at left join message m on m.attachment_id = at.id where at.id = $1")
        .execute(Tuple.of(attachmentId))
        .compose(rows -> {
          Row row = rows.size() == 0 ? null : rows.iterator().next();
          boolean usable = row != null && conversationId.equals(row.getUUID("conversation_id")) && senderId.equals(row.getUUID("uploaded_by"))
              && (row.getUUID("used_by") == null || (senderId.equals(row.getUUID("used_by")) && clientMsgId.equals(row.getString("used_in"))));
          return usable ? Future.succeededFuture(attachment(row)) : Future.failedFuture(invalidAttachment());
        });
  }

  static fi.kanava.infra.ApiError invalidAttachment() {
    return fi.kanava.infra.ApiError.badRequest("invalid_attachment",
        "'attachmentId' must be a photo you uploaded to this conversation and have not sent yet");
  }

  /**
   * The {@code message} frame as a patient gets it, built field by field from the professionals'
   * frame (an allow-list, so a field added to that frame never reaches a patient by default): a
   * professional sender by name and role only, never their account id. Notes never get here.
   */
  static JsonObject forPatient(JsonObject frame) {
    JsonObject sender = frame.getJsonObject("sender");
    JsonObject patientSender = new JsonObject().put("kind", sender.getString("kind"));
    if ("patient".equals(sender.getString("kind"))) {
      patientSender.put("id", sender.getString("id"));
    } else if ("professional".equals(sender.getString("kind")) || sender.containsKey("name")) {
      // a professional who wrote, or whom a system message is about (who joined)
      patientSender.put("name", sender.getString("name")).put("role", sender.getString("role"));
    }
    JsonObject out = new JsonObject()
        .put("type", "message")
        .put("conversationId", frame.getString("conversationId"))
        .put("seq", frame.getLong("seq"))
        .put("id", frame.getString("id"))
        .put("kind", frame.getString("kind"))
        .put("clientMsgId", frame.getString("clientMsgId"))
        .put("sender", patientSender)
        .put("at", frame.getString("at"))
        .put("text", frame.getString("text"));
    if (frame.containsKey("code")) {
      out.put("code", frame.getString("code"));
    }
    if (frame.containsKey("attachment")) {
      out.put("attachment", frame.getJsonObject("attachment").copy());
    }
    if (frame.containsKey("argument")) {
      out.put("argument", frame.getString("argument"));
    }
    return out;
  }

  /** The {@code message} frame, the same whether built from a row or from what was just stored. */
  static JsonObject frame(UUID conversationId, UUID id, long seq, String kind, String senderKind, UUID senderId, String senderName,
      String senderRole, String clientMsgId, String body, Instant at) {
    JsonObject sender = new JsonObject().put("kind", senderKind);
    if ("professional".equals(senderKind)) {
      sender.put("id", senderId.toString()).put("name", senderName).put("role", senderRole);
    } else if ("patient".equals(senderKind)) {
      sender.put("id", senderId.toString());
    } else if (senderName != null) {
      // a system message about a professional: by name and role only
      sender.put("name", senderName).put("role", senderRole);
    }
    JsonObject frame = new JsonObject()
        .put("type", "message")
        .put("conversationId", conversationId.toString())
        .put("seq", seq)
        .put("id", id.toString())
        .put("kind", kind)
        .put("clientMsgId", clientMsgId)
        .put("sender", sender)
        .put("at", at.toString());
    if ("system".equals(kind)) {
      // a system message with an argument (an organisation's name) is stored as "code\nargument"
      int cut = body.indexOf('\n');
      frame.put("text", "").put("code", cut < 0 ? body : body.substring(0, cut));
      if (cut >= 0) {
        frame.put("argument", body.substring(cut + 1));
      }
    } else {
      frame.put("text", body);
    }
    return frame;
  }

  /**
   * Stores a batch of texts and notes in one atomic statement, without an explicit transaction.
   * Parameters are parallel arrays, one element per send, sorted by conversation: conversation,
   * sender, client message id, time, whether it is the first response, whether it accepts, the
   * state and professional the access decision was based on, kind, sender kind, text, the new
   * message's id, the node's floor for the conversation ({@link SequenceGuard}) and the photo (or null). Returns one
   * row per send, in order ({@code ord} from 1): {@code existing_seq} and {@code existing_id} for a
   * retry (same sender and client message id as a stored message), otherwise {@code new_seq}, with
   * {@code jumped} on the first of a conversation's new messages when its counter ({@code stored_seq})
   * was below the floor.
   *
   * <p>Each conversation row is locked, in the order given (so two batches never wait for each
   * other in opposite orders), and only if it is still in the state and with the professional the
   * decision relied on (optimistic check): if not, neither number comes back and the caller
   * decides again. Each conversation's sends get its next sequence numbers, above its counter and
   * the floor, in the order given. A client message id may appear only once per batch. The lookups
   * are correlated subqueries on unique indexes, so the plan stays an index lookup per send however
   * small the tables were when the statement was first planned (a cached plan made on an empty
   * database must not scan).
   */
  static final String APPEND_ALL =
      "with input as (select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::timestamptz[], $5::boolean[], $6::boolean[],"
          + "   $7::text[], $8::uuid[], $9::text[], $10::text[], $11::text[], $12::uuid[], $13::bigint[], $14::uuid[]) with ordinality"
          + "   as i(conversation_id, sender_id, client_msg_id, at, first_response, accepts, state, assigned_to, kind, sender_kind, body,"
          + "     id, floor, attachment_id, ord)),"
          + " checked as (select i.*,"
          + "   (select m.seq from message m where m.conversation_id = i.conversation_id and m.sender_id = i.sender_id"
          + "     and m.client_msg_id = i.client_msg_id) as existing_seq,"
          + "   (select c.last_seq from conversation c where c.id = i.conversation_id and c.state = i.state"
          + "     and c.assigned_to is not distinct from i.assigned_to for update) as last_seq"
          + "   from input i order by i.ord),"
          + " numbered as (select k.*, greatest(k.last_seq, max(k.floor) over (partition by k.conversation_id)) as base,"
          + "   row_number() over (partition by k.conversation_id order by k.ord) as nth"
          + "   from checked k where k.existing_seq is null and k.last_seq is not null),"
          + " fresh as (select n.*, n.base + n.nth as seq from numbered n),"
          + " bump as (update conversation c set last_seq = f.last_seq, last_activity_at = f.last_at, idle_warned_at = null,"
          + "   first_response_at = coalesce(c.first_response_at, f.first_response_at), accepted_at = coalesce(c.accepted_at, f.accepted_at)"
          + "   from (select conversation_id, max(seq) as last_seq, max(at) as last_at, min(at) filter (where first_response) as first_response_at,"
          + "     min(at) filter (where accepts) as accepted_at from fresh group by conversation_id) f"
          + "   where c.id = f.conversation_id),"
          + " stored as (insert into message (id, conversation_id, seq, kind, sender_kind, sender_id, client_msg_id, body, created_at, attachment_id)"
          + "   select id, conversation_id, seq, kind, sender_kind, sender_id, client_msg_id, body, at, attachment_id from fresh)"
          + " select k.ord, k.existing_seq,"
          + "   case when k.existing_seq is null then null else (select m.id from message m where m.conversation_id = k.conversation_id"
          + "     and m.seq = k.existing_seq) end as existing_id,"
          + "   f.seq as new_seq, f.last_seq as stored_seq, f.nth = 1 and f.base > f.last_seq as jumped"
          + " from checked k left join fresh f on f.ord = k.ord order by k.ord";
}
