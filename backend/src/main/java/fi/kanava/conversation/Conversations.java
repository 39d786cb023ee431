package fi.kanava.conversation;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.Actor;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.access.AccessPolicy.ConversationFacts;
import fi.kanava.access.AccessPolicy.Decision;
import fi.kanava.auth.Principal;
import fi.kanava.auth.Profiles;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.infra.Timestamps;
import fi.kanava.ws.ServerFrames;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared core of every conversation: loading with the access check (the guard decides and
 * audits), the views, history, messages and read positions, closing, and the idle rules. Every
 * write is one transaction; events go on the bus only after commit. Queue entry, offers and
 * routing live in {@code queue}; they use this class, never the other way round: this class tells
 * them of closes with an event ({@link ConversationEvents#CLOSED}).
 */
public final class Conversations {
  private static final Logger log = LoggerFactory.getLogger(Conversations.class);
  /** How far past the stored counter a resuming client's sequence number is believed (see {@link #resumedPast}). */
  static final long MAX_RESUME_RAISE = 1000;

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final AccessGuard guard;
  private final QueuePlaces places;
  private final ChatMetrics metrics;
  private final KanavaConfig.Chat config;
  private final MessageSends sends;
  private final Function<UUID, Future<List<String>>> servedQueues;
  private final Profiles profiles;
  private final SequenceGuard seqs;
  private final Function<UUID, Future<Boolean>> partnerSeat;

  /**
   * {@code servedQueues} tells which queues a professional serves (the queue feature owns that
   * table), {@code partnerSeat} whether partner staff hold a seat (the referral feature's),
   * {@code profiles} their name and role; all are passed in so the core imports none of them.
   */
  public Conversations(Vertx vertx, Pool pool, Clock clock, AccessGuard guard, QueuePlaces places,
      Function<UUID, Future<List<String>>> servedQueues, Function<UUID, Future<Boolean>> partnerSeat, Profiles profiles,
      ChatMetrics metrics, KanavaConfig.Chat config, Duration writeBound) {
    this.servedQueues = servedQueues;
    this.partnerSeat = partnerSeat;
    this.profiles = profiles;
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.guard = guard;
    this.places = places;
    this.metrics = metrics;
    this.config = config;
    this.seqs = new SequenceGuard(vertx.eventBus(), metrics);
    this.sends = new MessageSends(vertx, pool, clock, guard, metrics, seqs, writeBound);
  }

  // --- reading --------------------------------------------------------------------------------------

  public Future<ConversationRecord> load(UUID id) {
    return ConversationStore.load(pool, id, false);
  }

  /** The actor with the queues they serve, as the access policy needs it. */
  public Future<Actor> actor(Principal principal) {
    if (principal.isPatient()) {
      return Future.succeededFuture(Actor.of(principal));
    }
    if (principal.hasRole(fi.kanava.auth.Role.PARTNER)) {
      return partnerSeat.apply(principal.id()).map(seated -> new Actor(principal, java.util.Set.of(), seated));
    }
    return servedQueues.apply(principal.id()).map(served -> new Actor(principal, new HashSet<>(served)));
  }

  /** Checks (and audits, with the purpose) access, then hands over the conversation. */
  public Future<ConversationRecord> authorized(Principal principal, UUID id, ConversationAction action, String purpose) {
    return actor(principal).compose(actor -> authorized(actor, id, action, purpose));
  }

  public Future<ConversationRecord> authorized(Actor actor, UUID id, ConversationAction action, String purpose) {
    return load(id).compose(c -> guard.require(actor, action, id, c.facts(), purpose).map(c));
  }

  /**
   * Refuses unless the policy allows the action, auditing the refusal; an allowed check is not
   * audited: for an action that reads nothing (declining an offer) or whose read is audited once
   * it has happened (accepting one).
   */
  public Future<Void> entitled(Actor actor, UUID id, ConversationAction action, String purpose) {
    return load(id).compose(c -> {
      Decision decision = guard.decide(actor, action, c.facts());
      return decision.allowed() ? Future.succeededFuture() : guard.settle(actor, action, id, c.facts(), purpose, decision);
    });
  }

  /** Audits a read the actor is entitled to (an offer with the triage, a console list), and fails if they are not. */
  public Future<Void> audited(Actor actor, ConversationRecord c, String purpose) {
    return guard.require(actor, ConversationAction.READ, c.id(), c.facts(), purpose);
  }

  /** The view the principal may see ({@link PatientView} or {@link StaffView}), with position and estimate while waiting. */
  public Future<Object> view(Principal principal, ConversationRecord c) {
    // partner staff reading the conversation a referral was made in see it as the patient does (no triage)
    boolean patientSide = !guard.readsInternal(principal, c.facts());
    if (!c.isQueued()) {
      return Future.succeededFuture(patientSide ? PatientView.of(c) : StaffView.of(c));
    }
    return places.placeOf(c).map(place -> patientSide
        ? PatientView.of(c, place)
        : StaffView.of(c, place));
  }

  /**
   * Messages after a sequence number (history for REST), as far as the principal may read them:
   * notes only for those who read internal notes (professionals; partner staff only in a referral's thread), and after a transfer without the patient's consent only from the
   * handover note on (the access policy's {@code historyFrom}).
   */
  public Future<List<JsonObject>> messages(Principal principal, ConversationRecord c, long after, int limit) {
    return Messages.between(pool, c.id(), visibleAfter(principal, c.facts(), after), Long.MAX_VALUE, guard.readsInternal(principal, c.facts()),
        limit);
  }

  /** Messages with after < seq < before that the principal may read (see {@link #messages}), for a watching socket. */
  public Future<List<JsonObject>> messagesBetween(Principal principal, ConversationFacts facts, UUID id, long after, long before) {
    return Messages.between(pool, id, visibleAfter(principal, facts, after), before, guard.readsInternal(principal, facts), 10_000);
  }

  private long visibleAfter(Principal principal, ConversationFacts facts, long after) {
    return Math.max(after, guard.historyFrom(principal, facts) - 1);
  }

  /** The patient's open conversation through a queue (not a referral's thread), or null. */
  public Future<ConversationRecord> current(Principal patient) {
    return ConversationStore.list(pool, "where c.patient_id = $1 and c.state <> 'closed' and not c.referral_thread"
            + " order by c.enqueued_at desc limit 1",
        Tuple.of(patient.id())).map(list -> list.isEmpty() ? null : list.get(0));
  }

  /** The patient's most recent conversation through a queue, closed ones included, or null (the end screen after a reload). */
  public Future<ConversationRecord> latest(Principal patient) {
    return ConversationStore.list(pool, "where c.patient_id = $1 and not c.referral_thread order by c.enqueued_at desc limit 1",
        Tuple.of(patient.id())).map(list -> list.isEmpty() ? null : list.get(0));
  }

  /** The patient's open referral threads (docs/protocol.md, "Partner referrals"), newest first. */
  public Future<List<ConversationRecord>> openThreads(Principal patient) {
    return ConversationStore.list(pool, "where c.patient_id = $1 and c.state <> 'closed' and c.referral_thread"
        + " order by c.enqueued_at desc limit 20", Tuple.of(patient.id()));
  }

  /** A professional's active conversations (offered ones included). */
  public Future<List<ConversationRecord>> assignedTo(UUID professionalId) {
    return ConversationStore.list(pool, "where c.assigned_to = $1 and c.state = 'active' order by c.assigned_at", Tuple.of(professionalId));
  }

  /** How far back, and how many, a professional's closed conversations are listed in the console. */
  static final Duration RECENTLY_CLOSED = Duration.ofHours(24);
  static final int RECENTLY_CLOSED_MAX = 50;

  /** A professional's conversations closed in the last 24 hours while assigned to them, newest first, at most 50. */
  public Future<List<ConversationRecord>> recentlyClosedFor(UUID professionalId) {
    return ConversationStore.list(pool,
        "where c.assigned_to = $1 and c.state = 'closed' and c.closed_at >= $2 order by c.closed_at desc limit " + RECENTLY_CLOSED_MAX,
        Tuple.of(professionalId, Timestamps.at(clock.instant().minus(RECENTLY_CLOSED))));
  }

  // --- authors and messages --------------------------------------------------------------------------------------

  /** The author of a principal, with the queues they serve (for a socket to keep). */
  public Future<Author> author(Principal principal) {
    return Future.all(actor(principal), profiles.profile(principal))
        .map(both -> {
          Actor actor = both.resultAt(0);
          fi.kanava.auth.Profile profile = both.resultAt(1);
          return new Author(actor, profile.name(), profile.role());
        });
  }

  /**
   * Stores a message (or finds the one a retry refers to) and returns the ack frame; fans out
   * after it is stored. Group-committed with other sends on the same event loop: see {@link MessageSends}.
   */
  public Future<JsonObject> send(Author author, ConversationFrames.Send request) {
    return sends.send(author, request);
  }

  /** Records how far the reader has read and returns the {@code read} frame for the other side. */
  public Future<JsonObject> read(Principal reader, UUID id, long seq) {
    return ConversationStore.read(pool, id, reader.id(), seq)
        .map(v -> ServerFrames.toJson(new ConversationEvents.ReadUpTo(id.toString(), reader.kind().code(), seq)));
  }

  /** Appends a system message inside the caller's transaction (which holds the row lock); returns its frame. */
  public Future<JsonObject> systemMessage(SqlClient tx, UUID conversationId, SystemMessage code, Instant at) {
    return Messages.system(tx, seqs, conversationId, code.code(), at);
  }

  /**
   * Appends a system message with one argument shown in it (an organisation's name) inside the
   * caller's transaction; its frame carries the argument beside the code.
   */
  public Future<JsonObject> systemMessage(SqlClient tx, UUID conversationId, SystemMessage code, String argument, Instant at) {
    return Messages.system(tx, seqs, conversationId, code.code() + "\n" + argument.replace('\n', ' '), at);
  }

  /** Appends a system message naming a professional (who joined) inside the caller's transaction (which holds the row lock). */
  public Future<JsonObject> systemMessageAbout(SqlClient tx, UUID conversationId, SystemMessage code, Author about, Instant at) {
    return Messages.systemAbout(tx, seqs, conversationId, code.code(), about.principal().id(), about.name(), about.role(), at);
  }

  /** Appends an internal note by the author inside the caller's transaction (which holds the row lock); returns its frame. */
  public Future<JsonObject> note(SqlClient tx, UUID conversationId, Author author, String text, Instant at) {
    return Messages.note(tx, seqs, conversationId, author.principal().id(), author.name(), author.role(), text, at);
  }

  /** After commit: fans out a stored message. */
  public void published(UUID conversationId, JsonObject messageFrame) {
    seqs.seen(conversationId, messageFrame.getLong("seq"));
    ConversationEvents.message(vertx.eventBus(), conversationId, messageFrame);
  }

  // --- sequence numbers ----------------------------------------------------------------------------------------

  /** A socket of this node was sent the message numbered {@code seq}: no later message gets that number from this node. */
  void delivered(UUID conversationId, long seq) {
    seqs.seen(conversationId, seq);
  }

  /**
   * A client resumed the conversation from {@code claimed}, past the stored counter {@code stored}:
   * the store lost messages that the client holds. Logged; the counter is raised to
   * the claim, so that the numbers the client holds are not given to new messages, if the claim is
   * at most {@value #MAX_RESUME_RAISE} beyond the counter (a claim further out is not believed);
   * every other socket watching the conversation resynchronises (not {@code origin}, the socket
   * that resumed, which the caller resynchronises itself).
   */
  Future<Void> resumedPast(UUID conversationId, long stored, long claimed, String origin) {
    ConversationEvents.resync(vertx.eventBus(), conversationId, origin);
    if (claimed - stored > MAX_RESUME_RAISE) {
      log.warn("Conversation {}: a client resumed from sequence number {}, {} past the stored counter; not raising the counter that far",
          conversationId, claimed, claimed - stored);
      return Future.succeededFuture();
    }
    log.warn("Conversation {}: a client resumed from sequence number {}, past the stored counter {}: the database lost commits."
        + " Raising the counter to {}", conversationId, claimed, stored, claimed);
    seqs.seen(conversationId, claimed);
    return ConversationStore.raiseSeq(pool, conversationId, claimed);
  }

  /**
   * After commit: what the patient allowed professionals to read of the history changed. Every
   * watching socket gets the new state (and so the new access facts) and then resynchronises, so
   * a receiver's socket gains the earlier messages, or no longer holds them.
   */
  public void historyScopeChanged(ConversationRecord c) {
    stateChanged(c);
    ConversationEvents.resync(vertx.eventBus(), c.id(), null);
  }

  /** After commit: tells every watching socket (and routing, when it closed) the conversation's new state. */
  public void stateChanged(ConversationRecord c) {
    ConversationEvents.state(vertx.eventBus(), c);
  }

  // --- closing -----------------------------------------------------------------------------------------------

  /** The assigned professional closes with an outcome. */
  public Future<ConversationRecord> close(Principal professional, ConversationFrames.Close request) {
    return actor(professional).compose(actor -> closeAs(actor, "close", request.conversationId(),
        c -> professional.id().equals(c.assignedTo()) ? null
            : new ApiError(403, "not_assigned", "Only the assigned professional closes the conversation"),
        request.outcome(), request.detail()));
  }

  /**
   * The patient ends their own conversation: once a professional has joined it is recorded as
   * {@link Outcome#ENDED_BY_PATIENT}; while it waits or is only offered, as leaving the queue does
   * ({@link Outcome#ABANDONED}, the offer taken back). A retry that finds it already ended by the
   * patient gets the closed conversation again; one closed otherwise is {@code conversation_closed}.
   */
  public Future<ConversationRecord> end(Principal patient, UUID id) {
    return closeAs(Actor.of(patient), "end", id, c -> null,
            c -> c.isActive() && c.acceptedAt() != null ? Outcome.ENDED_BY_PATIENT : Outcome.ABANDONED, null)
        .recover(e -> e instanceof ApiError error && "conversation_closed".equals(error.code())
            ? load(id).compose(c -> patient.id().equals(c.patientId()) && Outcome.byPatient(c.outcome())
                ? Future.succeededFuture(c) : Future.failedFuture(e))
            : Future.failedFuture(e));
  }

  /** Closes as the system (idle expiry): no policy check, but not twice. */
  private Future<ConversationRecord> expire(UUID id) {
    return closeAs(null, "expire", id, c -> null, Outcome.EXPIRED, null);
  }

  /**
   * Closes the conversation with an outcome, in one transaction on the locked row, if the actor may
   * write to it and {@code precondition} finds nothing wrong; a closed conversation is refused with
   * {@code conversation_closed}. A null actor is the system itself.
   */
  public Future<ConversationRecord> closeAs(Actor actor, String purpose, UUID id, Function<ConversationRecord, ApiError> precondition,
      String outcome, String detail) {
    return closeAs(actor, purpose, id, precondition, c -> outcome, detail);
  }

  /** As above, with the outcome decided on the locked row. */
  public Future<ConversationRecord> closeAs(Actor actor, String purpose, UUID id, Function<ConversationRecord, ApiError> precondition,
      Function<ConversationRecord, String> outcomeOf, String detail) {
    return closeAs(actor, purpose, id, precondition, outcomeOf, detail, (tx, c) -> Future.succeededFuture());
  }

  /**
   * As above, with the caller's own work ({@code before}) in the same transaction, on the locked
   * row, before the close: both commit or neither does (a referral's final outcome and the end of
   * its thread, say).
   */
  public Future<ConversationRecord> closeAs(Actor actor, String purpose, UUID id, Function<ConversationRecord, ApiError> precondition,
      Function<ConversationRecord, String> outcomeOf, String detail, BiFunction<SqlClient, ConversationRecord, Future<Void>> before) {
    Instant now = clock.instant();
    return locked(actor, ConversationAction.WRITE, purpose, id,
            c -> !c.state().canBecome(ConversationState.CLOSED) ? AccessGuard.conversationClosed() : precondition.apply(c),
            (tx, c) -> before.apply(tx, c).compose(v -> ConversationStore.close(tx, id, outcomeOf.apply(c), detail, now))
                .compose(v -> Messages.system(tx, seqs, id, Messages.CLOSED, now))
                .compose(frame -> ConversationStore.load(tx, id, false).map(closed -> new Closed(closed, frame, c.assignedTo()))))
        .map(result -> {
          ConversationRecord closed = result.conversation();
          String outcome = closed.outcome();
          // the chat figures are per queue: a referral's thread is in none; a chat visit's conversation is the visit's, not a contact
          boolean contact = closed.queueId() != null && closed.visitId() == null;
          if (contact) {
            metrics.closed(closed.queueId(), outcome);
          }
          if (closed.acceptedAt() != null && contact) {
            metrics.handled(closed.queueId(), outcome, Duration.between(closed.acceptedAt(), now));
          }
          published(id, result.frame());
          if (result.professional() != null && Outcome.ABANDONED.equals(outcome)) {
            // the patient left while the conversation was offered: take the offer back
            ConversationEvents.withdrawn(vertx.eventBus(), result.professional(), id, "patient_left");
          }
          stateChanged(closed);
          return closed;
        });
  }

  /** What a close committed: the closed conversation, its system message, and who had it. */
  private record Closed(ConversationRecord conversation, JsonObject frame, UUID professional) {}

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
   * Runs {@code work} in a transaction on the locked conversation: the access policy first (decided
   * without I/O), then {@code precondition}; after the transaction the decision is audited where
   * the policy requires it and a refusal becomes a 403. Nothing inside the transaction needs a
   * second pool connection, so a burst of these cannot exhaust the pool. A null actor is the
   * system itself. Every change a feature makes to a conversation on behalf of someone goes
   * through here.
   */
  public <T> Future<T> locked(Actor actor, ConversationAction action, String purpose, UUID id,
      Function<ConversationRecord, ApiError> precondition, BiFunction<SqlClient, ConversationRecord, Future<T>> work) {
    return pool.withTransaction(tx -> ConversationStore.load(tx, id, true).compose(c -> {
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

  // --- idle conversations ---------------------------------------------------------------------------------------

  /** A committed idle warning: its system message, and when the conversation will close. */
  private record IdleWarning(UUID conversationId, JsonObject frame, Instant closesAt) {}

  /** Warns the patient of an active conversation idle for chat.idle-warning; closes it as expired after chat.idle-close. */
  public Future<Void> sweepIdle() {
    Instant now = clock.instant();
    // a referral's thread waits for days on purpose: it closes with the referral, never idles out; a consultation's has no patient
    return pool.preparedQuery("select id from conversation where state = 'active' and patient_id is not null and not referral_thread and last_activity_at < $1")
        .execute(Tuple.of(Timestamps.at(now.minus(config.idleClose()))))
        .compose(rows -> {
          List<Future<ConversationRecord>> expired = new ArrayList<>();
          rows.forEach(row -> expired.add(expire(row.getUUID(0)).recover(e -> Future.succeededFuture())));
          return Future.join(expired);
        })
        .compose(v -> pool.withTransaction(tx -> ConversationStore.warnIdle(tx, now.minus(config.idleWarning()), now)
            .compose(rows -> {
              List<Future<IdleWarning>> warnings = new ArrayList<>();
              for (Row row : rows) {
                UUID id = row.getUUID("id");
                Instant closesAt = row.getOffsetDateTime("last_activity_at").toInstant().plus(config.idleClose());
                warnings.add(Messages.system(tx, seqs, id, Messages.IDLE_WARNING, now).map(frame -> new IdleWarning(id, frame, closesAt)));
              }
              return Future.all(warnings).map(all -> all.<IdleWarning>list());
            })))
        .map(warnings -> {
          for (IdleWarning warning : warnings) {
            UUID id = warning.conversationId();
            published(id, warning.frame());
            ConversationEvents.signal(vertx.eventBus(), id, ConversationEvents.IDLE,
                ServerFrames.toJson(new ConversationEvents.IdleWarning(id.toString(), warning.closesAt())), null);
          }
          return null;
        });
  }
}
