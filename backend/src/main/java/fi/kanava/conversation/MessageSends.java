package fi.kanava.conversation;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.access.AccessPolicy.Decision;
import fi.kanava.auth.Principal;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.DatabaseErrors;
import fi.kanava.infra.Timestamps;
import fi.kanava.ws.ServerFrames;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storing text messages and internal notes, with group commit.
 *
 * <p>Sends that arrive on an event loop while that loop's previous batch is with the database wait
 * for it and then go together: one round trip of primary-key reads of their conversations' facts
 * (no lock), the access decisions in memory, and one statement ({@link Messages#APPEND_ALL})
 * that re-checks the facts each decision relied on, recognises retries, takes the sequence
 * numbers and inserts the messages, in one transaction. So a batch costs two round trips and one
 * write statement however many messages it carries. Nothing waits for a timer: a send that finds its loop idle goes
 * at once, so a quiet server answers as fast as without batching (a batch of one) and a busy one
 * makes fewer, larger round trips.
 *
 * <p>Each send keeps its own guarantees: the ack only after its row is committed, the same sequence
 * number for a retry, the optimistic re-check (a send whose conversation changed is decided again,
 * alone). If a batch fails as a whole (a deadlock with another node, a duplicate being inserted
 * concurrently elsewhere), its sends are stored one by one in their order, which is safe because
 * the statement is idempotent. A loop starts its next batch only when the previous one is settled,
 * so one sender's messages keep their order.
 */
final class MessageSends {
  private static final Logger log = LoggerFactory.getLogger(MessageSends.class);
  /** The most sends stored in one round trip. */
  static final int MAX_BATCH = 128;

  /** The columns the access decision and the message need; no joins, no lock. */
  private static final String FACTS = "select c.id, c.patient_id, c.queue_id, c.state, c.assigned_to, c.accepted_at, c.first_response_at,"
      + " c.enqueued_at, c.urgency, c.referral_thread, " + Participants.ACCESS_AS_ARRAY + " as participants,"
      + " coalesce((select q.patient_may_write_while_queued from queue q where q.id = c.queue_id), false) as patient_may_write_while_queued"
      + " from conversation c where c.id = $1";

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final AccessGuard guard;
  private final ChatMetrics metrics;
  private final long writeBoundMs;
  private final SequenceGuard seqs;
  /** The key of each event loop's batcher in its context's data (one per instance, so several servers may share a Vert.x). */
  private final Object batcherKey = new Object();

  MessageSends(Vertx vertx, Pool pool, Clock clock, AccessGuard guard, ChatMetrics metrics, SequenceGuard seqs, Duration writeBound) {
    this.vertx = vertx;
    this.seqs = seqs;
    this.writeBoundMs = Math.max(1, writeBound.toMillis());
    this.pool = pool;
    this.clock = clock;
    this.guard = guard;
    this.metrics = metrics;
  }

  /** Stores the message (or finds the one a retry refers to) and returns the ack frame; fans out after commit. */
  Future<JsonObject> send(Author author, ConversationFrames.Send request) {
    if (request.attachmentId() != null) {
      // the photo is checked first (bad input changes nothing); a race for the same photo is caught by message.attachment_id's uniqueness
      return Messages.attachmentFor(pool, request.attachmentId(), request.conversationId(), author.principal().id(), request.clientMsgId())
          .compose(attachment -> submit(author, request, attachment));
    }
    return submit(author, request, null);
  }

  private Future<JsonObject> submit(Author author, ConversationFrames.Send request, JsonObject attachment) {
    Context context = Vertx.currentContext();
    Pending pending = new Pending(author, request, clock.instant(), Promise.promise(), 1, attachment);
    if (context == null || !context.isEventLoopContext()) {
      return storeBatch(List.of(pending)).transform(done -> pending.promise().future());
    }
    Batcher batcher = context.get(batcherKey);
    if (batcher == null) {
      batcher = new Batcher(context);
      context.put(batcherKey, batcher);
    }
    return batcher.submit(pending);
  }

  /** One send waiting for its batch. */
  private record Pending(Author author, ConversationFrames.Send request, Instant at, Promise<JsonObject> promise, int retriesLeft,
      JsonObject attachment) {
    UUID conversationId() {
      return request.conversationId();
    }

    /** The same send, to be decided again (its conversation changed): with a fresh time and one retry less. */
    Pending again(Instant now) {
      return new Pending(author, request, now, promise, retriesLeft - 1, attachment);
    }

    /** What makes a retry a retry. */
    List<Object> idempotencyKey() {
      return List.of(request.conversationId(), author.principal().id(), request.clientMsgId());
    }
  }

  /** The sends of one event loop: used only on that loop, so it needs no locking. */
  private final class Batcher {
    private final Context context;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean busy;

    Batcher(Context context) {
      this.context = context;
    }

    Future<JsonObject> submit(Pending pending) {
      waiting.add(pending);
      // A frozen or unreachable database answers nothing, and its own timeouts cannot fire: the send
      // is answered database_busy once the write bound has passed. A send still waiting for its
      // batch is dropped (nothing was stored); one already with the database may still commit,
      // which the client's retry with the same clientMsgId then finds. Later sends wait behind it,
      // so one sender's messages keep their order.
      long timer = vertx.setTimer(writeBoundMs, id -> {
        if (pending.promise().tryFail(DatabaseErrors.busy())) {
          waiting.remove(pending);
        }
      });
      pending.promise().future().onComplete(done -> vertx.cancelTimer(timer));
      if (!busy) {
        next();
      }
      return pending.promise().future();
    }

    private void next() {
      if (waiting.isEmpty()) {
        busy = false;
        return;
      }
      busy = true;
      List<Pending> batch = new ArrayList<>(Math.min(waiting.size(), MAX_BATCH));
      while (!waiting.isEmpty() && batch.size() < MAX_BATCH) {
        batch.add(waiting.poll());
      }
      metrics.sendBatch(batch.size());
      // back on this loop, whichever thread the database answered on
      storeBatch(batch).onComplete(done -> {
        if (Vertx.currentContext() == context) {
          next();
        } else {
          context.runOnContext(v -> next());
        }
      });
    }
  }

  // --- a batch ---------------------------------------------------------------------------------------------------

  /** Stores a batch; completes (always successfully) when every send in it has its answer. */
  private Future<Void> storeBatch(List<Pending> batch) {
    Set<UUID> ids = new LinkedHashSet<>();
    batch.forEach(p -> ids.add(p.conversationId()));
    List<Tuple> lookups = new ArrayList<>(ids.size());
    ids.forEach(id -> lookups.add(Tuple.of(id)));
    // one round trip; each lookup is a primary-key read whatever the table's size when it was planned
    return pool.preparedQuery(FACTS).executeBatch(lookups)
        .compose(results -> {
          Map<UUID, Row> facts = new HashMap<>();
          for (RowSet<Row> rows = results; rows != null; rows = rows.next()) {
            rows.forEach(row -> facts.put(row.getUUID("id"), row));
          }
          List<Future<?>> answered = new ArrayList<>();
          List<Allowed> allowed = new ArrayList<>();
          Map<List<Object>, Allowed> byKey = new HashMap<>();
          Set<UUID> firstResponseClaimed = new HashSet<>();
          for (Pending p : batch) {
            Row row = facts.get(p.conversationId());
            if (row == null) {
              p.promise().tryFail(ConversationStore.notFound());
              continue;
            }
            Future<JsonObject> refused = refusal(p, row);
            if (refused != null) {
              answered.add(answer(p, refused));
              continue;
            }
            Allowed first = byKey.get(p.idempotencyKey());
            if (first != null) {
              // a retry of a send in this same batch: the same answer
              answered.add(answer(p, first.pending().promise().future()));
              continue;
            }
            // only the first professional text of a conversation in the batch is its first response
            boolean firstResponse = isFirstResponse(p.author(), p.request(), row) && firstResponseClaimed.add(p.conversationId());
            Allowed a = new Allowed(p, row, firstResponse, UUID.randomUUID(), seqs.floor(p.conversationId()));
            allowed.add(a);
            byKey.put(p.idempotencyKey(), a);
          }
          return appendAll(allowed).transform(done -> Future.join(answered)).transform(done -> Future.<Void>succeededFuture());
        })
        .recover(e -> {
          if (batch.size() == 1) {
            batch.get(0).promise().tryFail(e);
            return Future.succeededFuture();
          }
          log.debug("Could not read the facts for a batch of {} sends; storing them one by one", batch.size(), e);
          return oneByOne(batch);
        });
  }

  /** A send the policy allows, with the id its message gets if it is new and the node's floor for its conversation. */
  private record Allowed(Pending pending, Row facts, boolean firstResponse, UUID messageId, long floor) {}

  private Future<Void> appendAll(List<Allowed> allowed) {
    if (allowed.isEmpty()) {
      return Future.succeededFuture();
    }
    // locks are taken in conversation order; the sort is stable, so one conversation's sends keep theirs
    allowed.sort(Comparator.comparing(a -> a.pending().conversationId()));
    int n = allowed.size();
    UUID[] conversations = new UUID[n];
    UUID[] senders = new UUID[n];
    String[] clientMsgIds = new String[n];
    OffsetDateTime[] times = new OffsetDateTime[n];
    Boolean[] firstResponses = new Boolean[n];
    Boolean[] accepts = new Boolean[n];
    String[] states = new String[n];
    UUID[] assignedTo = new UUID[n];
    String[] kinds = new String[n];
    String[] senderKinds = new String[n];
    String[] texts = new String[n];
    UUID[] ids = new UUID[n];
    Long[] floors = new Long[n];
    UUID[] attachments = new UUID[n];
    for (int i = 0; i < n; i++) {
      Allowed a = allowed.get(i);
      Principal sender = a.pending().author().principal();
      ConversationFrames.Send request = a.pending().request();
      conversations[i] = request.conversationId();
      senders[i] = sender.id();
      clientMsgIds[i] = request.clientMsgId();
      times[i] = Timestamps.at(a.pending().at());
      firstResponses[i] = a.firstResponse();
      assignedTo[i] = a.facts().getUUID("assigned_to");
      accepts[i] = accepts(sender, a.facts());
      states[i] = a.facts().getString("state");
      kinds[i] = kind(request);
      senderKinds[i] = sender.kind().code();
      texts[i] = request.text();
      ids[i] = a.messageId();
      floors[i] = a.floor();
      attachments[i] = request.attachmentId();
    }
    Tuple parameters = Tuple.of(conversations, senders, clientMsgIds, times, firstResponses, accepts)
        .addValue(states).addValue(assignedTo).addValue(kinds).addValue(senderKinds).addValue(texts).addValue(ids).addValue(floors)
        .addValue(attachments);
    return pool.preparedQuery(Messages.APPEND_ALL).execute(parameters)
        .compose(rows -> {
          List<Future<JsonObject>> answers = new ArrayList<>(n);
          int i = 0;
          for (Row row : rows) {
            Allowed a = allowed.get(i++);
            answers.add(answer(a.pending(), stored(a, row)));
          }
          return Future.join(answers).transform(done -> Future.<Void>succeededFuture());
        })
        .recover(e -> {
          if (n == 1) {
            // alone: the error is this send's
            allowed.get(0).pending().promise().tryFail(e instanceof PgException pg && "23505".equals(pg.getSqlState())
                ? ("message_attachment_id_key".equals(pg.getConstraint()) ? Messages.invalidAttachment()
                    : ApiError.conflict("retry", "A send with that clientMsgId is in progress; retry")) : e);
            return Future.succeededFuture();
          }
          log.debug("A batch of {} sends failed; storing them one by one", n, e);
          return oneByOne(allowed.stream().map(Allowed::pending).toList());
        });
  }

  /** Each send that has no answer yet alone (a batch of one), in order, each after the previous one has its answer. */
  private Future<Void> oneByOne(List<Pending> sends) {
    Future<Void> chain = Future.succeededFuture();
    for (Pending p : sends) {
      chain = chain.compose(done -> p.promise().future().isComplete() ? Future.succeededFuture() : storeBatch(List.of(p)));
    }
    return chain;
  }

  /** Passes the outcome on to the sender (once: a send that already has its answer keeps it). */
  private static Future<JsonObject> answer(Pending p, Future<JsonObject> outcome) {
    return outcome.onComplete(ar -> {
      if (ar.succeeded()) {
        p.promise().tryComplete(ar.result());
      } else {
        p.promise().tryFail(ar.cause());
      }
    });
  }

  /**
   * Null if the author may write this to the conversation; otherwise the refusal: the policy's,
   * audited, first (so a note into someone else's conversation is audited too), then a patient's
   * internal note into their own, which concerns no one else's data.
   */
  private Future<JsonObject> refusal(Pending p, Row row) {
    Author author = p.author();
    UUID id = p.conversationId();
    AccessPolicy.ConversationFacts facts = ConversationRecord.facts(row.getUUID("patient_id"), row.getString("queue_id"),
        ConversationState.fromCode(row.getString("state")), row.getUUID("assigned_to"),
        Participants.fromAccessArray(row.getArrayOfStrings("participants"))).asReferralThread(row.getBoolean("referral_thread"));
    Decision decision = guard.decide(author.actor(), ConversationAction.WRITE, facts);
    if (!decision.allowed()) {
      return guard.settle(author.actor(), ConversationAction.WRITE, id, facts, "message", decision).map(v -> (JsonObject) null);
    }
    if (p.request().internal() && author.principal().isPatient()) {
      return Future.failedFuture(ApiError.forbidden("Internal notes are for professionals"));
    }
    if (author.principal().isPatient() && row.getOffsetDateTime("accepted_at") == null
        && !Boolean.TRUE.equals(row.getBoolean("patient_may_write_while_queued"))) {
      // waiting (or only offered): the queue decides whether the patient may write before a professional joins
      return Future.failedFuture(ApiError.conflict("not_joined",
          "This queue lets you write once a professional has joined the conversation"));
    }
    return null;
  }

  /** A professional's first message to the patient; a professional-only thread (a consultation's) has no patient to respond to. */
  private static boolean isFirstResponse(Author author, ConversationFrames.Send request, Row facts) {
    return !author.principal().isPatient() && !request.internal() && facts.getOffsetDateTime("first_response_at") == null
        && facts.getUUID("patient_id") != null;
  }

  private static String kind(ConversationFrames.Send request) {
    return request.internal() ? "note" : "text";
  }

  /** What the statement answered for one send: the ack (after the fan-out of a new message), or another try if the conversation changed. */
  private Future<JsonObject> stored(Allowed a, Row result) {
    Pending p = a.pending();
    Author author = p.author();
    ConversationFrames.Send request = p.request();
    UUID id = request.conversationId();
    Long existing = result.getLong("existing_seq");
    Long seq = result.getLong("new_seq");
    if (existing != null) {
      // a retry: the message is stored already (its first ack may have been lost with the connection)
      seqs.seen(id, existing);
      return Future.succeededFuture(ack(id, request.clientMsgId(), existing, result.getUUID("existing_id")));
    }
    if (seq == null) {
      // the conversation changed between the decision and the write: decide again, alone
      if (p.retriesLeft() <= 0) {
        return Future.failedFuture(ApiError.conflict("retry", "The conversation changed; retry"));
      }
      Pending again = p.again(clock.instant());
      return storeBatch(List.of(again)).transform(done -> again.promise().future());
    }
    if (Boolean.TRUE.equals(result.getBoolean("jumped"))) {
      seqs.jumped(id, result.getLong("stored_seq"), a.floor());
    }
    seqs.seen(id, seq);
    String kind = kind(request);
    String senderKind = author.principal().kind().code();
    metrics.message(kind, senderKind);
    if (a.firstResponse()) {
      metrics.firstResponse(a.facts().getString("queue_id"), a.facts().getString("urgency"),
          Duration.between(a.facts().getOffsetDateTime("enqueued_at").toInstant(), p.at()));
    }
    JsonObject frame = Messages.frame(id, a.messageId(), seq, kind, senderKind, author.principal().id(), author.name(),
        author.role(), request.clientMsgId(), request.text(), p.at());
    if (p.attachment() != null) {
      frame.put("attachment", p.attachment().copy());
    }
    ConversationEvents.message(vertx.eventBus(), id, frame);
    if (accepts(author.principal(), a.facts())) {
      // writing accepted the offer: everyone watching (the patient first of all) learns that the professional has joined
      Participants.join(pool, id, ParticipantKind.ASSIGNED, author.principal().id(), p.at())
          .compose(v -> ConversationStore.load(pool, id, false))
          .onSuccess(c -> ConversationEvents.state(vertx.eventBus(), c))
          .onFailure(e -> log.warn("Could not announce that conversation {} was accepted", id, e));
    }
    return Future.succeededFuture(ack(id, request.clientMsgId(), seq, a.messageId()));
  }

  /** Whether this send, by the professional the conversation is offered to, accepts the offer. */
  private static boolean accepts(Principal sender, Row facts) {
    return !sender.isPatient() && facts.getOffsetDateTime("accepted_at") == null && sender.id().equals(facts.getUUID("assigned_to"));
  }

  private static JsonObject ack(UUID conversationId, String clientMsgId, long seq, UUID messageId) {
    return ServerFrames.frame("message.ack").put("conversationId", conversationId.toString()).put("clientMsgId", clientMsgId).put("seq", seq)
        .put("id", messageId.toString());
  }
}
