package fi.kanava;

import static fi.kanava.infra.Timestamps.at;

import fi.kanava.DemoHistoryPlan.Plan;
import fi.kanava.DemoHistoryPlan.Pro;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the demo's recorded history ({@link DemoHistoryPlan}: last month and this month so far)
 * once, after the demo accounts and queues, so the supervisor's monthly report shows figures in
 * the running demo. One transaction, as the application role, into the tables the services write
 * (the rows they would have written); a database that has it already gets nothing more.
 */
public final class DemoHistory {
  private static final Logger log = LoggerFactory.getLogger(DemoHistory.class);
  private static final String ORGANISATION = "lappi";
  private static final int CHUNK = 100;
  private static final List<String> USERNAMES = List.of("hoitaja", "sairaanhoitaja", "laakari", "suuhygienisti");

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;

  public DemoHistory(Vertx vertx, Pool pool, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
  }

  /**
   * Writes the history unless it is there. The history is made up on a worker (a few thousand
   * rows), then written in one transaction; nodes starting together take turns and look again.
   */
  public Future<Void> load() {
    Instant now = clock.instant();
    return loaded(pool).compose(loaded -> loaded ? Future.succeededFuture()
        : pros(pool)
            .compose(pros -> vertx.executeBlocking(() -> new DemoHistoryPlan(pros, now).build(DemoHistoryPlan.firstDay(now))))
            .compose(plan -> pool.withTransaction(tx -> tx.query("select pg_advisory_xact_lock(hashtext('kanava.demo-history'))").execute()
                .compose(v -> loaded(tx))
                .compose(again -> again ? Future.succeededFuture() : write(tx, plan)))));
  }

  private static Future<Boolean> loaded(SqlClient client) {
    return client.preparedQuery("select 1 from conversation where id = $1").execute(Tuple.of(DemoHistoryPlan.MARKER)).map(rows -> rows.size() > 0);
  }

  private static Future<Map<String, Pro>> pros(SqlClient client) {
    return client.preparedQuery("select id, username, role, unit_id from account where username = any($1)")
        .execute(Tuple.of(USERNAMES.toArray(String[]::new)))
        .map(rows -> {
          Map<String, Pro> out = new HashMap<>();
          rows.forEach(r -> out.put(r.getString("username"), new Pro(r.getUUID("id"), r.getString("username"), r.getString("role"),
              r.getString("unit_id"))));
          if (out.size() != USERNAMES.size()) {
            throw new IllegalStateException("the demo accounts " + USERNAMES + " must be loaded before the demo history");
          }
          return out;
        });
  }

  private static Future<Void> write(SqlClient tx, Plan plan) {
    return batch(tx, "insert into patient (id, kind, identity_method, identity_subject, display_name, created_at)"
            + " values ($1, $2, $3, $4, $5, $6)", plan.patients, p -> Tuple.of(p.id(), p.subject() == null ? "anonymous" : "identified",
            p.subject() == null ? null : fi.kanava.auth.DevIdentityProvider.METHOD, p.subject(), p.displayName(), at(p.createdAt())))
        .compose(v -> batch(tx, "insert into conversation (id, queue_id, patient_id, state, urgency, urgency_rank, language, municipality,"
                + " answers, triage_summary, enqueued_at, assigned_to, assigned_at, accepted_at, first_response_at, last_activity_at,"
                + " closed_at, outcome) values ($1, $2, $3, 'closed', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16)",
            plan.conversations, c -> Tuple.of(c.id(), c.queueId(), c.patientId(), c.urgency(), c.urgencyRank(), c.language())
                .addValue(c.municipality()).addValue(new JsonObject()).addValue(new JsonArray()).addValue(at(c.enqueuedAt()))
                .addValue(c.assignedTo()).addValue(at(c.assignedAt())).addValue(at(c.acceptedAt())).addValue(at(c.firstResponseAt()))
                .addValue(at(c.closedAt())).addValue(c.outcome())))
        .compose(v -> batch(tx, "insert into conversation_participant (conversation_id, kind, patient_id, account_id, joined_at, left_at)"
            + " values ($1, $2, $3, $4, $5, $6)", plan.participants, p -> Tuple.of(p.conversationId(), p.kind(), p.patientId(), p.accountId(),
            at(p.joinedAt()), at(p.leftAt()))))
        .compose(v -> batch(tx, "insert into conversation_transfer (id, conversation_id, from_account, from_queue, to_queue, situation,"
                + " history_from_seq, created_at, state, resolved_at, resolved_by, consent, consent_deadline, consent_at, consent_by)"
                + " values ($1, $2, $3, $4, $5, 'Demo: tarvitsee lääkärin arvion', 0, $6, 'accepted', $7, $8, $9, $10, $11, $12)",
            plan.transfers, t -> Tuple.of(t.id(), t.conversationId(), t.fromAccount(), t.fromQueue(), t.toQueue(), at(t.createdAt()))
                .addValue(at(t.resolvedAt())).addValue(t.resolvedBy()).addValue(t.consent()).addValue(at(t.consentDeadline()))
                .addValue(at(t.consentAt())).addValue(t.consentBy())))
        .compose(v -> batch(tx, "insert into consultation (id, thread_conversation_id, case_conversation_id, requester_id, queue_id, urgency,"
                + " situation, created_at, due_at, state, consultant_id, accepted_at, breached_at, joined_at, answer, closed_at, closed_by)"
                + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'closed', $10, $11, $12, $13, $14, $15, $10)",
            plan.consultations, k -> Tuple.of(k.id(), k.threadId(), k.caseId(), k.requester(), k.queueId(), k.urgency()).addValue(k.situation())
                .addValue(at(k.createdAt())).addValue(at(k.dueAt())).addValue(k.consultant()).addValue(at(k.acceptedAt()))
                .addValue(at(k.breachedAt())).addValue(at(k.joinedAt())).addValue(k.answer()).addValue(at(k.closedAt()))))
        .compose(v -> batch(tx, "insert into visit (id, organisation_id, unit_id, queue_id, patient_id, conversation_id, starts_at,"
                + " duration_minutes, channel, language, interpreter_needed, state, booked_by, booked_at, arrived_at, admitted_at, ended_at,"
                + " cancel_reason) values ($1, '" + ORGANISATION + "', $2, $3, $4, $5, $6, $7, 'video', $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            plan.visits, w -> Tuple.of(w.id(), w.unitId(), w.queueId(), w.patientId(), w.conversationId(), at(w.startsAt()))
                .addValue(w.durationMinutes()).addValue(w.language()).addValue(w.interpreterNeeded()).addValue(w.state()).addValue(w.bookedBy())
                .addValue(at(w.bookedAt())).addValue(at(w.arrivedAt())).addValue(at(w.admittedAt())).addValue(at(w.endedAt()))
                .addValue(w.cancelReason())))
        .compose(v -> batch(tx, "insert into visit_member (id, visit_id, kind, account_id, patient_id, display_name, invited_at, invited_by,"
                + " arrived_at, admitted_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            plan.visitMembers, m -> Tuple.of(m.id(), m.visitId(), m.kind(), m.accountId(), m.patientId(), m.displayName())
                .addValue(at(m.invitedAt())).addValue(m.invitedBy()).addValue(at(m.arrivedAt())).addValue(at(m.admittedAt()))))
        .compose(v -> batch(tx, "insert into feedback_response (id, event_kind, event_id, respondent, queue_id, organisation_id, unit_id,"
                + " professional_role, channel, language, transferred, consulted, score, statements, free_text, skipped, created_at)"
                + " values ($1, $2, $3, $4, $5, '" + ORGANISATION + "', $6, $7, $8, $9, $10, $11, $12::smallint, $13::jsonb, $14,"
                + " $12::smallint is null, $15)",
            plan.feedback, f -> Tuple.of(f.id(), f.eventKind(), f.eventId(), f.respondent(), f.queueId(), f.unitId()).addValue(f.role())
                .addValue(f.channel()).addValue(f.language()).addValue(f.transferred()).addValue(f.consulted())
                .addValue(f.score() == null ? null : f.score().shortValue()).addValue(new JsonObject(Map.copyOf(f.statements())))
                .addValue(f.text()).addValue(at(f.createdAt()))))
        .compose(v -> batch(tx, "insert into professional_feedback (id, organisation_id, role, score, statements, skipped, created_at)"
                + " values ($1, '" + ORGANISATION + "', $2, $3::smallint, $4::jsonb, $3::smallint is null, $5)",
            plan.proFeedback, p -> Tuple.of(p.id(), p.role(), p.score() == null ? null : p.score().shortValue(),
                new JsonObject(Map.copyOf(p.statements())), at(p.createdAt()))))
        .onSuccess(v -> log.info("Demo history loaded: {} contacts, {} consultations, {} remote visits, {} feedback answers",
            plan.conversations.size() - plan.consultations.size(), plan.consultations.size(), plan.visits.size(), plan.feedback.size()));
  }

  /** In chunks, one after the other, so that no single batch takes the event loop long to encode. */
  private static <T> Future<Void> batch(SqlClient tx, String sql, List<T> rows, Function<T, Tuple> params) {
    if (rows.isEmpty()) {
      return Future.succeededFuture();
    }
    List<T> chunk = rows.subList(0, Math.min(CHUNK, rows.size()));
    return tx.preparedQuery(sql).executeBatch(chunk.stream().map(params).toList())
        .compose(v -> batch(tx, sql, rows.subList(chunk.size(), rows.size()), params));
  }
}
