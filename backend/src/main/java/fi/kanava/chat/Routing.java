package fi.kanava.chat;

import fi.kanava.infra.Timestamps;
import fi.kanava.infra.KanavaConfig;
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
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who gets which conversation. Every decision is a Postgres transaction: an advisory lock per
 * queue serialises routing of that queue across nodes, and the chosen professional's presence row
 * is locked before their active conversations are counted, so nobody ever exceeds their maximum
 * however many queues and nodes race. In auto mode the head of the queue (most urgent, then longest
 * waiting) goes to the least-loaded available professional serving the queue who speaks the
 * conversation's language, ties to the one idle longest.
 */
public final class Routing {
  private static final Logger log = LoggerFactory.getLogger(Routing.class);

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final KanavaConfig.Routing config;
  private final Conversations conversations;
  private final WaitingLists waiting;
  private final ChatMetrics metrics;
  /** Queues whose routing loop runs on this node now, and those asked to run again when it ends. */
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Set<String> again = ConcurrentHashMap.newKeySet();

  public Routing(Vertx vertx, Pool pool, Clock clock, KanavaConfig.Routing config, Conversations conversations, WaitingLists waiting,
      ChatMetrics metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.conversations = conversations;
    this.waiting = waiting;
    this.metrics = metrics;
  }

  /** Assigns waiting conversations of an auto-routed queue until nobody is free or nothing waits. */
  public Future<Void> kick(String queueId) {
    if (!running.add(queueId)) {
      again.add(queueId);
      return Future.succeededFuture();
    }
    return loop(queueId).eventually(() -> {
      running.remove(queueId);
      return again.remove(queueId) ? kick(queueId) : Future.succeededFuture();
    });
  }

  /** Kicks every queue the professional serves (their capacity or presence changed). */
  public Future<Void> kickServedBy(UUID professionalId) {
    return Queues.servedBy(pool, professionalId).compose(queueIds -> {
      List<Future<Void>> all = new ArrayList<>();
      queueIds.forEach(queueId -> all.add(kick(queueId)));
      return Future.join(all).mapEmpty();
    });
  }

  private Future<Void> loop(String queueId) {
    return assignNext(queueId).compose(assigned -> assigned ? loop(queueId) : Future.succeededFuture());
  }

  private record Assignment(UUID conversationId, UUID professionalId, Instant enqueuedAt, String urgency, int requeues) {}

  /** One assignment, or false when there is nothing to do. */
  Future<Boolean> assignNext(String queueId) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> tx.preparedQuery(
                "select routing_mode, " + Queues.lockQueue("id") + " from queue where id = $1")
            .execute(Tuple.of(queueId))
            .compose(rows -> rows.size() == 0 || !QueueSettings.AUTO.equals(rows.iterator().next().getString(0))
                ? Future.succeededFuture((Row) null)
                : tx.preparedQuery("select id, language, enqueued_at, urgency, requeue_count from conversation"
                        + " where queue_id = $1 and state = 'queued' order by urgency_rank, enqueued_at, id limit 1 for update")
                    .execute(Tuple.of(queueId))
                    .map(r -> r.size() == 0 ? null : r.iterator().next()))
            .compose(head -> head == null ? Future.succeededFuture((Assignment) null) : candidates(tx, queueId, head.getString("language"), now)
                .compose(ids -> firstWithCapacity(tx, ids, 0))
                .compose(pro -> pro == null ? Future.succeededFuture((Assignment) null)
                    : assign(tx, head.getUUID("id"), pro, now, false)
                        .map(v -> new Assignment(head.getUUID("id"), pro, head.getOffsetDateTime("enqueued_at").toInstant(),
                            head.getString("urgency"), head.getInteger("requeue_count"))))))
        .compose(assignment -> {
          if (assignment == null) {
            return Future.succeededFuture(false);
          }
          if (assignment.requeues() == 0) {
            metrics.queueWait(queueId, assignment.urgency(), Duration.between(assignment.enqueuedAt(), now));
          }
          return announce(assignment.conversationId(), true).map(true);
        });
  }

  /** Available professionals serving the queue who speak the language, least loaded first, then longest idle. */
  private Future<List<UUID>> candidates(SqlClient tx, String queueId, String language, Instant now) {
    return tx.preparedQuery("select a.id from queue_member m"
            + " join account a on a.id = m.account_id and a.disabled_at is null and $2 = any(a.languages)"
            + " join professional_presence p on p.account_id = a.id and p.status = 'available' and p.last_seen_at >= $3"
            + " left join lateral (select count(*) as active from conversation c where c.assigned_to = a.id and c.state = 'active') l on true"
            + " where m.queue_id = $1 and l.active < a.max_concurrent"
            + " order by l.active, p.last_assigned_at nulls first, a.id")
        .execute(Tuple.of(queueId, language, Timestamps.at(now.minus(config.offlineGrace()))))
        .map(rows -> {
          List<UUID> out = new ArrayList<>();
          rows.forEach(row -> out.add(row.getUUID(0)));
          return out;
        });
  }

  /** Locks each candidate's presence row in turn and re-counts under the lock; the first with room wins. */
  private Future<UUID> firstWithCapacity(SqlClient tx, List<UUID> ids, int index) {
    if (index >= ids.size()) {
      return Future.succeededFuture(null);
    }
    UUID id = ids.get(index);
    return hasCapacity(tx, id, true)
        .compose(ok -> ok ? Future.succeededFuture(id) : firstWithCapacity(tx, ids, index + 1));
  }

  /**
   * Locks the professional's presence row (the caller makes sure it exists) and tells whether they have room
   * for one more. Every path that gives a professional a conversation calls this first.
   */
  static Future<Boolean> hasCapacity(SqlClient tx, UUID professionalId, boolean mustBeAvailable) {
    return tx.preparedQuery("select p.status, a.max_concurrent from professional_presence p join account a on a.id = p.account_id"
            + " where p.account_id = $1 for update of p")
        .execute(Tuple.of(professionalId))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(false);
          }
          Row row = rows.iterator().next();
          if (mustBeAvailable && !PresenceStatus.AVAILABLE.equals(row.getString("status"))) {
            return Future.succeededFuture(false);
          }
          int max = row.getInteger("max_concurrent");
          return tx.preparedQuery("select count(*) from conversation where assigned_to = $1 and state = 'active'")
              .execute(Tuple.of(professionalId))
              .map(count -> count.iterator().next().getLong(0) < max);
        });
  }

  /** Makes the conversation the professional's (caller holds the locks). {@code accepted}: taken by hand. */
  static Future<Void> assign(SqlClient tx, UUID conversationId, UUID professionalId, Instant now, boolean accepted) {
    return tx.preparedQuery("update conversation set state = 'active', assigned_to = $2, assigned_at = $3, accepted_at = $4"
            + " where id = $1")
        .execute(Tuple.of(conversationId, professionalId, Timestamps.at(now), accepted ? Timestamps.at(now) : null))
        .compose(v -> tx.preparedQuery("update professional_presence set last_assigned_at = $2 where account_id = $1")
            .execute(Tuple.of(professionalId, Timestamps.at(now))))
        .mapEmpty();
  }

  /** After commit: tells the professional (an offer unless accepted) and everyone watching, and refreshes the list. */
  Future<ConversationRecord> announce(UUID conversationId, boolean offer) {
    return conversations.load(conversationId).map(c -> {
      JsonObject view = c.professionalView();
      if (offer) {
        vertx.eventBus().publish(ChatEvents.professional(c.assignedTo()), offerFrame(c));
      }
      ChatEvents.state(vertx.eventBus(), conversationId, view);
      waiting.changed(c.queueId());
      return c;
    });
  }

  private JsonObject offerFrame(ConversationRecord c) {
    Instant acceptBy = c.assignedAt().plus(config.acceptTimeout());
    return Frames.frame("conversation.offer")
        .put("conversation", c.professionalView())
        .put("acceptBy", acceptBy.toString())
        .put("acceptWithinSeconds", Math.max(0, Duration.between(clock.instant(), acceptBy).toSeconds()));
  }

  /** Offers made to the professional and not yet accepted: sent again when they reconnect. */
  public Future<List<JsonObject>> pendingOffers(UUID professionalId) {
    return pool.preparedQuery(ConversationRecord.SELECT
            + "where c.assigned_to = $1 and c.state = 'active' and c.accepted_at is null order by c.assigned_at")
        .execute(Tuple.of(professionalId))
        .map(rows -> {
          List<JsonObject> frames = new ArrayList<>();
          rows.forEach(row -> frames.add(offerFrame(ConversationRecord.from(row))));
          return frames;
        });
  }

  // --- presence ---------------------------------------------------------------------------------

  /** A professional's socket opened: they exist in presence (status kept, or away when new) and are seen now. */
  public Future<Void> seen(UUID professionalId) {
    return pool.preparedQuery("insert into professional_presence (account_id, status, last_seen_at) values ($1, 'away', $2)"
            + " on conflict (account_id) do update set last_seen_at = excluded.last_seen_at,"
            + " status = case when professional_presence.status = 'offline' then 'away' else professional_presence.status end")
        .execute(Tuple.of(professionalId, Timestamps.at(clock.instant())))
        .mapEmpty();
  }

  /** Sets the status and returns {@code {status, active, capacity}}; going offline hands the work back at once. */
  public Future<JsonObject> setStatus(UUID professionalId, String status) {
    return pool.preparedQuery("insert into professional_presence (account_id, status, last_seen_at) values ($1, $2, $3)"
            + " on conflict (account_id) do update set status = excluded.status, last_seen_at = excluded.last_seen_at")
        .execute(Tuple.of(professionalId, status, Timestamps.at(clock.instant())))
        .compose(v -> PresenceStatus.OFFLINE.equals(status) ? requeueAllOf(professionalId, "offline") : Future.succeededFuture())
        .compose(v -> PresenceStatus.AVAILABLE.equals(status) ? kickServedBy(professionalId) : Future.succeededFuture())
        .compose(v -> load(professionalId));
  }

  public Future<JsonObject> load(UUID professionalId) {
    return pool.preparedQuery("select p.status, a.max_concurrent,"
            + " (select count(*) from conversation c where c.assigned_to = a.id and c.state = 'active') as active"
            + " from account a left join professional_presence p on p.account_id = a.id where a.id = $1")
        .execute(Tuple.of(professionalId))
        .map(rows -> {
          Row row = rows.iterator().next();
          return Frames.frame("presence")
              .put("status", row.getString("status") == null ? PresenceStatus.OFFLINE : row.getString("status"))
              .put("active", row.getLong("active"))
              .put("capacity", row.getInteger("max_concurrent"));
        });
  }

  /** Refreshes last_seen_at of the professionals connected to this node. */
  public Future<Void> heartbeat(Set<UUID> connected) {
    if (connected.isEmpty()) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery("update professional_presence set last_seen_at = $2 where account_id = any($1)")
        .execute(Tuple.of(connected.toArray(UUID[]::new), Timestamps.at(clock.instant())))
        .mapEmpty();
  }

  // --- sweeping -----------------------------------------------------------------------------------

  /**
   * One pass of the time-driven rules, by the injected clock: professionals not seen within the
   * grace go offline and their conversations return to the queue; offers not accepted in time
   * return to the queue; idle conversations are warned and then expire; every auto queue is kicked.
   */
  public Future<Void> sweep() {
    Instant now = clock.instant();
    return pool.preparedQuery("update professional_presence set status = 'offline'"
            + " where status <> 'offline' and last_seen_at < $1 returning account_id")
        .execute(Tuple.of(Timestamps.at(now.minus(config.offlineGrace()))))
        .compose(rows -> {
          List<Future<Void>> gone = new ArrayList<>();
          rows.forEach(row -> {
            log.info("Professional {} went offline (not seen); returning their conversations", row.getUUID(0));
            gone.add(requeueAllOf(row.getUUID(0), "offline"));
          });
          return Future.join(gone);
        })
        .compose(v -> pool.preparedQuery("select id from conversation where state = 'active' and accepted_at is null and assigned_at < $1")
            .execute(Tuple.of(Timestamps.at(now.minus(config.acceptTimeout())))))
        .compose(rows -> {
          List<Future<Void>> late = new ArrayList<>();
          rows.forEach(row -> late.add(requeue(row.getUUID(0), "not_accepted")));
          return Future.join(late);
        })
        .compose(v -> conversations.sweepIdle())
        .compose(v -> pool.query("select id from queue where routing_mode = 'auto'").execute())
        .compose(rows -> {
          List<Future<Void>> kicks = new ArrayList<>();
          rows.forEach(row -> kicks.add(kick(row.getString(0))));
          return Future.join(kicks);
        })
        .compose(v -> refreshGauges())
        .mapEmpty();
  }

  private Future<Void> requeueAllOf(UUID professionalId, String reason) {
    return pool.preparedQuery("select id from conversation where assigned_to = $1 and state = 'active'")
        .execute(Tuple.of(professionalId))
        .compose(rows -> {
          List<Future<Void>> all = new ArrayList<>();
          rows.forEach(row -> all.add(requeue(row.getUUID(0), reason)));
          return Future.join(all).mapEmpty();
        });
  }

  /** What a requeue committed: the queue, the professional it was with, and the system message if the patient was told. */
  private record Requeued(String queueId, UUID from, JsonObject frame) {}

  /** Returns an active conversation to the queue; it keeps its place (urgency, then when it first entered). */
  Future<Void> requeue(UUID conversationId, String reason) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> tx.preparedQuery("select queue_id, state, assigned_to, accepted_at from conversation where id = $1 for update")
            .execute(Tuple.of(conversationId))
            .compose(rows -> {
              Row row = rows.iterator().next();
              if (!ConversationRecord.ACTIVE.equals(row.getString("state"))) {
                return Future.succeededFuture((Requeued) null);
              }
              UUID from = row.getUUID("assigned_to");
              boolean joined = row.getOffsetDateTime("accepted_at") != null;
              Future<Void> update = tx.preparedQuery("update conversation set state = 'queued', assigned_to = null, assigned_at = null,"
                      + " accepted_at = null, requeue_count = requeue_count + 1 where id = $1")
                  .execute(Tuple.of(conversationId)).mapEmpty();
              if (!joined) {
                // nobody had joined, so the patient's history gets nothing; a professional who let
                // an offer lapse is probably away from the desk and gets no new offers until back
                return update
                    .compose(v -> tx.preparedQuery("update professional_presence set status = 'away' where account_id = $1 and status = 'available'")
                        .execute(Tuple.of(from)))
                    .map(v -> new Requeued(row.getString("queue_id"), from, null));
              }
              return update
                  .compose(v -> Messages.system(tx, conversationId, Messages.RETURNED_TO_QUEUE, now))
                  .map(frame -> new Requeued(row.getString("queue_id"), from, frame));
            }))
        .compose(requeued -> {
          if (requeued == null) {
            return Future.succeededFuture();
          }
          String queueId = requeued.queueId();
          UUID from = requeued.from();
          metrics.requeued(queueId, reason);
          ChatEvents.withdrawn(vertx.eventBus(), from, conversationId, reason);
          if (requeued.frame() != null) {
            ChatEvents.message(vertx.eventBus(), conversationId, requeued.frame());
          } else {
            load(from).onSuccess(presence -> vertx.eventBus().publish(ChatEvents.professional(from), presence));
          }
          return announce(conversationId, false).compose(v -> kick(queueId));
        });
  }

  private Future<Void> refreshGauges() {
    return pool.query("select q.id, count(*) filter (where c.state = 'queued') as waiting,"
            + " count(*) filter (where c.state = 'active') as active"
            + " from queue q left join conversation c on c.queue_id = q.id and c.state <> 'closed' group by q.id")
        .execute()
        .map(rows -> {
          rows.forEach(row -> {
            metrics.queueLength(row.getString("id"), row.getLong("waiting").intValue());
            metrics.activeConversations(row.getString("id"), row.getLong("active").intValue());
          });
          return null;
        });
  }
}
