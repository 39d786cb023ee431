package fi.kanava.consult;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.Actor;
import fi.kanava.access.AccessPolicy.ConsultationAction;
import fi.kanava.access.AccessPolicy.ConsultationFacts;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.auth.Principal;
import fi.kanava.consult.ConsultFrames.Urgency;
import fi.kanava.consult.ConsultStore.Consultation;
import fi.kanava.conversation.Author;
import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.ConversationState;
import fi.kanava.conversation.ConversationStore;
import fi.kanava.conversation.ConversationStore.NewConversation;
import fi.kanava.conversation.Conversations;
import fi.kanava.conversation.ParticipantKind;
import fi.kanava.conversation.Participants;
import fi.kanava.conversation.SystemMessage;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.transfer.TransferStore;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consultations between professionals: a professional-only thread (a conversation without a
 * patient, whose participants are the requester and the consultant) and its {@code consultation}
 * row, optionally linked to a patient's case. Who may act is decided by the access policy's
 * consultation rules; the thread and the case are read and written through the conversation
 * rules: after accepting, the consultant reads the case as an {@code observer} participant (read
 * only), and joins it as a {@code consultant} (who writes, and the patient is told), audited, within
 * the patient's consent-scoped history. Frames go out after commit.
 */
public final class Consultations {
  private static final Logger log = LoggerFactory.getLogger(Consultations.class);

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Conversations conversations;
  private final AccessGuard guard;
  private final ConsultMetrics metrics;
  private final KanavaConfig.Consult config;

  public Consultations(Vertx vertx, Pool pool, Clock clock, Conversations conversations, AccessGuard guard, ConsultMetrics metrics,
      KanavaConfig.Consult config) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.conversations = conversations;
    this.guard = guard;
    this.metrics = metrics;
    this.config = config;
  }

  /** A checked target: a consult queue or a named colleague. */
  private record Target(ConsultStore.QueueTarget queue, TransferStore.ProfessionalTarget colleague) {
    String organisationId() {
      return queue != null ? queue.organisationId() : colleague.organisationId();
    }
  }

  // --- opening ---------------------------------------------------------------------------------------------

  public Future<ConsultFrames.Opened> open(Author author, ConsultFrames.Open f) {
    Instant now = clock.instant();
    Principal me = author.principal();
    if (me.id().equals(f.toAccountId())) {
      return Future.failedFuture(ApiError.badRequest("consult_self", "A consultation is not asked of oneself"));
    }
    Urgency urgency = f.level();
    UUID id = UUID.randomUUID();
    UUID threadId = UUID.randomUUID();
    // the case first: someone not entitled to it learns nothing of the target
    return theCase(author.actor(), f.caseConversationId())
        .compose(theCase -> target(f).compose(target -> otherOrganisation(me, theCase, target).map(target)).compose(target -> {
          Instant dueAt = urgency == Urgency.URGENT ? null
              : target.queue() != null ? now.plus(Duration.ofMinutes(target.queue().responseMinutes()))
              : now.plus(config.namedResponseTarget());
          String language = theCase == null ? "fi" : theCase.language();
          fi.kanava.conversation.Urgency threadUrgency =
              urgency == Urgency.URGENT ? fi.kanava.conversation.Urgency.SAME_DAY : fi.kanava.conversation.Urgency.NON_URGENT;
          return pool.withTransaction(tx -> ConversationStore.insert(tx, new NewConversation(threadId, null, null, ConversationState.ACTIVE,
                      threadUrgency.code(), threadUrgency.rank(), language, null, Map.of(), new JsonArray(), now, null))
                  .compose(v -> Participants.join(tx, threadId, ParticipantKind.CONSULTANT, me.id(), now))
                  .compose(v -> ConsultStore.insert(tx, id, threadId, f.caseConversationId(), me.id(), f.queueId(), f.toAccountId(),
                      urgency.code(), f.isbar(), now, dueAt))
                  .compose(v -> conversations.note(tx, threadId, author, f.isbar().asText(), now)))
              .compose(note -> {
                conversations.published(threadId, note);
                return ConsultStore.get(pool, id, false);
              });
        }))
        .compose(k -> {
          metrics.opened(k.queueLabel(), k.urgency());
          JsonObject json = k.toJson();
          targets(k).onSuccess(to -> tell(to, me.id(), new ConsultFrames.Offer(json, urgency == Urgency.URGENT)));
          log.info("Consultation {} ({}) opened by {} to {}, thread {}", id, urgency.code(), me.id(),
              k.queueId() != null ? k.queueId() : "colleague " + k.toAccountId(), threadId);
          return guard.recordConsultation(Optional.of(me), "consultation.open", id, k.casePatientId(), "consultation", "requester")
              .map(v -> new ConsultFrames.Opened(json));
        });
  }

  private Future<Target> target(ConsultFrames.Open f) {
    if (f.queueId() != null) {
      return ConsultStore.queue(pool, f.queueId()).compose(q -> {
        if (q == null) {
          return Future.failedFuture(ApiError.notFound("unknown_queue", "No such queue"));
        }
        if (!q.consult()) {
          return Future.failedFuture(ApiError.conflict("not_consult_queue", "That queue serves patients, not consultations"));
        }
        if (q.archived()) {
          return Future.failedFuture(ApiError.conflict("queue_closed", "The queue takes no new consultations"));
        }
        return Future.succeededFuture(new Target(q, null));
      });
    }
    return TransferStore.professional(pool, f.toAccountId()).compose(p -> p == null || !p.enabled()
        ? Future.failedFuture(ApiError.notFound("unknown_professional", "No such professional"))
        : Future.succeededFuture(new Target(null, p)));
  }

  /**
   * A consultation about a patient's case to another organisation (its consult queue or one of its
   * professionals) needs the patient's consent on record, as a transfer there does: the consultant
   * would read the case. Without a case only the ISBAR request goes, which the requester writes.
   */
  private Future<Void> otherOrganisation(Principal me, ConversationRecord theCase, Target target) {
    String own = me.organisationId().orElse(null);
    if (theCase == null || target.organisationId() == null || target.organisationId().equals(own)) {
      return Future.succeededFuture();
    }
    return TransferStore.consentOnRecord(pool, theCase.id()).compose(granted -> granted ? Future.<Void>succeededFuture()
        : Future.failedFuture(ApiError.conflict("consent_required", "A consultation with another organisation about a patient needs the patient's consent")));
  }

  /** The linked case, read through the guard (audited); it must be open. Null without one. */
  private Future<ConversationRecord> theCase(Actor actor, UUID caseId) {
    if (caseId == null) {
      return Future.succeededFuture(null);
    }
    return conversations.authorized(actor, caseId, ConversationAction.READ, "consultation")
        .compose(c -> c.isClosed() ? Future.failedFuture(AccessGuard.conversationClosed())
            : c.patientId() == null ? Future.failedFuture(ApiError.badRequest("not_a_case", "A consultation's case is a patient's conversation"))
            : Future.succeededFuture(c));
  }

  // --- accepting, joining, taking over, closing ------------------------------------------------------------

  public Future<ConsultFrames.Updated> accept(Author author, UUID id) {
    Instant now = clock.instant();
    UUID me = author.principal().id();
    return entitled(author, id, ConsultationAction.ACCEPT, "consultation_accept", k -> k.isWaiting() ? null
            : ApiError.conflict("already_accepted", "Someone has accepted the consultation"))
        .compose(k -> pool.withTransaction(tx -> ConsultStore.get(tx, id, true).compose(locked -> {
          if (!locked.isWaiting()) {
            return Future.failedFuture(locked.isClosed() ? closed() : ApiError.conflict("already_accepted", "Someone has accepted the consultation"));
          }
          return ConsultStore.accept(tx, id, me, now)
              .compose(v -> Participants.join(tx, locked.threadId(), ParticipantKind.CONSULTANT, me, now))
              .compose(v -> locked.caseId() == null ? Future.succeededFuture()
                  // the case is read, not written, until the consultant joins it and the patient is told who joined
                  : ConversationStore.load(tx, locked.caseId(), false).compose(c -> c.isClosed() ? Future.succeededFuture()
                      : Participants.join(tx, locked.caseId(), ParticipantKind.OBSERVER, me, now)));
        })).map(k))
        .compose(k -> {
          metrics.responded(k.queueLabel(), k.urgency(), Duration.between(k.createdAt(), now));
          log.info("Consultation {} accepted by {}", id, me);
          return changed(k.threadId(), k.caseId()).compose(v -> updated(id, me, true));
        });
  }

  public Future<ConsultFrames.Updated> join(Author author, UUID id) {
    Instant now = clock.instant();
    return entitled(author, id, ConsultationAction.JOIN, "consultation_join", ConsultClosedOrNoCase::check)
        .compose(k -> k.joinedAt() != null ? Future.succeededFuture()
            : conversations.locked(author.actor(), ConversationAction.READ, "consultation_join", k.caseId(),
                    c -> c.isClosed() ? AccessGuard.conversationClosed() : null,
                    (tx, c) -> Participants.leave(tx, c.id(), ParticipantKind.OBSERVER, author.principal().id(), now)
                        .compose(v -> Participants.join(tx, c.id(), ParticipantKind.CONSULTANT, author.principal().id(), now))
                        .compose(v -> conversations.systemMessageAbout(tx, c.id(), SystemMessage.CONSULTANT_JOINED, author, now))
                        .compose(frame -> ConsultStore.joined(tx, id, now).map(frame)))
                .compose(frame -> {
                  conversations.published(k.caseId(), frame);
                  log.info("Consultant {} of consultation {} joined conversation {}", author.principal().id(), id, k.caseId());
                  return changed(null, k.caseId());
                }))
        .compose(v -> updated(id, author.principal().id(), false));
  }

  public Future<ConsultFrames.Updated> takeOver(Author author, UUID id) {
    Instant now = clock.instant();
    UUID me = author.principal().id();
    return entitled(author, id, ConsultationAction.TAKE_OVER, "consultation_takeover", ConsultClosedOrNoCase::check)
        .compose(k -> conversations.locked(author.actor(), ConversationAction.READ, "consultation_takeover", k.caseId(),
                c -> c.isClosed() ? AccessGuard.conversationClosed()
                    : !c.isActive() ? ApiError.conflict("case_not_active", "Only a conversation someone is serving is taken over")
                    : me.equals(c.assignedTo()) ? ApiError.conflict("already_assigned", "The conversation is already yours") : null,
                (tx, c) -> ConversationStore.returnTo(tx, c.id(), c.queueId(), me, c.assignedTo(), now)
                    .compose(v -> Participants.leave(tx, c.id(), ParticipantKind.CONSULTANT, me, now))
                    .compose(v -> Participants.leave(tx, c.id(), ParticipantKind.OBSERVER, me, now))
                    .compose(v -> conversations.systemMessageAbout(tx, c.id(), SystemMessage.CONSULTANT_TOOK_OVER, author, now))
                    .compose(frame -> ConsultStore.joined(tx, id, now).map(frame)))
            .compose(frame -> {
              conversations.published(k.caseId(), frame);
              log.info("Consultant {} of consultation {} took conversation {} over", me, id, k.caseId());
              return changed(null, k.caseId());
            }))
        .compose(v -> updated(id, me, false));
  }

  public Future<ConsultFrames.Updated> close(Author author, ConsultFrames.Close f) {
    Instant now = clock.instant();
    UUID me = author.principal().id();
    return entitled(author, f.consultationId(), ConsultationAction.CLOSE, "consultation_close", k -> null)
        .compose(k -> conversations.locked(author.actor(), ConversationAction.WRITE, "consultation_close", k.threadId(),
                c -> c.isClosed() ? closed() : null,
                (tx, c) -> ConsultStore.get(tx, k.id(), true).compose(locked -> locked.isClosed() ? Future.failedFuture(closed())
                    : ConsultStore.close(tx, k.id(), me, f.answer(), now)
                        .compose(v -> conversations.note(tx, c.id(), author, f.answer(), now))
                        .compose(note -> ConversationStore.close(tx, c.id(), "resolved", null, now)
                            // the consultant reads the case for the consultation only, unless they joined the conversation
                            .compose(v -> locked.caseId() == null || locked.consultantId() == null || locked.joinedAt() != null
                                ? Future.succeededFuture()
                                : Participants.leave(tx, locked.caseId(), ParticipantKind.OBSERVER, locked.consultantId(), now))
                            .map(note))))
            .compose(note -> {
              conversations.published(k.threadId(), note);
              log.info("Consultation {} closed by {}", k.id(), me);
              return changed(k.threadId(), k.caseId());
            }))
        .compose(v -> updated(f.consultationId(), me, true));
  }

  /** The consultation, once the policy allows the action (audited either way) and {@code precondition} holds. */
  private Future<Consultation> entitled(Author author, UUID id, ConsultationAction action, String purpose,
      java.util.function.Function<Consultation, ApiError> precondition) {
    return ConsultStore.get(pool, id, false).compose(k -> {
      if (k == null) {
        return Future.failedFuture(ApiError.notFound("consultation_not_found", "No such consultation"));
      }
      return guard.requireConsultation(author.actor(), action, id, facts(k), k.casePatientId(), purpose).compose(v -> {
        if (k.isClosed()) {
          return Future.failedFuture(closed());
        }
        ApiError unmet = precondition.apply(k);
        return unmet == null ? Future.succeededFuture(k) : Future.failedFuture(unmet);
      });
    });
  }

  /** Join and take-over need an open consultation with a case. */
  private static final class ConsultClosedOrNoCase {
    static ApiError check(Consultation k) {
      return k.caseId() == null ? ApiError.conflict("no_case", "The consultation is not linked to a patient's conversation") : null;
    }
  }

  private static ConsultationFacts facts(Consultation k) {
    return new ConsultationFacts(k.requesterId(), k.queueId(), k.toAccountId(), Optional.ofNullable(k.consultantId()));
  }

  private static ApiError closed() {
    return ApiError.conflict("consultation_closed", "The consultation is closed");
  }

  /** After commit: the watchers of the thread and of the case learn their new state (and so the new access facts). */
  private Future<Void> changed(UUID threadId, UUID caseId) {
    List<Future<Void>> loads = new ArrayList<>();
    for (UUID conversationId : new UUID[] {threadId, caseId}) {
      if (conversationId != null) {
        loads.add(conversations.load(conversationId).map(c -> {
          conversations.stateChanged(c);
          return null;
        }));
      }
    }
    return Future.all(loads).mapEmpty();
  }

  /** The consultation as it is now: to its requester, consultant and targets (not the actor, who gets it as the reply). */
  private Future<ConsultFrames.Updated> updated(UUID id, UUID actor, boolean toTargets) {
    return ConsultStore.get(pool, id, false).compose(k -> {
      ConsultFrames.Updated frame = new ConsultFrames.Updated(k.toJson());
      Set<UUID> to = new LinkedHashSet<>();
      to.add(k.requesterId());
      if (k.consultantId() != null) {
        to.add(k.consultantId());
      }
      Future<List<UUID>> targets = toTargets ? targets(k) : Future.succeededFuture(List.of());
      return targets.map(more -> {
        to.addAll(more);
        tell(to, actor, frame);
        return frame;
      });
    });
  }

  /** Who a consultation goes to: the members of its consult queue, or the named colleague. */
  private Future<List<UUID>> targets(Consultation k) {
    return k.queueId() == null ? Future.succeededFuture(List.of(k.toAccountId())) : ConsultStore.members(pool, k.queueId());
  }

  private void tell(java.util.Collection<UUID> to, UUID except, ServerFrame frame) {
    JsonObject json = ServerFrames.toJson(frame);
    for (UUID account : to) {
      if (!account.equals(except)) {
        SocketEvents.toPrincipal(vertx.eventBus(), account, json);
      }
    }
  }

  // --- the response target ---------------------------------------------------------------------------------

  /** One pass of the time rule: each open non-urgent consultation past its due time is flagged once, told and counted. */
  public Future<Void> sweep() {
    return ConsultStore.breach(pool, clock.instant()).compose(ids -> {
      List<Future<Void>> told = new ArrayList<>();
      for (UUID id : ids) {
        told.add(ConsultStore.get(pool, id, false).compose(k -> {
          metrics.breached(k.queueLabel());
          log.info("Consultation {} to {} passed its due time {} unanswered", id, k.queueLabel(), k.dueAt());
          return targets(k).compose(to -> {
            Set<UUID> all = new LinkedHashSet<>(to);
            all.add(k.requesterId());
            tell(all, null, new ConsultFrames.Breached(k.toJson()));
            return guard.recordConsultation(Optional.empty(), "consultation.breach", id, k.casePatientId(), "consultation_sla", "breached");
          });
        }));
      }
      return Future.join(told).mapEmpty();
    });
  }

  // --- lists -----------------------------------------------------------------------------------------------

  /** {@code queue}: what waits for the professional; {@code mine}: what they asked or accepted. Every listed consultation is audited. */
  public Future<JsonArray> list(Principal principal, String view) {
    if (principal.role().filter(r -> r.isCareProfessional()).isEmpty()) {
      return Future.failedFuture(ApiError.forbidden("Consultations are between care professionals"));
    }
    Future<List<Consultation>> found = "queue".equals(view) ? ConsultStore.queueView(pool, principal.id())
        : "mine".equals(view) ? ConsultStore.mine(pool, principal.id())
        : Future.failedFuture(ApiError.badRequest("invalid_view", "'view' must be 'queue' or 'mine'"));
    return found.compose(list -> {
      JsonArray out = new JsonArray();
      List<Future<Void>> audits = new ArrayList<>();
      for (Consultation k : list) {
        out.add(k.toJson());
        audits.add(guard.recordConsultation(Optional.of(principal), "consultation.list", k.id(), k.casePatientId(), "consultation_" + view,
            "listed"));
      }
      return Future.all(audits).map(out);
    });
  }

  /** The consult queues a care professional may ask (docs/protocol.md, {@code GET /api/consultations/queues}). */
  public Future<JsonArray> consultQueues(Principal principal) {
    if (principal.role().filter(r -> r.isCareProfessional()).isEmpty()) {
      return Future.failedFuture(ApiError.forbidden("Consultations are between care professionals"));
    }
    return ConsultStore.consultQueues(pool);
  }

  /** Every consult queue's label sets start at zero (at start). */
  public Future<Void> primeMetrics() {
    return pool.query("select id from queue where kind = 'consult'").execute().map(rows -> {
      rows.forEach(row -> metrics.known(row.getString(0)));
      return null;
    });
  }

  /** Makes a queue a consult queue with its response target (demo data). */
  public Future<Void> makeConsultQueue(String queueId, Duration responseTarget) {
    metrics.known(queueId);
    return ConsultStore.makeConsultQueue(pool, queueId, (int) responseTarget.toMinutes());
  }
}
