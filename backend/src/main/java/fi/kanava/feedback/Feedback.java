package fi.kanava.feedback;

import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.auth.Principal;
import fi.kanava.conversation.ConversationEvents;
import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.Conversations;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Timestamps;
import fi.kanava.visit.VisitEvents;
import fi.kanava.visit.Visits;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In-flow feedback: when a conversation a professional had accepted closes, its patient is asked in
 * the same window (the patient page shows the form on the closed conversation); when a remote visit
 * completes, its patient and relatives who were let in are asked in the visit page
 * ({@code feedback.ask}). The answer, or a skip, is stored once per event (per respondent for a
 * visit) with what national monitoring needs to link it (the event, queue, unit, professional's
 * role, channel, language, transfer and consultation), and counted by NPS category. The questions'
 * wording lives in the client's bundles; the statements asked are the queue's ({@code feedbackStatements}).
 */
public final class Feedback {
  private static final Logger log = LoggerFactory.getLogger(Feedback.class);
  static final String CHAT = "chat";
  private static final String VISIT_ANSWERED = "You have already given this visit's feedback";
  /** A response or skip was recorded, cluster-wide: {@code {queueId}}; for live figures (no score, no event). */
  public static final String RECORDED = "kanava.feedback.recorded";

  /**
   * A conversation's unit (docs/metrics.md, "Feedback"): the service unit of the professional who first
   * accepted it, as the monthly report's rows by unit count it; null when they have none. Reads c.id.
   */
  private static final String FIRST_ACCEPTOR_UNIT = "select a.unit_id from conversation_participant p join account a on a.id = p.account_id"
      + " where p.conversation_id = c.id and p.kind = 'assigned' order by p.joined_at, a.id limit 1";

  /** One statement, in one round trip: the event's facts are read from the conversation as the row is written. */
  private static final String RECORD = "insert into feedback_response (id, event_kind, event_id, queue_id, organisation_id, unit_id,"
      + " professional_role, channel, language, transferred, consulted, score, statements, free_text, skipped, created_at)"
      + " select $1, 'conversation', c.id, c.queue_id, q.organisation_id, (" + FIRST_ACCEPTOR_UNIT + "), a.role, $3, c.language,"
      + "   exists (select 1 from conversation_transfer t where t.conversation_id = c.id),"
      + "   exists (select 1 from conversation_participant p where p.conversation_id = c.id and p.kind = 'consultant'),"
      + "   $4::smallint, $5::jsonb, $6::text, $4::smallint is null, $7"
      + " from conversation c join queue q on q.id = c.queue_id left join account a on a.id = c.assigned_to where c.id = $2"
      + " on conflict (event_kind, event_id, coalesce(respondent, event_id)) do nothing returning queue_id, unit_id, channel";

  /**
   * A visit's response, by one respondent (the visit member): the professional's role is that of the
   * first professional booked on it; a colleague invited into it is a consultation; a visit is never
   * transferred.
   */
  private static final String RECORD_VISIT = "insert into feedback_response (id, event_kind, event_id, respondent, queue_id,"
      + " organisation_id, unit_id, professional_role, channel, language, transferred, consulted, score, statements, free_text,"
      + " skipped, created_at)"
      + " select $1, 'visit', v.id, $3, v.queue_id, v.organisation_id, v.unit_id,"
      + "   (select a.role from visit_member m join account a on a.id = m.account_id where m.visit_id = v.id and m.kind = 'professional'"
      + "     order by m.invited_at, m.id limit 1),"
      + "   v.channel, v.language, false,"
      + "   exists (select 1 from visit_member m where m.visit_id = v.id and m.kind = 'colleague'),"
      + "   $4::smallint, $5::jsonb, $6::text, $4::smallint is null, $7"
      + " from visit v where v.id = $2"
      + " on conflict (event_kind, event_id, coalesce(respondent, event_id)) do nothing returning queue_id, unit_id, channel";

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Conversations conversations;
  private final Visits visits;
  private final FeedbackMetrics metrics;

  public Feedback(Vertx vertx, Pool pool, Clock clock, Conversations conversations, Visits visits, FeedbackMetrics metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.conversations = conversations;
    this.visits = visits;
    this.metrics = metrics;
  }

  /**
   * Counts a request for each close, on the node where it happened, of a conversation a professional
   * had accepted (not a chat visit's, which the visit asks for); and for each completed visit asks its respondents ({@link #askVisit}).
   */
  public void start() {
    vertx.eventBus().<JsonObject>localConsumer(ConversationEvents.CLOSED, msg -> {
      JsonObject closed = msg.body();
      // a chat visit's conversation is the visit's: its patient is asked once, for the visit (VisitEvents.COMPLETED)
      if (!closed.getBoolean("accepted", false) || closed.getString("visitId") != null) {
        return;
      }
      String queue = closed.getString("queueId");
      pool.preparedQuery("select (" + FIRST_ACCEPTOR_UNIT + ") from conversation c where c.id = $1")
          .execute(Tuple.of(UUID.fromString(closed.getString("conversationId"))))
          .onSuccess(rows -> metrics.requested(queue, CHAT, rows.size() == 0 ? null : rows.iterator().next().getString(0)))
          .onFailure(e -> log.warn("Could not count the feedback request of a conversation in {}", queue, e));
    });
    vertx.eventBus().<JsonObject>localConsumer(VisitEvents.COMPLETED, msg -> {
      VisitEvents.Completed visit = VisitEvents.Completed.fromJson(msg.body());
      askVisit(visit).onFailure(e -> log.warn("Could not ask for the feedback of visit {}", visit.visitId(), e));
    });
  }

  /** Each respondent of a completed visit gets {@code feedback.ask} with the statements of the visit's queue, and is counted as asked. */
  private Future<Void> askVisit(VisitEvents.Completed visit) {
    return statements(visit.queueId()).map(asked -> {
      JsonObject frame = ServerFrames.toJson(new FeedbackFrames.Ask(visit.visitId().toString(), asked));
      for (UUID respondent : visit.respondents()) {
        metrics.requested(label(visit.queueId()), visit.channel(), visit.unitId());
        SocketEvents.toPrincipal(vertx.eventBus(), respondent, frame);
      }
      log.info("Visit {} completed: {} asked for feedback", visit.visitId(), visit.respondents().size());
      return null;
    });
  }

  /**
   * {@code feedback.pending}: asks again what a completed visit asked the sender, if they have neither
   * answered nor skipped it (a page reloaded after the end); otherwise the error a submit would get
   * ({@code feedback_not_asked}, {@code feedback_duplicate}).
   */
  public Future<FeedbackFrames.Ask> pending(Principal patient, UUID visitId) {
    return visits.attendance(patient, visitId, "feedback")
        .compose(a -> !a.asked() ? Future.<Visits.Attendance>failedFuture(notAsked("This visit asks no feedback of you")) : Future.succeededFuture(a))
        .compose(a -> pool.preparedQuery("select 1 from feedback_response where event_kind = 'visit' and event_id = $1 and respondent = $2")
            .execute(Tuple.of(visitId, a.memberId()))
            .compose(rows -> rows.size() > 0 ? Future.failedFuture(ApiError.conflict("feedback_duplicate", VISIT_ANSWERED))
                : statements(a.queueId())))
        .map(asked -> new FeedbackFrames.Ask(visitId.toString(), asked));
  }

  public Future<FeedbackFrames.Recorded> submit(Principal patient, FeedbackFrames.Submit f) {
    return f.visitId() != null ? recordVisit(patient, f.visitId(), f.score(), f.statements(), f.text())
        : record(patient, f.conversationId(), f.score(), f.statements(), f.text());
  }

  public Future<FeedbackFrames.Recorded> skip(Principal patient, FeedbackFrames.Skip f) {
    return f.visitId() != null ? recordVisit(patient, f.visitId(), null, Map.of(), null)
        : record(patient, f.conversationId(), null, Map.of(), null);
  }

  private Future<FeedbackFrames.Recorded> record(Principal patient, UUID conversationId, Integer score, Map<String, Integer> statements,
      String text) {
    return conversations.authorized(patient, conversationId, ConversationAction.READ, "feedback")
        .compose(c -> asked(c, statements))
        .compose(c -> pool.preparedQuery(RECORD).execute(Tuple.of(UUID.randomUUID(), conversationId, CHAT, score == null ? null : score.shortValue(),
            new JsonObject(Map.copyOf(statements)), text).addValue(Timestamps.at(clock.instant()))))
        .compose(rows -> recorded(rows, score, "This conversation already has its feedback"))
        .map(skipped -> new FeedbackFrames.Recorded(conversationId.toString(), null, skipped));
  }

  /**
   * A visit's response: only from a member it asked (through the guard, so a stranger is refused and
   * audited), with the statements of its queue, once per member.
   */
  private Future<FeedbackFrames.Recorded> recordVisit(Principal patient, UUID visitId, Integer score, Map<String, Integer> statements,
      String text) {
    return visits.attendance(patient, visitId, "feedback")
        .compose(a -> !a.asked() ? Future.<Visits.Attendance>failedFuture(notAsked("This visit asks no feedback of you"))
            : statements(a.queueId()).compose(asked -> checked(asked, statements)).map(a))
        .compose(a -> pool.preparedQuery(RECORD_VISIT).execute(Tuple.of(UUID.randomUUID(), visitId, a.memberId(),
            score == null ? null : score.shortValue(), new JsonObject(Map.copyOf(statements)), text).addValue(Timestamps.at(clock.instant()))))
        .compose(rows -> recorded(rows, score, VISIT_ANSWERED))
        .map(skipped -> new FeedbackFrames.Recorded(null, visitId.toString(), skipped));
  }

  /** The conversation must be closed, a professional must have served it, and the statements must be its queue's. */
  private Future<ConversationRecord> asked(ConversationRecord c, Map<String, Integer> statements) {
    if (!c.isClosed()) {
      return Future.failedFuture(ApiError.conflict("conversation_not_closed", "Feedback is given once the conversation has closed"));
    }
    if (c.acceptedAt() == null) {
      return Future.failedFuture(notAsked("No professional served this conversation, so no feedback is asked"));
    }
    if (c.visitId() != null) {
      return Future.failedFuture(notAsked("This conversation held a visit: the visit's feedback is asked instead"));
    }
    return statements.isEmpty() ? Future.succeededFuture(c) : statements(c.queueId()).compose(asked -> checked(asked, statements)).map(c);
  }

  /** The statements the queue asks; all of them for a visit booked without a queue. */
  private Future<List<String>> statements(String queueId) {
    if (queueId == null) {
      return Future.succeededFuture(FeedbackStatements.ALL);
    }
    return pool.preparedQuery("select feedback_statements from queue where id = $1").execute(Tuple.of(queueId))
        .map(rows -> rows.size() == 0 ? List.of() : List.of(rows.iterator().next().getArrayOfStrings(0)));
  }

  private static Future<Void> checked(List<String> asked, Map<String, Integer> statements) {
    return asked.containsAll(statements.keySet()) ? Future.succeededFuture()
        : Future.failedFuture(ApiError.badRequest("invalid_statement", "The queue asks only " + asked));
  }

  /** After the insert: nothing inserted is a duplicate; else the response is announced and counted. Answers whether it was a skip. */
  private Future<Boolean> recorded(RowSet<Row> rows, Integer score, String duplicate) {
    if (rows.size() == 0) {
      return Future.failedFuture(ApiError.conflict("feedback_duplicate", duplicate));
    }
    Row row = rows.iterator().next();
    String queue = row.getString("queue_id");
    if (queue != null) {
      vertx.eventBus().publish(RECORDED, new JsonObject().put("queueId", queue));
    }
    if (score == null) {
      metrics.skipped(label(queue), row.getString("channel"), row.getString("unit_id"));
    } else {
      metrics.responded(label(queue), row.getString("channel"), row.getString("unit_id"), score);
    }
    return Future.succeededFuture(score == null);
  }

  private static ApiError notAsked(String message) {
    return ApiError.conflict("feedback_not_asked", message);
  }

  /** The queue label: empty for a visit booked without a queue (as the unit's is for none). */
  private static String label(String queue) {
    return queue == null ? "" : queue;
  }
}
