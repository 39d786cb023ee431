package fi.kanava.chat;

import fi.kanava.auth.AccessGuard;
import fi.kanava.auth.AccessPolicy;
import fi.kanava.auth.AccessPolicy.ConversationAction;
import fi.kanava.auth.AccessPolicy.Decision;
import fi.kanava.chat.Conversations.Author;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Timestamps;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storing text messages and internal notes, with group commit.
 *
 * <p>One message alone is a read of the conversation's facts, the access decision in memory, and
 * one atomic statement ({@link Messages#APPEND_ONCE}) that re-checks the facts it relied on. Sends
 * that arrive on an event loop while that loop's previous batch is with the database wait for it
 * and then go together: one read of all their conversations' facts, the decisions, and one
 * pipelined batch of APPEND_ONCE statements (one round trip, committed together), sorted by
 * conversation so that two batches never wait for each other's row locks in opposite orders.
 * Nothing waits for a timer: a send that finds its loop idle goes at once, so a quiet server
 * answers as fast as without batching and a busy one makes fewer, larger round trips.
 *
 * <p>Each send keeps its own guarantees: the ack only after its row is committed, the same sequence
 * number for a retry, the optimistic re-check. If a batch fails as a whole (a deadlock with another
 * node, a duplicate being inserted concurrently elsewhere), its sends are stored one by one in
 * their order, which is safe because APPEND_ONCE is idempotent. A loop starts its next batch only
 * when the previous one is settled, so one sender's messages keep their order.
 */
final class MessageSends {
  private static final Logger log = LoggerFactory.getLogger(MessageSends.class);
  /** The most sends stored in one round trip. */
  static final int MAX_BATCH = 128;

  /** The columns the access decision and the message need; no joins, no lock. */
  private static final String FACTS = "select id, patient_id, queue_id, state, assigned_to, accepted_at, first_response_at, enqueued_at,"
      + " urgency from conversation";

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final AccessGuard guard;
  private final ChatMetrics metrics;
  /** The key of each event loop's batcher in its context's data (one per instance, so several servers may share a Vert.x). */
  private final Object batcherKey = new Object();

  MessageSends(Vertx vertx, Pool pool, Clock clock, AccessGuard guard, ChatMetrics metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.guard = guard;
    this.metrics = metrics;
  }

  /** Stores the message (or finds the one a retry refers to) and returns the ack frame; fans out after commit. */
  Future<JsonObject> send(Author author, ClientFrame.Send request) {
    if (request.internal() && author.principal().isPatient()) {
      return Future.failedFuture(ApiError.forbidden("Internal notes are for professionals"));
    }
    Context context = Vertx.currentContext();
    if (context == null || !context.isEventLoopContext()) {
      return alone(author, request, 1);
    }
    Batcher batcher = context.get(batcherKey);
    if (batcher == null) {
      batcher = new Batcher(context);
      context.put(batcherKey, batcher);
    }
    return batcher.submit(new Pending(author, request, clock.instant(), Promise.promise()));
  }

  /** One send waiting for its batch. */
  private record Pending(Author author, ClientFrame.Send request, Instant at, Promise<JsonObject> promise) {
    UUID conversationId() {
      return request.conversationId();
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

  /** Stores a batch; completes when every send in it has its answer. */
  private Future<Void> storeBatch(List<Pending> batch) {
    if (batch.size() == 1) {
      Pending only = batch.get(0);
      return answer(only, alone(only.author(), only.request(), 1)).transform(done -> Future.<Void>succeededFuture());
    }
    Set<UUID> ids = new LinkedHashSet<>();
    batch.forEach(p -> ids.add(p.conversationId()));
    return pool.preparedQuery(FACTS + " where id = any($1)").execute(Tuple.of(ids.toArray(UUID[]::new)))
        .compose(rows -> {
          Map<UUID, Row> facts = new HashMap<>();
          rows.forEach(row -> facts.put(row.getUUID("id"), row));
          List<Future<?>> refusals = new ArrayList<>();
          List<Allowed> allowed = new ArrayList<>();
          Set<UUID> firstResponseClaimed = new HashSet<>();
          for (Pending p : batch) {
            Row row = facts.get(p.conversationId());
            if (row == null) {
              p.promise().fail(Conversations.notFound());
              continue;
            }
            Future<JsonObject> refused = refusal(p.author(), p.conversationId(), row);
            if (refused != null) {
              refusals.add(answer(p, refused));
              continue;
            }
            // only the first professional message of a conversation in the batch is its first response
            boolean firstResponse = isFirstResponse(p.author(), p.request(), row) && firstResponseClaimed.add(p.conversationId());
            allowed.add(new Allowed(p, row, firstResponse));
          }
          // the sort is stable: one conversation's sends keep their order
          allowed.sort(Comparator.comparing(a -> a.pending().conversationId()));
          return appendAll(allowed).transform(done -> Future.join(refusals)).transform(done -> Future.<Void>succeededFuture());
        })
        .recover(e -> {
          log.debug("Could not read the facts for a batch of {} sends; storing them one by one", batch.size(), e);
          return oneByOne(batch);
        });
  }

  private record Allowed(Pending pending, Row facts, boolean firstResponse) {}

  private Future<Void> appendAll(List<Allowed> allowed) {
    if (allowed.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> tuples = new ArrayList<>(allowed.size());
    allowed.forEach(a -> tuples.add(appendParameters(a.pending().author(), a.pending().request(), a.facts(), a.firstResponse(),
        a.pending().at())));
    return pool.preparedQuery(Messages.APPEND_ONCE).executeBatch(tuples)
        .compose(first -> {
          List<Future<JsonObject>> answers = new ArrayList<>(allowed.size());
          RowSet<Row> result = first;
          for (Allowed a : allowed) {
            Pending p = a.pending();
            answers.add(answer(p, stored(p.author(), p.request(), a.facts(), a.firstResponse(), p.at(), result.iterator().next(), 1)));
            result = result.next();
          }
          return Future.join(answers).transform(done -> Future.<Void>succeededFuture());
        })
        .recover(e -> {
          log.debug("A batch of {} sends failed; storing them one by one", allowed.size(), e);
          return oneByOne(allowed.stream().map(Allowed::pending).toList());
        });
  }

  /** Each send that has no answer yet alone, in order, each after the previous one has its answer. */
  private Future<Void> oneByOne(List<Pending> sends) {
    Future<Void> chain = Future.succeededFuture();
    for (Pending p : sends) {
      chain = chain.transform(done -> p.promise().future().isComplete() ? Future.<Void>succeededFuture()
          : answer(p, alone(p.author(), p.request(), 1)).transform(answered -> Future.<Void>succeededFuture()));
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

  // --- one send ---------------------------------------------------------------------------------------------------

  private Future<JsonObject> alone(Author author, ClientFrame.Send request, int retriesLeft) {
    Instant now = clock.instant();
    UUID id = request.conversationId();
    return pool.preparedQuery(FACTS + " where id = $1").execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(Conversations.notFound());
      }
      Row facts = rows.iterator().next();
      Future<JsonObject> refused = refusal(author, id, facts);
      if (refused != null) {
        return refused;
      }
      boolean firstResponse = isFirstResponse(author, request, facts);
      return pool.preparedQuery(Messages.APPEND_ONCE).execute(appendParameters(author, request, facts, firstResponse, now))
          .compose(result -> stored(author, request, facts, firstResponse, now, result.iterator().next(), retriesLeft));
    }).recover(e -> Future.failedFuture(e instanceof PgException pg && "23505".equals(pg.getSqlState())
        ? new ApiError(409, "retry", "A send with that clientMsgId is in progress; retry") : e));
  }

  /** Null if the author may write to the conversation; otherwise the audited refusal. */
  private Future<JsonObject> refusal(Author author, UUID id, Row row) {
    AccessPolicy.ConversationFacts facts = new AccessPolicy.ConversationFacts(row.getUUID("patient_id"), row.getString("queue_id"),
        AccessPolicy.ConversationState.valueOf(row.getString("state").toUpperCase(Locale.ROOT)),
        Optional.ofNullable(row.getUUID("assigned_to")), Set.of(), Set.of(), Set.of());
    Decision decision = guard.decide(author.actor(), ConversationAction.WRITE, facts);
    if (decision.allowed()) {
      return null;
    }
    return guard.settle(author.actor(), ConversationAction.WRITE, id, facts, "message", decision).map(v -> (JsonObject) null);
  }

  private static boolean isFirstResponse(Author author, ClientFrame.Send request, Row facts) {
    return !author.principal().isPatient() && !request.internal() && facts.getOffsetDateTime("first_response_at") == null;
  }

  private static Tuple appendParameters(Author author, ClientFrame.Send request, Row facts, boolean firstResponse, Instant now) {
    UUID senderId = author.principal().id();
    UUID assignedTo = facts.getUUID("assigned_to");
    boolean accepts = !author.principal().isPatient() && facts.getOffsetDateTime("accepted_at") == null && senderId.equals(assignedTo);
    return Tuple.of(request.conversationId(), senderId, request.clientMsgId(), Timestamps.at(now), firstResponse, accepts)
        .addValue(facts.getString("state")).addValue(assignedTo).addValue(kind(request)).addValue(author.principal().kind().code())
        .addValue(request.text());
  }

  private static String kind(ClientFrame.Send request) {
    return request.internal() ? "note" : "text";
  }

  /** What APPEND_ONCE answered: the ack (after the fan-out of a new message), or another try if the conversation changed. */
  private Future<JsonObject> stored(Author author, ClientFrame.Send request, Row facts, boolean firstResponse, Instant now, Row result,
      int retriesLeft) {
    UUID id = request.conversationId();
    Long existing = result.getLong("existing_seq");
    Long seq = result.getLong("new_seq");
    if (existing != null) {
      return Future.succeededFuture(ack(id, request.clientMsgId(), existing));
    }
    if (seq == null) {
      // the conversation changed between the decision and the write: decide again
      return retriesLeft > 0 ? alone(author, request, retriesLeft - 1)
          : Future.failedFuture(new ApiError(409, "retry", "The conversation changed; retry"));
    }
    String kind = kind(request);
    String senderKind = author.principal().kind().code();
    metrics.message(kind, senderKind);
    if (firstResponse) {
      metrics.firstResponse(facts.getString("queue_id"), facts.getString("urgency"),
          Duration.between(facts.getOffsetDateTime("enqueued_at").toInstant(), now));
    }
    ChatEvents.message(vertx.eventBus(), id, Messages.frame(id, seq, kind, senderKind, author.principal().id(), author.name(),
        author.role(), request.clientMsgId(), request.text(), now));
    return Future.succeededFuture(ack(id, request.clientMsgId(), seq));
  }

  private static JsonObject ack(UUID conversationId, String clientMsgId, long seq) {
    return Frames.frame("message.ack").put("conversationId", conversationId.toString()).put("clientMsgId", clientMsgId).put("seq", seq);
  }
}
