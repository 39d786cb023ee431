package fi.kanava.transfer;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.auth.Principal;
import fi.kanava.conversation.Author;
import fi.kanava.conversation.ConversationEvents;
import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.ConversationStore;
import fi.kanava.conversation.Conversations;
import fi.kanava.conversation.SystemMessage;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.queue.Routing;
import fi.kanava.transfer.TransferFrames.Target;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transfers of a conversation by its assigned professional to another queue or a named
 * professional, with an ISBAR handover note; the receiver's decline and the personal queue's time
 * limit return it to the sender; the patient's consent decides how much of the earlier thread the
 * receiver reads (the access policy's history cut). Each change is one transaction on the locked
 * conversation ({@link Conversations#locked}); frames and events go out after commit.
 */
public final class Transfers {
  private static final Logger log = LoggerFactory.getLogger(Transfers.class);

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Conversations conversations;
  private final AccessGuard guard;
  private final Routing routing;
  private final TransferMetrics metrics;
  private final KanavaConfig.Transfer config;

  public Transfers(Vertx vertx, Pool pool, Clock clock, Conversations conversations, AccessGuard guard, Routing routing,
      TransferMetrics metrics, KanavaConfig.Transfer config) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.conversations = conversations;
    this.guard = guard;
    this.routing = routing;
    this.metrics = metrics;
    this.config = config;
  }

  /** What a transfer committed, for what goes out after. */
  private record Made(UUID transferId, ConversationRecord before, Target target, JsonObject note, JsonObject system, Instant expiresAt,
      Instant answerBy, List<io.vertx.sqlclient.Row> pickedUp) {}

  /** The assigned professional transfers the conversation. */
  public Future<TransferFrames.Requested> request(Author author, TransferFrames.Request f) {
    Instant now = clock.instant();
    UUID me = author.principal().id();
    UUID transferId = UUID.randomUUID();
    return conversations.locked(author.actor(), ConversationAction.WRITE, "transfer", f.conversationId(),
            c -> me.equals(c.assignedTo()) && c.acceptedAt() != null ? null
                : new ApiError(403, "not_assigned", "Only the assigned professional transfers the conversation"),
            (tx, c) -> target(tx, author.principal(), c, f)
                .compose(target -> conversations.note(tx, c.id(), author, f.note().asText(), now)
                    .compose(note -> conversations.systemMessage(tx, c.id(),
                            f.toQueue() != null ? SystemMessage.TRANSFERRED_TO_QUEUE : SystemMessage.TRANSFERRED_TO_PROFESSIONAL, now)
                        .compose(system -> {
                          Instant expiresAt = f.toProfessional() == null ? null : now.plus(config.personalQueueTimeout());
                          Instant answerBy = now.plus(config.consentTimeout());
                          // the transfer that brought it to the caller from a queue, not yet counted by a sweep, is picked up now
                          return TransferStore.pickedUpFromQueues(tx, c.id()).compose(picked -> ConversationStore.transfer(tx, c.id(),
                                  f.toQueue() != null ? f.toQueue() : c.queueId(), f.toProfessional(), me, now)
                              .compose(v -> TransferStore.insert(tx, transferId, c.id(), me, c.queueId(), f.toQueue(), f.toProfessional(),
                                  f.note(), note.getLong("seq"), now, expiresAt, answerBy))
                              .map(v -> new Made(transferId, c, target, note, system, expiresAt, answerBy, picked)));
                        }))))
        .compose(made -> {
          UUID id = f.conversationId();
          ConversationRecord c = made.before();
          String targetLabel = f.toQueue() != null ? f.toQueue() : TransferMetrics.PERSONAL;
          pickedUp(made.pickedUp());
          metrics.counted(c.queueId(), targetLabel, "requested");
          conversations.published(id, made.note());
          conversations.published(id, made.system());
          vertx.eventBus().publish(ConversationEvents.forPatient(id), new JsonObject().put("event", "transfer")
              .put("frame", ServerFrames.toJson(new TransferFrames.Started(id.toString(), made.transferId().toString(), made.target(),
                  made.answerBy()))));
          if (f.toProfessional() != null) {
            SocketEvents.toPrincipal(vertx.eventBus(), f.toProfessional(), ServerFrames.toJson(new TransferFrames.Offered(id.toString(),
                made.transferId().toString(), author.name(), author.role(), f.note(), made.expiresAt())));
          }
          log.info("Conversation {} transferred by {} from {} to {}", id, me, c.queueId(),
              f.toQueue() != null ? f.toQueue() : "professional " + f.toProfessional());
          return guard.record(Optional.of(author.principal()), "transfer.request", id, c.patientId(), "transfer", "assigned")
              .compose(v -> conversations.load(id))
              .map(now2 -> {
                conversations.stateChanged(now2);
                if (f.toQueue() != null) {
                  // its waiting list changes even when nobody is assigned (a pick queue): consoles list it to take
                  routing.arrived(f.toQueue()).onFailure(e -> log.warn("Could not route queue {} after a transfer", f.toQueue(), e));
                }
                return new TransferFrames.Requested(id.toString(), made.transferId().toString(), made.target());
              });
        });
  }

  /** Checks the target (inside the transaction) and says what the patient is told of it. */
  private Future<Target> target(io.vertx.sqlclient.SqlClient tx, Principal sender, ConversationRecord c, TransferFrames.Request f) {
    String ownOrganisation = sender.organisationId().orElse(null);
    if (f.toQueue() != null) {
      if (f.toQueue().equals(c.queueId())) {
        return Future.failedFuture(ApiError.conflict("same_queue", "The conversation is already in that queue"));
      }
      return TransferStore.queue(tx, f.toQueue()).compose(q -> {
        if (q == null) {
          return Future.failedFuture(ApiError.notFound("unknown_queue", "No such queue"));
        }
        if (q.archived()) {
          return Future.failedFuture(ApiError.conflict("queue_closed", "The queue takes no new conversations"));
        }
        return otherOrganisation(tx, c, ownOrganisation, q.organisationId())
            .compose(v -> c.patientId() == null ? Future.succeededFuture(false)
                : ConversationStore.patientOpenIn(tx, c.patientId(), f.toQueue(), c.id()))
            .compose(twice -> twice ? Future.failedFuture(ApiError.conflict("already_in_queue", "The patient already waits in that queue"))
                : Future.succeededFuture(new Target("queue", f.toQueue(), null, null)));
      });
    }
    if (f.toProfessional().equals(sender.id())) {
      return Future.failedFuture(ApiError.badRequest("transfer_to_self", "A conversation is not transferred to oneself"));
    }
    return TransferStore.professional(tx, f.toProfessional()).compose(p -> {
      if (p == null || !p.enabled()) {
        return Future.failedFuture(ApiError.notFound("unknown_professional", "No such professional"));
      }
      return otherOrganisation(tx, c, ownOrganisation, p.organisationId())
          .map(v -> new Target("professional", null, p.name(), p.role()));
    });
  }

  /**
   * A transfer to another organisation requires the patient's consent: refused ({@code
   * consent_required}) unless the patient has allowed the earlier messages to be shown in this
   * conversation and not taken it back.
   */
  private static Future<Void> otherOrganisation(io.vertx.sqlclient.SqlClient tx, ConversationRecord c, String own, String target) {
    if (target == null || target.equals(own)) {
      return Future.succeededFuture();
    }
    return TransferStore.consentOnRecord(tx, c.id()).compose(granted -> granted ? Future.succeededFuture()
        : Future.failedFuture(ApiError.conflict("consent_required", "A transfer to another organisation needs the patient's consent")));
  }

  /** The named receiver accepts: the conversation is theirs. */
  public Future<TransferFrames.Accepted> accept(Author author, UUID conversationId) {
    Instant now = clock.instant();
    UUID me = author.principal().id();
    return conversations.locked(author.actor(), ConversationAction.READ, "transfer_accept", conversationId,
            c -> me.equals(c.heldFor()) ? null : ApiError.conflict("no_pending_transfer", "No transfer of this conversation waits for you"),
            (tx, c) -> TransferStore.latest(tx, conversationId).compose(t -> ConversationStore.acceptHeld(tx, conversationId, me, now)
                .compose(v -> TransferStore.resolve(tx, t.id(), "accepted", me, null, now))
                .compose(v -> conversations.systemMessage(tx, conversationId, SystemMessage.PROFESSIONAL_JOINED, now))
                .map(frame -> new Object[] {t, frame})))
        .compose(done -> {
          TransferStore.Transfer t = (TransferStore.Transfer) done[0];
          metrics.counted(t.fromQueue(), t.targetLabel(), "accepted");
          metrics.pickedUp(Duration.between(t.createdAt(), now));
          conversations.published(conversationId, (JsonObject) done[1]);
          // the sender's console shows the transfer as waiting until now
          SocketEvents.toPrincipal(vertx.eventBus(), t.fromAccount(),
              ServerFrames.toJson(new TransferFrames.Accepted(conversationId.toString(), t.id().toString())));
          return conversations.load(conversationId).map(c -> {
            conversations.stateChanged(c);
            return new TransferFrames.Accepted(conversationId.toString(), t.id().toString());
          });
        });
  }

  /**
   * The receiver declines with a reason: the named receiver while it waits for them, or the
   * professional who took it from the target queue. It returns to the sender, theirs at once.
   */
  public Future<Void> decline(Author author, TransferFrames.Decline f) {
    UUID me = author.principal().id();
    return giveBack(author.principal(), author.actor(), f.conversationId(), "declined", f.reason(), t -> {
      return null;
    }, c -> me.equals(c.heldFor()) || (me.equals(c.assignedTo()) && c.isActive()) ? null
        : ApiError.conflict("no_pending_transfer", "No transfer of this conversation is yours to decline"));
  }

  /** Returns the conversation of the latest transfer to its sender ({@code declined} or {@code lapsed}). */
  private Future<Void> giveBack(Principal by, fi.kanava.access.AccessPolicy.Actor actor, UUID conversationId, String outcome,
      String reason, java.util.function.Function<TransferStore.Transfer, ApiError> transferCheck,
      java.util.function.Function<ConversationRecord, ApiError> precondition) {
    Instant now = clock.instant();
    return conversations.locked(actor, ConversationAction.READ, "transfer_" + outcome, conversationId,
            c -> c.isClosed() ? AccessGuard.conversationClosed() : precondition.apply(c),
            (tx, c) -> TransferStore.latest(tx, conversationId).compose(t -> {
              boolean open = t != null && (t.state().equals("pending") || (t.state().equals("accepted") && t.toQueue() != null));
              if (!open || (c.heldFor() == null && c.assignedTo() != null && !"declined".equals(outcome))) {
                return Future.failedFuture(ApiError.conflict("no_pending_transfer", "No transfer of this conversation is open"));
              }
              UUID receiver = c.heldFor() != null ? c.heldFor() : c.assignedTo();
              // back in the queue it came from, unless the patient has opened another conversation there meanwhile
              // (one open conversation per patient and queue): then it stays, with the sender, in the queue it is in
              Future<String> home = c.patientId() == null || t.fromQueue().equals(c.queueId()) ? Future.succeededFuture(t.fromQueue())
                  : ConversationStore.patientOpenIn(tx, c.patientId(), t.fromQueue(), conversationId)
                      .map(taken -> taken ? c.queueId() : t.fromQueue());
              return home.compose(queueId -> ConversationStore.returnTo(tx, conversationId, queueId, t.fromAccount(), receiver, now))
                  .compose(v -> TransferStore.resolve(tx, t.id(), outcome, by == null ? null : by.id(), reason, now))
                  .compose(v -> conversations.systemMessage(tx, conversationId, SystemMessage.TRANSFER_RETURNED, now))
                  .map(frame -> new Object[] {t, frame, c, receiver});
            }))
        .compose(done -> {
          TransferStore.Transfer t = (TransferStore.Transfer) done[0];
          ConversationRecord before = (ConversationRecord) done[2];
          UUID receiver = (UUID) done[3];
          metrics.counted(t.fromQueue(), t.targetLabel(), outcome);
          conversations.published(conversationId, (JsonObject) done[1]);
          SocketEvents.toPrincipal(vertx.eventBus(), t.fromAccount(), ServerFrames.toJson(new TransferFrames.Returned(conversationId.toString(),
              t.id().toString(), outcome, reason)));
          if (receiver != null && by == null) {
            ConversationEvents.withdrawn(vertx.eventBus(), receiver, conversationId, "transfer_lapsed");
          }
          log.info("Transfer {} of conversation {} {}; back with {}", t.id(), conversationId, outcome, t.fromAccount());
          String action = "transfer." + (outcome.equals("declined") ? "decline" : "lapse");
          // a lapse is the sweep's doing: the system is its actor
          return (by == null ? guard.recordBySystem(action, conversationId, before.patientId(), "transfer", outcome)
                  : guard.record(Optional.of(by), action, conversationId, before.patientId(), "transfer", outcome))
              .compose(v -> conversations.load(conversationId))
              .map(c -> {
                conversations.stateChanged(c);
                return null;
              });
        });
  }

  /**
   * The patient answers (or changes their answer): granted shows the earlier messages to those who
   * received the conversation; refused hides them again. Recorded with who, when and how; audited.
   */
  public Future<TransferFrames.ConsentRecorded> consent(Principal patient, TransferFrames.Consent f) {
    Instant now = clock.instant();
    String consent = f.granted() ? "granted" : "refused";
    return conversations.authorized(patient, f.conversationId(), ConversationAction.READ, "transfer_consent")
        .compose(c -> pool.withTransaction(tx -> TransferStore.get(tx, f.transferId()).compose(t -> t == null
                || !t.conversationId().equals(c.id())
                ? Future.failedFuture(ApiError.notFound("unknown_transfer", "No such transfer of this conversation"))
                : TransferStore.consent(tx, t.id(), consent, "patient", now)))
            .compose(v -> guard.record(Optional.of(patient), "transfer.consent", c.id(), c.patientId(), "transfer_consent", consent))
            .compose(v -> conversations.load(c.id())))
        .map(c -> {
          conversations.historyScopeChanged(c);
          return new TransferFrames.ConsentRecorded(f.conversationId().toString(), f.transferId().toString(), consent, now);
        });
  }

  /** Counts transfers to queues that were picked up (rows of {@link TransferStore#pickedUpFromQueues}). */
  private void pickedUp(List<io.vertx.sqlclient.Row> picked) {
    for (var row : picked) {
      metrics.counted(row.getString("from_queue"), row.getString("to_queue"), "accepted");
      metrics.pickedUp(Duration.between(row.getOffsetDateTime("created_at").toInstant(), row.getOffsetDateTime("resolved_at").toInstant()));
    }
  }

  /** One pass of the time rules: transfers picked up from queues are counted, lapsed personal transfers return, unanswered consent expires. */
  public Future<Void> sweep() {
    Instant now = clock.instant();
    return TransferStore.pickedUpFromQueues(pool, null)
        .compose(picked -> {
          pickedUp(picked);
          return TransferStore.lapsed(pool, now);
        })
        .compose(lapsed -> {
          List<Future<Void>> back = new ArrayList<>();
          lapsed.forEach(t -> back.add(giveBack(null, null, t.conversationId(), "lapsed", null, x -> null,
              c -> t.toAccount().equals(c.heldFor()) ? null : ApiError.conflict("no_pending_transfer", "Not waiting any more"))
              .recover(e -> {
                log.info("Transfer {} did not lapse: {}", t.id(), e.getMessage());
                return Future.succeededFuture();
              })));
          return Future.join(back).mapEmpty();
        })
        .compose(v -> TransferStore.expireConsents(pool, now))
        .compose(expired -> {
          List<Future<Void>> audits = new ArrayList<>();
          for (var row : expired) {
            UUID conversationId = row.getUUID("conversation_id");
            audits.add(conversations.load(conversationId).compose(c -> {
              conversations.stateChanged(c);
              return guard.recordBySystem("transfer.consent", conversationId, c.patientId(), "transfer_consent", "expired");
            }));
          }
          return Future.join(audits).mapEmpty();
        });
  }
}
