package fi.kanava.feedback;

import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.auth.Principal;
import fi.kanava.conversation.ConversationEvents;
import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.Conversations;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-flow feedback: when a conversation a professional had accepted closes, its patient is asked in
 * the same window (the patient page shows the form on the closed conversation); the answer, or a
 * skip, is stored once per event with what national monitoring needs to link it (the event, queue,
 * unit, professional's role, channel, language, transfer and consultation), and counted by NPS
 * category. The questions' wording lives in the client's bundles; the statements asked are the
 * queue's ({@code feedbackStatements}).
 */
public final class Feedback {
  private static final Logger log = LoggerFactory.getLogger(Feedback.class);
  static final String CHAT = "chat";
  /** A response or skip was recorded, cluster-wide: {@code {queueId}}; for live figures (no score, no event). */
  public static final String RECORDED = "kanava.feedback.recorded";

  /** One statement, in one round trip: the event's facts are read from the conversation as the row is written. */
  private static final String RECORD = "insert into feedback_response (id, event_kind, event_id, queue_id, unit, professional_role, channel,"
      + " language, transferred, consulted, score, statements, free_text, skipped, created_at)"
      + " select $1, 'conversation', c.id, c.queue_id, q.organisation_id, a.role, $3, c.language,"
      + "   exists (select 1 from conversation_transfer t where t.conversation_id = c.id),"
      + "   exists (select 1 from conversation_participant p where p.conversation_id = c.id and p.kind = 'consultant'),"
      + "   $4::smallint, $5::jsonb, $6::text, $4::smallint is null, $7"
      + " from conversation c join queue q on q.id = c.queue_id left join account a on a.id = c.assigned_to where c.id = $2"
      + " on conflict (event_kind, event_id) do nothing returning queue_id, unit";

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Conversations conversations;
  private final FeedbackMetrics metrics;

  public Feedback(Vertx vertx, Pool pool, Clock clock, Conversations conversations, FeedbackMetrics metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.conversations = conversations;
    this.metrics = metrics;
  }

  /** Counts a request for each close, on the node where it happened, of a conversation a professional had accepted. */
  public void start() {
    vertx.eventBus().<JsonObject>localConsumer(ConversationEvents.CLOSED, msg -> {
      JsonObject closed = msg.body();
      if (!closed.getBoolean("accepted", false)) {
        return;
      }
      String queue = closed.getString("queueId");
      pool.preparedQuery("select organisation_id from queue where id = $1").execute(Tuple.of(queue))
          .onSuccess(rows -> metrics.requested(queue, CHAT, rows.size() == 0 ? null : rows.iterator().next().getString(0)))
          .onFailure(e -> log.warn("Could not count the feedback request of a conversation in {}", queue, e));
    });
  }

  public Future<FeedbackFrames.Recorded> submit(Principal patient, FeedbackFrames.Submit f) {
    return record(patient, f.conversationId(), f.score(), f.statements(), f.text());
  }

  public Future<FeedbackFrames.Recorded> skip(Principal patient, FeedbackFrames.Skip f) {
    return record(patient, f.conversationId(), null, Map.of(), null);
  }

  private Future<FeedbackFrames.Recorded> record(Principal patient, UUID conversationId, Integer score, Map<String, Integer> statements,
      String text) {
    return conversations.authorized(patient, conversationId, ConversationAction.READ, "feedback")
        .compose(c -> asked(c, statements))
        .compose(c -> pool.preparedQuery(RECORD).execute(Tuple.of(UUID.randomUUID(), conversationId, CHAT, score == null ? null : score.shortValue(),
            new JsonObject(Map.copyOf(statements)), text).addValue(Timestamps.at(clock.instant()))))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ApiError.conflict("feedback_duplicate", "This conversation already has its feedback"));
          }
          Row row = rows.iterator().next();
          vertx.eventBus().publish(RECORDED, new JsonObject().put("queueId", row.getString("queue_id")));
          if (score == null) {
            metrics.skipped(row.getString("queue_id"), CHAT, row.getString("unit"));
          } else {
            metrics.responded(row.getString("queue_id"), CHAT, row.getString("unit"), score);
          }
          return Future.succeededFuture(new FeedbackFrames.Recorded(conversationId.toString(), score == null));
        });
  }

  /** The conversation must be closed, a professional must have served it, and the statements must be its queue's. */
  private Future<ConversationRecord> asked(ConversationRecord c, Map<String, Integer> statements) {
    if (!c.isClosed()) {
      return Future.failedFuture(ApiError.conflict("conversation_not_closed", "Feedback is given once the conversation has closed"));
    }
    if (c.acceptedAt() == null) {
      return Future.failedFuture(ApiError.conflict("feedback_not_asked", "No professional served this conversation, so no feedback is asked"));
    }
    if (statements.isEmpty()) {
      return Future.succeededFuture(c);
    }
    return pool.preparedQuery("select feedback_statements from queue where id = $1").execute(Tuple.of(c.queueId())).compose(rows -> {
      List<String> asked = rows.size() == 0 ? List.of() : List.of(rows.iterator().next().getArrayOfStrings(0));
      return asked.containsAll(statements.keySet()) ? Future.succeededFuture(c)
          : Future.failedFuture(ApiError.badRequest("invalid_statement", "The queue asks only " + asked));
    });
  }
}
