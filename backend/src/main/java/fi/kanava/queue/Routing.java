package fi.kanava.queue;

import fi.kanava.access.AccessPolicy.Actor;
import fi.kanava.auth.Principal;
import fi.kanava.auth.Role;
import fi.kanava.conversation.ChatMetrics;
import fi.kanava.conversation.ConversationEvents;
import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.ConversationState;
import fi.kanava.conversation.ConversationStore;
import fi.kanava.conversation.Conversations;
import fi.kanava.conversation.StaffView;
import fi.kanava.conversation.SystemMessage;
import fi.kanava.presence.Presence;
import fi.kanava.presence.PresenceEvents;
import fi.kanava.presence.PresenceStatus;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.SocketEvents;

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
  private final Presence presence;
  /** Queues whose routing loop runs on this node now, and those asked to run again when it ends. */
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Set<String> again = ConcurrentHashMap.newKeySet();

  public Routing(Vertx vertx, Pool pool, Clock clock, KanavaConfig.Routing config, Conversations conversations, WaitingLists waiting,
      ChatMetrics metrics, Presence presence) {
    this.presence = presence;
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.conversations = conversations;
    this.waiting = waiting;
    this.metrics = metrics;
  }

  /**
   * Listens, on this node, for what routing acts on: closes (the queue's list changes and the
   * professional has room again) and presence changes (offline hands the work back, available
   * gets offers).
   */
  public Future<Void> start() {
    var closes = vertx.eventBus().<JsonObject>localConsumer(ConversationEvents.CLOSED, msg -> {
      JsonObject closed = msg.body();
      waiting.changed(closed.getString("queueId"));
      String professional = closed.getString("professionalId");
      if (professional != null) {
        kickServedBy(UUID.fromString(professional)).onFailure(e -> log.warn("Routing after a close failed", e));
      }
    });
    var changes = vertx.eventBus().<JsonObject>localConsumer(PresenceEvents.CHANGED, msg -> {
      UUID account = UUID.fromString(msg.body().getString("accountId"));
      String status = msg.body().getString("status");
      Future<Void> acted = PresenceStatus.OFFLINE.equals(status) ? requeueAllOf(account, "offline")
          : PresenceStatus.AVAILABLE.equals(status) ? kickServedBy(account) : Future.succeededFuture();
      acted.onComplete(ar -> msg.reply(ar.succeeded()));
    });
    return Future.all(closes.completion(), changes.completion()).mapEmpty();
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
  /** Makes the conversation the professional's (caller holds the locks). {@code accepted}: taken by hand. */
  static Future<Void> assign(SqlClient tx, UUID conversationId, UUID professionalId, Instant now, boolean accepted) {
    return ConversationStore.assign(tx, conversationId, professionalId, now, accepted)
        .compose(v -> tx.preparedQuery("update professional_presence set last_assigned_at = $2 where account_id = $1")
            .execute(Tuple.of(professionalId, Timestamps.at(now))))
        .mapEmpty();
  }

  /**
   * After commit: tells everyone watching and refreshes the list; an offer (unless accepted) goes to
   * the professional's devices, and its read of the triage is audited first.
   */
  Future<ConversationRecord> announce(UUID conversationId, boolean offer) {
    return conversations.load(conversationId).compose(c -> {
      conversations.stateChanged(c);
      waiting.changed(c.queueId());
      if (!offer) {
        return Future.succeededFuture(c);
      }
      return professional(c.assignedTo())
          .compose(actor -> conversations.audited(actor, c, "offer"))
          .map(v -> {
            SocketEvents.toPrincipal(vertx.eventBus(), c.assignedTo(), fi.kanava.ws.ServerFrames.toJson(offerFrame(c)));
            return c;
          });
    });
  }

  /** The professional as the access policy sees them (the offer is theirs as the assigned professional). */
  private Future<Actor> professional(UUID accountId) {
    return pool.preparedQuery("select role, organisation_id from account where id = $1").execute(Tuple.of(accountId))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new Actor(Principal.professional(accountId, Role.fromCode(row.getString("role")), row.getString("organisation_id")), Set.of());
        });
  }

  /** {@code conversation.offer}: the conversation as professionals see it, and until when it can be accepted. */
  public record Offer(StaffView conversation, Instant acceptBy, long acceptWithinSeconds) implements ServerFrame {
    @Override
    public String type() {
      return "conversation.offer";
    }
  }

  private Offer offerFrame(ConversationRecord c) {
    Instant acceptBy = c.assignedAt().plus(config.acceptTimeout());
    return new Offer(StaffView.of(c), acceptBy, Math.max(0, Duration.between(clock.instant(), acceptBy).toSeconds()));
  }

  /** Offers made to the professional and not yet accepted, to send again when they reconnect; each read is audited. */
  public Future<List<Offer>> pendingOffers(Actor actor) {
    return ConversationStore.list(pool, "where c.assigned_to = $1 and c.state = 'active' and c.accepted_at is null order by c.assigned_at",
            Tuple.of(actor.principal().id()))
        .compose(list -> {
          List<Future<Offer>> offers = new ArrayList<>();
          list.forEach(c -> offers.add(conversations.audited(actor, c, "offer_resend").map(v -> offerFrame(c))));
          return Future.all(offers).map(all -> all.<Offer>list());
        });
  }

  // --- sweeping -----------------------------------------------------------------------------------

  /**
   * One pass of routing's time-driven rules, by the injected clock: offers not accepted in time
   * return to the queue; every auto queue is kicked; the queue gauges are refreshed.
   */
  public Future<Void> sweep() {
    Instant now = clock.instant();
    return pool.preparedQuery("select id from conversation where state = 'active' and accepted_at is null and assigned_at < $1")
        .execute(Tuple.of(Timestamps.at(now.minus(config.acceptTimeout()))))
        .compose(rows -> {
          List<Future<Void>> late = new ArrayList<>();
          rows.forEach(row -> late.add(requeue(row.getUUID(0), "not_accepted", null)));
          return Future.join(late);
        })
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
          rows.forEach(row -> all.add(requeue(row.getUUID(0), reason, null)));
          return Future.join(all).mapEmpty();
        });
  }

  /** What a requeue committed: the queue, the professional it was with, and the system message if the patient was told. */
  private record Requeued(String queueId, UUID from, JsonObject frame) {}

  /**
   * Returns an active conversation to the queue; it keeps its place (urgency, then when it first
   * entered). {@code decliner}, when given, must be the one it is offered to: it is returned only
   * if still offered to them, and they are not offered it again.
   */
  Future<Void> requeue(UUID conversationId, String reason, UUID decliner) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> ConversationStore.load(tx, conversationId, true)
            .compose(c -> {
              if (!c.state().canBecome(ConversationState.QUEUED)) {
                return Future.succeededFuture((Requeued) null);
              }
              UUID from = c.assignedTo();
              boolean joined = c.acceptedAt() != null;
              if (decliner != null && (joined || !decliner.equals(from))) {
                return Future.failedFuture(fi.kanava.infra.ApiError.conflict("not_assigned", "The conversation is not offered to you (any more)"));
              }
              Future<Void> update = ConversationStore.requeue(tx, conversationId, joined ? from : null, now);
              if (decliner != null) {
                return update.compose(v -> ConversationStore.declined(tx, conversationId, decliner))
                    .map(v -> new Requeued(c.queueId(), from, null));
              }
              if (!joined) {
                // nobody had joined, so the patient's history gets nothing; a professional who let
                // an offer lapse is probably away from the desk and gets no new offers until back
                return update.compose(v -> Presence.setAwayAfterLapse(tx, from)).map(v -> new Requeued(c.queueId(), from, null));
              }
              return update
                  .compose(v -> Conversations.systemMessage(tx, conversationId, SystemMessage.RETURNED_TO_QUEUE, now))
                  .map(frame -> new Requeued(c.queueId(), from, frame));
            }))
        .compose(requeued -> {
          if (requeued == null) {
            return Future.succeededFuture();
          }
          String queueId = requeued.queueId();
          UUID from = requeued.from();
          metrics.requeued(queueId, reason);
          ConversationEvents.withdrawn(vertx.eventBus(), from, conversationId, reason);
          if (requeued.frame() != null) {
            conversations.published(conversationId, requeued.frame());
          } else {
            presence.publish(from).onFailure(e -> log.warn("Could not tell {} their status", from, e));
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
