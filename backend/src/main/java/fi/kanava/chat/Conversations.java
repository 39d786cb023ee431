package fi.kanava.chat;

import fi.kanava.infra.Timestamps;
import fi.kanava.auth.AccessGuard;
import fi.kanava.auth.AccessPolicy.Actor;
import fi.kanava.auth.AccessPolicy.ConversationAction;
import fi.kanava.auth.AccessPolicy.Decision;
import fi.kanava.auth.Principal;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Conversations from the queue to the close: entering (with the questionnaire), messages with
 * sequence numbers and idempotent retries, reads, taking and accepting, closing, and the idle
 * rules. Every write is one transaction; events go on the bus only after commit. Access is decided
 * by the {@link AccessGuard}, which also audits.
 */
public final class Conversations {
  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Queues queues;
  private final AccessGuard guard;
  private final WaitingLists waiting;
  private final ChatMetrics metrics;
  private final KanavaConfig.Chat config;
  private final MessageSends sends;
  private Routing routing;

  public Conversations(Vertx vertx, Pool pool, Clock clock, Queues queues, AccessGuard guard, WaitingLists waiting, ChatMetrics metrics,
      KanavaConfig.Chat config) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.queues = queues;
    this.guard = guard;
    this.waiting = waiting;
    this.metrics = metrics;
    this.config = config;
    this.sends = new MessageSends(vertx, pool, clock, guard, metrics);
  }

  /** Routing and conversations call each other; routing is wired in after both exist. */
  public void routing(Routing routing) {
    this.routing = routing;
  }

  // --- reading --------------------------------------------------------------------------------------

  public Future<ConversationRecord> load(UUID id) {
    return load(pool, id, false);
  }

  static Future<ConversationRecord> load(SqlClient client, UUID id, boolean forUpdate) {
    return client.preparedQuery(ConversationRecord.SELECT + "where c.id = $1" + (forUpdate ? " for update of c" : ""))
        .execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(notFound())
            : Future.succeededFuture(ConversationRecord.from(rows.iterator().next())));
  }

  /** The actor with the queues they serve, as the access policy needs it. */
  public Future<Actor> actor(Principal principal) {
    if (principal.isPatient()) {
      return Future.succeededFuture(Actor.of(principal));
    }
    return Queues.servedBy(pool, principal.id()).map(served -> new Actor(principal, new HashSet<>(served)));
  }

  /** Checks (and audits) access, then hands over the conversation. */
  public Future<ConversationRecord> authorized(Principal principal, UUID id, ConversationAction action, String purpose) {
    return load(id).compose(c -> actor(principal)
        .compose(actor -> guard.require(actor, action, id, c.facts(), purpose))
        .map(c));
  }

  /** The view the principal may see, with position and estimate while waiting. */
  public Future<JsonObject> view(Principal principal, ConversationRecord c) {
    JsonObject view = principal.isPatient() ? c.patientView() : c.professionalView();
    if (!c.isQueued()) {
      return Future.succeededFuture(view);
    }
    return waiting.positionOf(c).map(position -> view.mergeIn(position));
  }

  /** Messages after a sequence number (history for REST and for resuming a socket). */
  public Future<List<JsonObject>> messages(Principal principal, UUID id, long after, int limit) {
    return Messages.between(pool, id, after, Long.MAX_VALUE, !principal.isPatient(), limit);
  }

  public Future<List<JsonObject>> messagesBetween(UUID id, long after, long before, boolean includeNotes) {
    return Messages.between(pool, id, after, before, includeNotes, 10_000);
  }

  /** The patient's open conversation, or null. */
  public Future<ConversationRecord> current(Principal patient) {
    return pool.preparedQuery(ConversationRecord.SELECT + "where c.patient_id = $1 and c.state <> 'closed' order by c.enqueued_at desc limit 1")
        .execute(Tuple.of(patient.id()))
        .map(rows -> rows.size() == 0 ? null : ConversationRecord.from(rows.iterator().next()));
  }

  /** A professional's active conversations. */
  public Future<List<ConversationRecord>> assignedTo(UUID professionalId) {
    return pool.preparedQuery(ConversationRecord.SELECT + "where c.assigned_to = $1 and c.state = 'active' order by c.assigned_at")
        .execute(Tuple.of(professionalId))
        .map(rows -> {
          List<ConversationRecord> out = new ArrayList<>();
          rows.forEach(row -> out.add(ConversationRecord.from(row)));
          return out;
        });
  }

  // --- entering and leaving the queue ---------------------------------------------------------------------

  /** The result of {@code queue.enter}: a queued conversation, or an emergency (not queued). */
  public record Entered(ConversationRecord conversation, boolean emergency) {}

  public Future<Entered> enter(Principal patient, ClientFrame.QueueEnter request) {
    Instant now = clock.instant();
    return queues.get(request.queueId())
        .compose(queue -> pool.preparedQuery("select kind from patient where id = $1").execute(Tuple.of(patient.id()))
            .compose(rows -> {
              String kind = rows.iterator().next().getString(0);
              refuseUnlessAdmissible(queue, kind, request, now);
              Assessment assessment;
              try {
                assessment = queue.questionnaire().evaluate(request.answers(), request.language());
              } catch (QuestionnaireException e) {
                throw ApiError.badRequest(e.code(), e.getMessage()).with("questionId", e.questionId());
              }
              JsonArray triage = new JsonArray();
              assessment.summary().forEach(line -> triage.add(new JsonObject()
                  .put("questionId", line.questionId()).put("question", line.question()).put("answer", line.answer())));
              return insert(patient, queue, request, assessment.urgency(), triage, now);
            })
            .onFailure(e -> {
              if (e instanceof ApiError api && api.status() < 500) {
                metrics.refused(queue.id(), api.code());
              }
            }))
        .compose(entered -> {
          metrics.entered(entered.conversation().queueId(), entered.conversation().urgency());
          if (entered.emergency()) {
            metrics.closed(entered.conversation().queueId(), Outcome.REDIRECTED_TO_URGENT_CARE);
          } else {
            waiting.changed(entered.conversation().queueId());
            routing.kick(entered.conversation().queueId());
          }
          return Future.succeededFuture(entered);
        });
  }

  private static void refuseUnlessAdmissible(QueueSettings queue, String patientKind, ClientFrame.QueueEnter request, Instant now) {
    if (!queue.openingHours().isOpen(now)) {
      throw ApiError.conflict("queue_closed", "The queue is closed now")
          .with("opensAt", queue.openingHours().nextOpening(now).map(Instant::toString).orElse(null));
    }
    if (!queue.languages().contains(request.language())) {
      throw ApiError.conflict("language_not_served", "The queue does not serve that language").with("languages", new JsonArray(queue.languages()));
    }
    if (!queue.municipalities().isEmpty() && request.municipality() == null) {
      throw ApiError.badRequest("municipality_required", "This queue serves certain municipalities: say which is yours")
          .with("municipalities", new JsonArray(queue.municipalities()));
    }
    if (!queue.serves(request.municipality())) {
      throw ApiError.conflict("municipality_not_served", "The queue does not serve that municipality yet")
          .with("municipalities", new JsonArray(queue.municipalities()));
    }
    boolean identified = "identified".equals(patientKind);
    if ((!queue.anonymousAllowed() || queue.strongIdRequired()) && !identified) {
      throw new ApiError(403, "identification_required", "This queue needs you to identify yourself first");
    }
  }

  private Future<Entered> insert(Principal patient, QueueSettings queue, ClientFrame.QueueEnter request, Urgency urgency,
      JsonArray triage, Instant now) {
    UUID id = UUID.randomUUID();
    boolean emergency = urgency == Urgency.IMMEDIATE;
    Tuple params = Tuple.of(id, queue.id(), patient.id(), emergency ? "closed" : "queued", urgency.code(), urgency.rank())
        .addValue(request.language())
        .addValue(request.municipality())
        .addValue(new JsonObject(request.answers()))
        .addValue(triage)
        .addValue(Timestamps.at(now))
        .addValue(emergency ? Timestamps.at(now) : null)
        .addValue(emergency ? Outcome.REDIRECTED_TO_URGENT_CARE : null);
    String sql = "insert into conversation (id, queue_id, patient_id, state, urgency, urgency_rank, language, municipality, answers,"
        + " triage_summary, enqueued_at, last_activity_at, closed_at, outcome) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13)";
    if (emergency) {
      return pool.preparedQuery(sql).execute(params).compose(v -> load(id)).map(c -> new Entered(c, true));
    }
    return pool.withTransaction(tx -> tx.preparedQuery("select " + Queues.lockQueue("$1::text"))
            .execute(Tuple.of(queue.id()))
            .compose(v -> tx.preparedQuery("select id from conversation where patient_id = $1 and queue_id = $2 and state <> 'closed'")
                .execute(Tuple.of(patient.id(), queue.id())))
            .compose(rows -> rows.size() > 0
                ? Future.failedFuture(ApiError.conflict("already_in_queue", "You already have an open conversation in this queue")
                    .with("conversationId", rows.iterator().next().getUUID(0).toString()))
                : tx.preparedQuery("select count(*) from conversation where queue_id = $1 and state = 'queued'").execute(Tuple.of(queue.id())))
            .compose(rows -> rows.iterator().next().getLong(0) >= queue.maxLength()
                ? Future.failedFuture(ApiError.conflict("queue_full", "The queue is full; please try again later"))
                : tx.preparedQuery(sql).execute(params))
            .compose(v -> load(tx, id, false)))
        .map(c -> new Entered(c, false));
  }

  /** The patient leaves while waiting (also while only offered): closed as abandoned. */
  public Future<ConversationRecord> leave(Principal patient, UUID id) {
    return closeWith(Actor.of(patient), "leave", id, c -> c.isQueued() || (c.isActive() && c.acceptedAt() == null)
        ? null
        : ApiError.conflict("not_waiting", "Only a waiting conversation can be left"), Outcome.ABANDONED, null);
  }

  /** The assigned professional closes with an outcome. */
  public Future<ConversationRecord> close(Principal professional, ClientFrame.Close request) {
    return actor(professional).compose(actor -> closeWith(actor, "close", request.conversationId(),
        c -> professional.id().equals(c.assignedTo()) ? null
            : new ApiError(403, "not_assigned", "Only the assigned professional closes the conversation"),
        request.outcome(), request.detail()));
  }

  /** Closes as the system (idle expiry): no policy check, but not twice. */
  private Future<ConversationRecord> expire(UUID id) {
    return closeWith(null, "expire", id, c -> c.isClosed() ? AccessGuard.conversationClosed() : null, Outcome.EXPIRED, null);
  }

  private Future<ConversationRecord> closeWith(Actor actor, String purpose, UUID id, Function<ConversationRecord, ApiError> precondition,
      String outcome, String detail) {
    Instant now = clock.instant();
    return locked(actor, ConversationAction.WRITE, purpose, id, precondition, (tx, c) -> tx
            .preparedQuery("update conversation set state = 'closed', closed_at = $2, outcome = $3, outcome_detail = $4 where id = $1")
            .execute(Tuple.of(id, Timestamps.at(now), outcome, detail))
            .compose(v -> Messages.system(tx, id, Messages.CLOSED, now))
            .compose(frame -> load(tx, id, false).map(closed -> new Closed(closed, frame, c.assignedTo()))))
        .map(result -> {
          ConversationRecord closed = result.conversation();
          metrics.closed(closed.queueId(), outcome);
          ChatEvents.message(vertx.eventBus(), id, result.frame());
          ChatEvents.state(vertx.eventBus(), id, closed.professionalView());
          waiting.changed(closed.queueId());
          if (result.professional() != null) {
            UUID professional = result.professional();
            if (Outcome.ABANDONED.equals(outcome)) {
              // the patient left while the conversation was offered: take the offer back
              ChatEvents.withdrawn(vertx.eventBus(), professional, id, "patient_left");
            }
            routing.kickServedBy(professional);
          }
          return closed;
        });
  }

  /** What a close committed: the closed conversation, its system message, and who had it. */
  private record Closed(ConversationRecord conversation, JsonObject frame, UUID professional) {}

  /** What a take committed: the conversation as it was before, and the system message. */
  private record Taken(ConversationRecord before, JsonObject frame) {}

  /** A policy decision taken on the locked row, to be audited once the transaction is over. */
  private record Decided<T>(T result, ConversationRecord conversation, Decision decision) {}

  /** The policy refused inside the transaction: rolled back, then audited. */
  private static final class Refused extends RuntimeException {
    private final ConversationRecord conversation;
    private final Decision decision;

    Refused(ConversationRecord conversation, Decision decision) {
      super(null, null, false, false);
      this.conversation = conversation;
      this.decision = decision;
    }
  }

  /**
   * Runs {@code work} in a transaction on the locked conversation: the conversation is closed to
   * everything but its checks ({@code precondition} first, then the access policy, decided
   * without I/O); after the transaction the decision is audited where the policy requires it and
   * a refusal becomes a 403. Nothing inside the transaction needs a second pool connection, so a
   * burst of these cannot exhaust the pool. A null actor is the system itself.
   */
  private <T> Future<T> locked(Actor actor, ConversationAction action, String purpose, UUID id,
      Function<ConversationRecord, ApiError> precondition, BiFunction<SqlClient, ConversationRecord, Future<T>> work) {
    return pool.withTransaction(tx -> load(tx, id, true).compose(c -> {
          Decision decision = actor == null ? null : guard.decide(actor, action, c.facts());
          if (decision != null && !decision.allowed()) {
            return Future.failedFuture(new Refused(c, decision));
          }
          ApiError unmet = precondition.apply(c);
          if (unmet != null) {
            return Future.failedFuture(unmet);
          }
          return work.apply(tx, c).map(result -> new Decided<>(result, c, decision));
        }))
        .recover(e -> e instanceof Refused refused
            ? guard.settle(actor, action, id, refused.conversation.facts(), purpose, refused.decision).map(v -> (Decided<T>) null)
            : Future.failedFuture(e))
        .compose(done -> done.decision() == null
            ? Future.succeededFuture(done.result())
            : guard.settle(actor, action, id, done.conversation().facts(), purpose, done.decision()).map(done.result()));
  }

  // --- professionals taking and accepting ------------------------------------------------------------------

  /** Takes a waiting conversation (pick mode; allowed in auto mode too). Taking is accepting. */
  public Future<ConversationRecord> take(Principal professional, UUID id) {
    Instant now = clock.instant();
    return actor(professional).compose(actor -> locked(actor, ConversationAction.READ, "take", id,
            c -> c.isQueued() ? null : ApiError.conflict("not_assigned", "The conversation is no longer waiting"),
            (tx, c) -> tx.preparedQuery("insert into professional_presence (account_id, status, last_seen_at) values ($1, 'away', $2)"
                    + " on conflict (account_id) do nothing").execute(Tuple.of(professional.id(), Timestamps.at(now)))
                .compose(v -> Routing.hasCapacity(tx, professional.id(), false))
                .compose(room -> room
                    ? Routing.assign(tx, id, professional.id(), now, true)
                    : Future.failedFuture(ApiError.conflict("capacity_reached", "You already have your maximum number of conversations")))
                .compose(v -> Messages.system(tx, id, Messages.PROFESSIONAL_JOINED, now))
                .map(frame -> new Taken(c, frame))))
        .compose(result -> {
          ConversationRecord before = result.before();
          if (before.requeueCount() == 0) {
            metrics.queueWait(before.queueId(), before.urgency(), Duration.between(before.enqueuedAt(), now));
          }
          ChatEvents.message(vertx.eventBus(), id, result.frame());
          return routing.announce(id, false);
        });
  }

  /** Accepts an auto-assignment offer. */
  public Future<ConversationRecord> accept(Principal professional, UUID id) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> load(tx, id, true).compose(c -> {
          if (!c.isActive() || !professional.id().equals(c.assignedTo())) {
            return Future.failedFuture(ApiError.conflict("not_assigned", "The conversation is not offered to you (any more)"));
          }
          if (c.acceptedAt() != null) {
            return Future.succeededFuture((JsonObject) null);
          }
          return tx.preparedQuery("update conversation set accepted_at = $2 where id = $1").execute(Tuple.of(id, Timestamps.at(now)))
              .compose(v -> Messages.system(tx, id, Messages.PROFESSIONAL_JOINED, now));
        }))
        .compose(frame -> {
          if (frame != null) {
            ChatEvents.message(vertx.eventBus(), id, frame);
          }
          return routing.announce(id, false);
        });
  }

  // --- messages -----------------------------------------------------------------------------------------------

  /** Who writes: the actor the policy judges, and the name and role their messages carry. */
  public record Author(Actor actor, String name, String role) {
    Principal principal() {
      return actor.principal();
    }
  }

  /** The author of a principal, with the queues they serve (for a socket to keep). */
  public Future<Author> author(Principal principal) {
    if (principal.isPatient()) {
      return pool.preparedQuery("select display_name from patient where id = $1").execute(Tuple.of(principal.id()))
          .map(rows -> new Author(Actor.of(principal), rows.size() == 0 ? null : rows.iterator().next().getString(0), null));
    }
    return actor(principal).compose(actor -> pool.preparedQuery("select display_name, role from account where id = $1")
        .execute(Tuple.of(principal.id()))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new Author(actor, row.getString("display_name"), row.getString("role"));
        }));
  }

  /**
   * Stores a message (or finds the one a retry refers to) and returns the ack frame; fans out
   * after it is stored. Group-committed with other sends on the same event loop: see {@link MessageSends}.
   */
  public Future<JsonObject> send(Author author, ClientFrame.Send request) {
    return sends.send(author, request);
  }

  /** Records how far the reader has read and tells the other side. */
  public Future<JsonObject> read(Principal reader, UUID id, long seq) {
    return pool.preparedQuery("insert into conversation_read (conversation_id, reader_id, seq) values ($1, $2, $3)"
            + " on conflict (conversation_id, reader_id) do update set seq = greatest(conversation_read.seq, excluded.seq)")
        .execute(Tuple.of(id, reader.id(), seq))
        .map(v -> Frames.frame("read").put("conversationId", id.toString())
            .put("who", reader.kind().code()).put("seq", seq));
  }

  // --- idle conversations ---------------------------------------------------------------------------------------

  /** A committed idle warning: its system message, and when the conversation will close. */
  private record IdleWarning(UUID conversationId, JsonObject frame, Instant closesAt) {}

  /** Warns the patient of an active conversation idle for chat.idle-warning; closes it as expired after chat.idle-close. */
  Future<Void> sweepIdle() {
    Instant now = clock.instant();
    return pool.preparedQuery("select id from conversation where state = 'active' and last_activity_at < $1")
        .execute(Tuple.of(Timestamps.at(now.minus(config.idleClose()))))
        .compose(rows -> {
          List<Future<ConversationRecord>> expired = new ArrayList<>();
          rows.forEach(row -> expired.add(expire(row.getUUID(0))
              .recover(e -> Future.succeededFuture())));
          return Future.join(expired);
        })
        .compose(v -> pool.withTransaction(tx -> tx.preparedQuery("update conversation set idle_warned_at = $2"
                + " where state = 'active' and idle_warned_at is null and last_activity_at < $1 returning id, last_activity_at")
            .execute(Tuple.of(Timestamps.at(now.minus(config.idleWarning())), Timestamps.at(now)))
            .compose(rows -> {
              List<Future<IdleWarning>> warnings = new ArrayList<>();
              for (Row row : rows) {
                UUID id = row.getUUID("id");
                Instant closesAt = row.getOffsetDateTime("last_activity_at").toInstant().plus(config.idleClose());
                warnings.add(Messages.system(tx, id, Messages.IDLE_WARNING, now).map(frame -> new IdleWarning(id, frame, closesAt)));
              }
              return Future.all(warnings).map(all -> all.<IdleWarning>list());
            })))
        .map(warnings -> {
          for (IdleWarning warning : warnings) {
            UUID id = warning.conversationId();
            ChatEvents.message(vertx.eventBus(), id, warning.frame());
            ChatEvents.signal(vertx.eventBus(), id, "idle", Frames.frame("idle.warning").put("conversationId", id.toString())
                .put("closesAt", warning.closesAt().toString()), null);
          }
          return null;
        });
  }

  static ApiError notFound() {
    return ApiError.notFound("conversation_not_found", "No such conversation");
  }
}
