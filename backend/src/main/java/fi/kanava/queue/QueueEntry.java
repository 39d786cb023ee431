package fi.kanava.queue;

import fi.kanava.access.AccessPolicy.Actor;
import fi.kanava.auth.Principal;
import fi.kanava.conversation.ChatMetrics;
import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.ConversationState;
import fi.kanava.conversation.ConversationStore;
import fi.kanava.conversation.ConversationStore.NewConversation;
import fi.kanava.conversation.Conversations;
import fi.kanava.conversation.Outcome;
import fi.kanava.conversation.Urgency;
import fi.kanava.infra.AbuseMetrics;
import fi.kanava.infra.AddressLimiter;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A patient entering a queue (after the questionnaire) and leaving it. Entering checks the
 * client address's entry rate, then opening hours, language, municipality, identification, and
 * under the queue's lock the patient's open conversation there, the open conversations of
 * anonymous patients from the same address, and the queue's length; an immediate need is
 * recorded as redirected to urgent care and never queued.
 */
public final class QueueEntry {
  private final Pool pool;
  private final Clock clock;
  private final Queues queues;
  private final Conversations conversations;
  private final WaitingLists waiting;
  private final Routing routing;
  private final ChatMetrics metrics;
  private final AddressLimiter entryRate;
  private final OpenPerAddress openPerAddress;

  public QueueEntry(Pool pool, Clock clock, Queues queues, Conversations conversations, WaitingLists waiting, Routing routing,
      ChatMetrics metrics, AddressLimiter entryRate, KanavaConfig.Abuse abuse, AbuseMetrics abuseMetrics) {
    this.pool = pool;
    this.clock = clock;
    this.queues = queues;
    this.conversations = conversations;
    this.waiting = waiting;
    this.routing = routing;
    this.metrics = metrics;
    this.entryRate = entryRate;
    this.openPerAddress = new OpenPerAddress(clock, abuse.openConversationsPerAddress(), abuse.trackedAddresses(), abuseMetrics);
  }

  /** The result of {@code queue.enter}: a queued conversation, or an emergency (not queued). */
  public record Entered(ConversationRecord conversation, boolean emergency) {}

  /** Enters from {@code address} (see {@link fi.kanava.infra.ClientAddresses}); a refusal changes nothing. */
  public Future<Entered> enter(Principal patient, String address, QueueSockets.Enter request) {
    entryRate.acquire(address);
    Instant now = clock.instant();
    return queues.get(request.queueId())
        .compose(queue -> pool.preparedQuery("select kind from patient where id = $1").execute(Tuple.of(patient.id()))
            .compose(rows -> {
              String kind = rows.iterator().next().getString(0);
              boolean anonymous = !"identified".equals(kind);
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
              return insert(patient, anonymous ? address : null, queue, request, assessment.urgency(), triage, now);
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

  private static void refuseUnlessAdmissible(QueueSettings queue, String patientKind, QueueSockets.Enter request, Instant now) {
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

  /** {@code anonymousFrom}: the address of an anonymous patient (their open conversations per address are capped), else null. */
  private Future<Entered> insert(Principal patient, String anonymousFrom, QueueSettings queue, QueueSockets.Enter request, Urgency urgency,
      JsonArray triage, Instant now) {
    UUID id = UUID.randomUUID();
    boolean emergency = urgency == Urgency.IMMEDIATE;
    NewConversation conversation = new NewConversation(id, queue.id(), patient.id(),
        emergency ? ConversationState.CLOSED : ConversationState.QUEUED, urgency.code(), urgency.rank(), request.language(),
        request.municipality(), request.answers(), triage, now, emergency ? Outcome.REDIRECTED_TO_URGENT_CARE : null);
    if (emergency) {
      return pool.withTransaction(tx -> ConversationStore.insert(tx, conversation).compose(v -> ConversationStore.load(tx, id, false)))
          .map(c -> new Entered(c, true));
    }
    AtomicReference<OpenPerAddress.Slot> slot = new AtomicReference<>();
    return pool.withTransaction(tx -> tx.preparedQuery("select " + Queues.lockQueue("$1::text"))
            .execute(Tuple.of(queue.id()))
            .compose(v -> queues.isArchived(tx, queue.id()))
            .compose(archived -> archived
                ? Future.failedFuture(ApiError.conflict("queue_archived", "This service is no longer offered here"))
                : tx.preparedQuery("select id from conversation where patient_id = $1 and queue_id = $2 and state <> 'closed' and visit_id is null")
                .execute(Tuple.of(patient.id(), queue.id())))
            .compose(rows -> rows.size() > 0
                ? Future.failedFuture(ApiError.conflict("already_in_queue", "You already have an open conversation in this queue")
                    .with("conversationId", rows.iterator().next().getUUID(0).toString()))
                : anonymousFrom == null ? Future.succeededFuture() : openPerAddress.reserve(tx, anonymousFrom).map(held -> {
                  slot.set(held);
                  return null;
                }))
            .compose(v -> tx.preparedQuery("select count(*) from conversation where queue_id = $1 and state = 'queued'").execute(Tuple.of(queue.id())))
            .compose(rows -> rows.iterator().next().getLong(0) >= queue.maxLength()
                ? Future.failedFuture(ApiError.conflict("queue_full", "The queue is full; please try again later"))
                : ConversationStore.insert(tx, conversation))
            .compose(v -> ConversationStore.load(tx, id, false)))
        .andThen(done -> {
          OpenPerAddress.Slot held = slot.get();
          if (held != null && done.succeeded()) {
            held.entered(id);
          } else if (held != null) {
            held.release();
          }
        })
        .map(c -> new Entered(c, false));
  }

  /** The patient leaves while waiting (also while only offered): closed as abandoned. */
  public Future<ConversationRecord> leave(Principal patient, UUID id) {
    return conversations.closeAs(Actor.of(patient), "leave", id, c -> c.isQueued() || (c.isActive() && c.acceptedAt() == null)
        ? null
        : ApiError.conflict("not_waiting", "Only a waiting conversation can be left"), Outcome.ABANDONED, null);
  }
}
