package fi.kanava.conversation;

import fi.kanava.infra.ApiError;
import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The SQL that changes {@code conversation} rows (and reads them whole): creating, assigning,
 * accepting, returning to the queue, closing. The only class that writes the table besides the
 * message statements in {@link Messages}. Every method runs on the connection it is given: the
 * service opens the transaction and holds the row lock.
 */
public final class ConversationStore {
  private ConversationStore() {}

  /** What a new conversation starts with. */
  public record NewConversation(UUID id, String queueId, UUID patientId, ConversationState state, String urgency, int urgencyRank,
      String language, String municipality, Map<String, Object> answers, JsonArray triage, Instant at, String outcome) {}

  public static Future<ConversationRecord> load(SqlClient client, UUID id, boolean forUpdate) {
    return client.preparedQuery(ConversationRecord.SELECT + "where c.id = $1" + (forUpdate ? " for update of c" : ""))
        .execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(notFound())
            : Future.succeededFuture(ConversationRecord.from(rows.iterator().next())));
  }

  /** Conversations matching a where clause (on alias {@code c}) in the given order. */
  public static Future<List<ConversationRecord>> list(SqlClient client, String whereAndOrder, Tuple params) {
    return client.preparedQuery(ConversationRecord.SELECT + whereAndOrder).execute(params).map(rows -> {
      List<ConversationRecord> out = new ArrayList<>();
      rows.forEach(row -> out.add(ConversationRecord.from(row)));
      return out;
    });
  }

  /** Inserts the conversation and its patient participant. */
  public static Future<Void> insert(SqlClient tx, NewConversation n) {
    boolean closed = n.state() == ConversationState.CLOSED;
    Tuple params = Tuple.of(n.id(), n.queueId(), n.patientId(), n.state().code(), n.urgency(), n.urgencyRank())
        .addValue(n.language())
        .addValue(n.municipality())
        .addValue(new JsonObject(n.answers()))
        .addValue(n.triage())
        .addValue(Timestamps.at(n.at()))
        .addValue(closed ? Timestamps.at(n.at()) : null)
        .addValue(n.outcome());
    return tx.preparedQuery("insert into conversation (id, queue_id, patient_id, state, urgency, urgency_rank, language, municipality, answers,"
            + " triage_summary, enqueued_at, last_activity_at, closed_at, outcome) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13)")
        .execute(params)
        .compose(v -> n.patientId() == null ? Future.succeededFuture() : Participants.joinPatient(tx, n.id(), n.patientId(), n.at()));
  }

  /**
   * Opens a referral's own thread with the client {@code patientId} (who joins as patient): in no
   * queue, with no one assigned, active and open to writing at once (accepted now, so it has no
   * first response to measure); its partner organisation joins as the caller says.
   */
  public static Future<Void> openReferralThread(SqlClient tx, UUID id, UUID patientId, String language, String municipality, Instant at) {
    return tx.preparedQuery("insert into conversation (id, queue_id, patient_id, state, urgency, urgency_rank, language, municipality, answers,"
            + " triage_summary, enqueued_at, accepted_at, first_response_at, last_activity_at, referral_thread)"
            + " values ($1, null, $2, 'active', 'non_urgent', $3, $4, $5, '{}'::jsonb, '[]'::jsonb, $6, $6, $6, $6, true)")
        .execute(Tuple.of(id, patientId, Urgency.NON_URGENT.rank(), language, municipality, Timestamps.at(at)))
        .compose(v -> Participants.joinPatient(tx, id, patientId, at));
  }

  /**
   * Opens the conversation a chat-channel visit is held in (V24): inserted as any conversation is
   * ({@link #insert}: the visit's patient joins as patient), in the visit's queue and language, with no
   * triage answers, linked to the visit, and at once assigned to and accepted by the admitting
   * professional ({@link #assign}). The caller holds the visit's row lock, so a visit gets one.
   */
  public static Future<Void> openForVisit(SqlClient tx, UUID id, UUID visitId, String queueId, UUID patientId, String language,
      UUID professionalId, Instant at) {
    NewConversation n = new NewConversation(id, queueId, patientId, ConversationState.QUEUED, Urgency.NON_URGENT.code(),
        Urgency.NON_URGENT.rank(), language, null, Map.of(), new JsonArray(), at, null);
    return insert(tx, n)
        .compose(v -> tx.preparedQuery("update conversation set visit_id = $2 where id = $1").execute(Tuple.of(id, visitId)))
        .compose(v -> assign(tx, id, professionalId, at, true));
  }

  /** The conversation a chat-channel visit is held in, or null before its first admission. */
  public static Future<UUID> ofVisit(SqlClient client, UUID visitId) {
    return client.preparedQuery("select id from conversation where visit_id = $1").execute(Tuple.of(visitId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getUUID(0));
  }

  /**
   * Makes a queued conversation the professional's (caller holds the locks and has checked the
   * capacity). {@code accepted}: taken by hand, so the professional joins at once; otherwise it is
   * an offer until {@link #accept}.
   */
  public static Future<Void> assign(SqlClient tx, UUID conversationId, UUID professionalId, Instant now, boolean accepted) {
    return tx.preparedQuery("update conversation set state = 'active', assigned_to = $2, assigned_at = $3, accepted_at = $4 where id = $1")
        .execute(Tuple.of(conversationId, professionalId, Timestamps.at(now), accepted ? Timestamps.at(now) : null))
        .compose(v -> accepted ? Participants.join(tx, conversationId, ParticipantKind.ASSIGNED, professionalId, now) : Future.succeededFuture());
  }

  /** The offered professional accepts: they join the conversation. */
  public static Future<Void> accept(SqlClient tx, UUID conversationId, UUID professionalId, Instant now) {
    return tx.preparedQuery("update conversation set accepted_at = $2 where id = $1").execute(Tuple.of(conversationId, Timestamps.at(now)))
        .compose(v -> Participants.join(tx, conversationId, ParticipantKind.ASSIGNED, professionalId, now));
  }

  /** Back to the queue, keeping its place; the professional it was with (if they had joined) leaves. */
  public static Future<Void> requeue(SqlClient tx, UUID conversationId, UUID from, Instant now) {
    return tx.preparedQuery("update conversation set state = 'queued', assigned_to = null, assigned_at = null,"
            + " accepted_at = null, requeue_count = requeue_count + 1 where id = $1")
        .execute(Tuple.of(conversationId))
        .compose(v -> from == null ? Future.succeededFuture() : Participants.leave(tx, conversationId, ParticipantKind.ASSIGNED, from, now));
  }

  /**
   * A transfer: the conversation leaves its professional ({@code from} leaves as assigned) and
   * waits, keeping {@code enqueued_at} and so its priority, in {@code queueId} for anyone serving
   * it, or (with {@code heldFor}) for that named professional alone, who joins as transfer recipient.
   * Who declined it before may be offered it again.
   */
  public static Future<Void> transfer(SqlClient tx, UUID conversationId, String queueId, UUID heldFor, UUID from, Instant now) {
    return tx.preparedQuery("update conversation set state = 'queued', queue_id = $2, held_for = $3, assigned_to = null,"
            + " assigned_at = null, accepted_at = null, declined_by = '{}' where id = $1")
        .execute(Tuple.of(conversationId, queueId, heldFor))
        .compose(v -> Participants.leave(tx, conversationId, ParticipantKind.ASSIGNED, from, now))
        .compose(v -> heldFor == null ? Future.succeededFuture()
            : Participants.join(tx, conversationId, ParticipantKind.TRANSFER_RECIPIENT, heldFor, now));
  }

  /**
   * A transfer is over without the receiver keeping it (declined, lapsed): the conversation goes
   * back to {@code sender} in {@code queueId}, at once theirs again (active and accepted); whoever
   * had it as receiver ({@code receiver}, null for nobody) leaves.
   */
  public static Future<Void> returnTo(SqlClient tx, UUID conversationId, String queueId, UUID sender, UUID receiver, Instant now) {
    return tx.preparedQuery("update conversation set state = 'active', queue_id = $2, held_for = null, assigned_to = $3,"
            + " assigned_at = $4, accepted_at = $4 where id = $1")
        .execute(Tuple.of(conversationId, queueId, sender, Timestamps.at(now)))
        .compose(v -> receiver == null ? Future.succeededFuture()
            : Participants.leave(tx, conversationId, ParticipantKind.ASSIGNED, receiver, now)
                .compose(w -> Participants.leave(tx, conversationId, ParticipantKind.TRANSFER_RECIPIENT, receiver, now)))
        .compose(v -> Participants.join(tx, conversationId, ParticipantKind.ASSIGNED, sender, now));
  }

  /** The named receiver accepts a transfer held for them: theirs now, as assigned professional. */
  public static Future<Void> acceptHeld(SqlClient tx, UUID conversationId, UUID receiver, Instant now) {
    return tx.preparedQuery("update conversation set held_for = null where id = $1").execute(Tuple.of(conversationId))
        .compose(v -> assign(tx, conversationId, receiver, now, true))
        .compose(v -> Participants.leave(tx, conversationId, ParticipantKind.TRANSFER_RECIPIENT, receiver, now));
  }

  /** Whether the patient has another open conversation in the queue (a transfer there would make two). */
  public static Future<Boolean> patientOpenIn(SqlClient tx, UUID patientId, String queueId, UUID except) {
    return tx.preparedQuery("select 1 from conversation where patient_id = $1 and queue_id = $2 and state <> 'closed' and visit_id is null and id <> $3")
        .execute(Tuple.of(patientId, queueId, except))
        .map(rows -> rows.size() > 0);
  }

  public static Future<Void> close(SqlClient tx, UUID conversationId, String outcome, String detail, Instant now) {
    return tx.preparedQuery("update conversation set state = 'closed', closed_at = $2, outcome = $3, outcome_detail = $4 where id = $1")
        .execute(Tuple.of(conversationId, Timestamps.at(now), outcome, detail))
        .mapEmpty();
  }

  /** Records how far the reader has read (never backwards, never past the last message). Owns {@code conversation_read}. */
  public static Future<Void> read(SqlClient client, UUID conversationId, UUID readerId, long seq) {
    // a position past the last message is taken as the last message: nobody has read what does not exist
    return client.preparedQuery("insert into conversation_read (conversation_id, reader_id, seq)"
            + " values ($1, $2, least($3, (select last_seq from conversation where id = $1)))"
            + " on conflict (conversation_id, reader_id) do update set seq = greatest(conversation_read.seq, excluded.seq)")
        .execute(Tuple.of(conversationId, readerId, seq))
        .mapEmpty();
  }

  /**
   * Raises the conversation's sequence counter to {@code seq} (never lowers it): the numbers a
   * resuming client already holds, which the store lost, are not given to new messages.
   */
  public static Future<Void> raiseSeq(SqlClient client, UUID conversationId, long seq) {
    return client.preparedQuery("update conversation set last_seq = $2 where id = $1 and last_seq < $2")
        .execute(Tuple.of(conversationId, seq))
        .mapEmpty();
  }

  /**
   * Marks active conversations idle since {@code idleSince} as warned (once); returns their ids and last activity.
   * A professional-only thread (a consultation's) has no patient to warn and closes with its consultation.
   */
  public static Future<io.vertx.sqlclient.RowSet<io.vertx.sqlclient.Row>> warnIdle(SqlClient tx, Instant idleSince, Instant now) {
    return tx.preparedQuery("update conversation set idle_warned_at = $2"
            + " where state = 'active' and patient_id is not null and not referral_thread and idle_warned_at is null and last_activity_at < $1"
            + " returning id, last_activity_at")
        .execute(Tuple.of(Timestamps.at(idleSince), Timestamps.at(now)));
  }

  /** Remembers that the professional declined the conversation: routing does not offer it to them again. */
  public static Future<Void> declined(SqlClient tx, UUID conversationId, UUID professionalId) {
    return tx.preparedQuery("update conversation set declined_by = array_append(declined_by, $2) where id = $1 and not ($2 = any(declined_by))")
        .execute(Tuple.of(conversationId, professionalId))
        .mapEmpty();
  }

  public static ApiError notFound() {
    return ApiError.notFound("conversation_not_found", "No such conversation");
  }
}
