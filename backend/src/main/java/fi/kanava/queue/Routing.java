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
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who gets which conversation. Every decision is a Postgres transaction: an advisory lock per
 * queue serialises routing of that queue across nodes, and the chosen professional's presence row
 * is locked before their active conversations are counted, so nobody ever exceeds their maximum
 * however many queues and nodes race. In auto mode the most urgent, then longest waiting,
 * conversation that some available professional serving the queue with room can serve (speaks its
 * language) goes to the least-loaded such professional, ties to the one idle longest. A conversation
 * nobody available can serve waits without holding up those behind it ({@link #firstServable}), so
 * each professional is offered the first conversation in routing order that they can take.
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
  private final Queues queues;
  /** Queues whose routing loop runs on this node now, and those asked to run again when it ends. */
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Set<String> again = ConcurrentHashMap.newKeySet();

  public Routing(Vertx vertx, Pool pool, Clock clock, KanavaConfig.Routing config, Conversations conversations, WaitingLists waiting,
      ChatMetrics metrics, Presence presence, Queues queues) {
    this.presence = presence;
    this.queues = queues;
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
   * gets offers; either changes the wait estimates of the queues they serve).
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
      // who is available is part of every wait estimate of the queues they serve
      waiting.presenceChanged(account).onFailure(e -> log.warn("Could not refresh the waiting lists served by {}", account, e));
      acted.onComplete(ar -> msg.reply(ar.succeeded()));
    });
    return Future.all(closes.completion(), changes.completion(), waiting.start()).mapEmpty();
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

  /**
   * A conversation came into the queue from elsewhere (a transfer): the queue's waiting list changes
   * whether or not routing assigns it (a pick queue never does), then routing tries.
   */
  public Future<Void> arrived(String queueId) {
    waiting.changed(queueId);
    return kick(queueId);
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

  /**
   * One step of the routing loop, in one transaction under the queue's lock: reads the languages
   * waiting (in the routing order of each language's first) and the available professionals with
   * room, lets {@link #firstServable} choose, then locks the first conversation waiting in that
   * language and gives it to the first candidate who still has room under the lock of their presence
   * row. True: go on (one conversation assigned, or what was read changed before it could be locked,
   * so look again). False: nothing waiting can be served now, and the loop stops until the next kick.
   */
  Future<Boolean> assignNext(String queueId) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> tx.preparedQuery(
                "select routing_mode, " + Queues.lockQueue("id") + " from queue where id = $1")
            .execute(Tuple.of(queueId))
            .compose(rows -> rows.size() == 0 || !QueueSettings.AUTO.equals(rows.iterator().next().getString(0))
                ? Future.succeededFuture(Step.NOTHING)
                : waitingLanguages(tx, queueId).compose(languages -> languages.isEmpty()
                    ? Future.succeededFuture(Step.NOTHING)
                    : available(tx, queueId, now).compose(pros -> tryLanguages(tx, new ArrayList<>(languages), pros, queueId, now)))))
        .compose(step -> {
          Assignment assignment = step.assignment();
          if (assignment == null) {
            if (step.goOn()) {
              log.debug("Routing of queue {} lost a race with another change; looking again", queueId);
            }
            return Future.succeededFuture(step.goOn());
          }
          if (assignment.requeues() == 0) {
            metrics.queueWait(queueId, assignment.urgency(), Duration.between(assignment.enqueuedAt(), now));
          }
          return announce(assignment.conversationId(), true).map(true);
        });
  }

  /**
   * Tries the first language someone available speaks; when everyone who could take its waiting
   * conversations has declined them, passes over that language too and tries the next.
   */
  private Future<Step> tryLanguages(SqlClient tx, List<String> languages, List<Available> pros, String queueId, Instant now) {
    Optional<Attempt> attempt = firstServable(languages, pros);
    if (attempt.isEmpty()) {
      return Future.succeededFuture(Step.NOTHING);
    }
    return tryAttempt(tx, attempt.get(), queueId, now).compose(step -> {
      if (step != Step.ALL_DECLINED) {
        return Future.succeededFuture(step);
      }
      languages.remove(attempt.get().language());
      return tryLanguages(tx, languages, pros, queueId, now);
    });
  }

  /** What one routing transaction did: assigned one conversation, found nothing servable, or lost a race. */
  private record Step(Assignment assignment, boolean goOn) {
    static final Step NOTHING = new Step(null, false);
    static final Step RACED = new Step(null, true);
    /** Every candidate has declined every conversation waiting in the language (an identity, never returned from the transaction). */
    static final Step ALL_DECLINED = new Step(null, false);

    Step(Assignment assignment) {
      this(assignment, true);
    }
  }

  /**
   * Locks the first conversation still waiting in the attempt's language and gives it to the first
   * candidate with room. Either can fail only because another transaction committed after this one
   * read the queue (the patient left, or the candidates' capacity was taken), so the next look sees
   * something different: the loop goes on without spinning. One conversation row is locked per
   * transaction, before any presence row, in the same order as taking by hand, so the two cannot deadlock.
   */
  private Future<Step> tryAttempt(SqlClient tx, Attempt attempt, String queueId, Instant now) {
    UUID[] candidates = attempt.candidates().toArray(UUID[]::new);
    return tx.preparedQuery("select id, enqueued_at, urgency, requeue_count, declined_by from conversation"
            + " where queue_id = $1 and state = 'queued' and held_for is null and language = $2 and not (declined_by @> $3)"
            + " order by urgency_rank, enqueued_at, id limit 1 for update")
        .execute(Tuple.of(queueId, attempt.language(), candidates))
        .compose(rows -> {
          if (rows.size() == 0) {
            // nothing left in the language, or only what every candidate declined: the latter is no race
            return tx.preparedQuery("select 1 from conversation where queue_id = $1 and state = 'queued' and held_for is null and language = $2 limit 1")
                .execute(Tuple.of(queueId, attempt.language()))
                .map(any -> any.size() == 0 ? Step.RACED : Step.ALL_DECLINED);
          }
          Row head = rows.iterator().next();
          List<UUID> declined = List.of(head.getArrayOfUUIDs("declined_by"));
          List<UUID> willing = attempt.candidates().stream().filter(id -> !declined.contains(id)).toList();
          return firstWithCapacity(tx, willing, 0).compose(pro -> pro == null
              ? Future.succeededFuture(Step.RACED)
              : assign(tx, head.getUUID("id"), pro, now, false)
                  .map(v -> new Step(new Assignment(head.getUUID("id"), pro, head.getOffsetDateTime("enqueued_at").toInstant(),
                      head.getString("urgency"), head.getInteger("requeue_count")))));
        });
  }

  /** The languages of the conversations waiting in the queue, in the routing order of each language's first. */
  private Future<List<String>> waitingLanguages(SqlClient tx, String queueId) {
    return tx.preparedQuery("select language from (select distinct on (language) language, urgency_rank, enqueued_at, id"
            + " from conversation where queue_id = $1 and state = 'queued' and held_for is null"
            + " order by language, urgency_rank, enqueued_at, id) heads"
            + " order by urgency_rank, enqueued_at, id")
        .execute(Tuple.of(queueId))
        .map(rows -> {
          List<String> out = new ArrayList<>();
          rows.forEach(row -> out.add(row.getString(0)));
          return out;
        });
  }

  /** An available professional with room for one more, and the languages they speak. */
  public record Available(UUID id, List<String> languages) {}

  /** What routing tries next: the first conversation waiting in a language, and who could take it, in the order to ask. */
  public record Attempt(String language, List<UUID> candidates) {}

  /**
   * The head-of-line rule, free of the database. Given the languages of the waiting conversations in
   * the routing order of each language's first (most urgent, then longest waiting) and the available
   * professionals with room (least loaded first, then longest idle), the first language someone
   * available speaks, with those who speak it in their order. A language nobody available speaks is
   * passed over, so the conversations waiting in it never hold up those behind them; empty means
   * nothing waiting can be served now.
   */
  public static Optional<Attempt> firstServable(List<String> languagesInRoutingOrder, List<Available> availableInLoadOrder) {
    for (String language : languagesInRoutingOrder) {
      List<UUID> candidates = availableInLoadOrder.stream().filter(p -> p.languages().contains(language)).map(Available::id).toList();
      if (!candidates.isEmpty()) {
        return Optional.of(new Attempt(language, candidates));
      }
    }
    return Optional.empty();
  }

  /** Available professionals serving the queue who have room for one more, least loaded first, then longest idle. */
  private Future<List<Available>> available(SqlClient tx, String queueId, Instant now) {
    return tx.preparedQuery("select a.id, a.languages from queue_member m"
            + " join account a on a.id = m.account_id and a.disabled_at is null"
            + " join professional_presence p on p.account_id = a.id and p.status = 'available' and p.last_seen_at >= $2"
            + " left join lateral (select count(*) as active from conversation c where c.assigned_to = a.id and c.state = 'active') l on true"
            + " where m.queue_id = $1 and l.active < a.max_concurrent"
            + " order by l.active, p.last_assigned_at nulls first, a.id")
        .execute(Tuple.of(queueId, Timestamps.at(now.minus(config.offlineGrace()))))
        .map(rows -> {
          List<Available> out = new ArrayList<>();
          rows.forEach(row -> out.add(new Available(row.getUUID(0), List.of(row.getArrayOfStrings(1)))));
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
        .compose(v -> Presence.assigned(tx, professionalId, now));
  }

  /**
   * After commit: tells everyone watching and refreshes the list; an offer (unless accepted) goes to
   * the professional's devices, and its read of the triage is audited first.
   */
  Future<ConversationRecord> announce(UUID conversationId, boolean offer) {
    return conversations.load(conversationId).compose(c -> {
      conversations.stateChanged(c);
      waiting.changed(c.queueId());
      // the patient may have left, or the offer been taken back, since the commit: then there is nothing to offer
      if (!offer || !c.isActive() || c.acceptedAt() != null || c.assignedTo() == null) {
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
    Instant cutoff = now.minus(config.acceptTimeout());
    return pool.preparedQuery("select id, assigned_to from conversation where state = 'active' and accepted_at is null and assigned_at < $1")
        .execute(Tuple.of(Timestamps.at(cutoff)))
        .compose(rows -> {
          List<Future<Void>> late = new ArrayList<>();
          // re-checked under the row lock: still this offer, still not accepted, still late (another node may have acted)
          rows.forEach(row -> late.add(requeue(row.getUUID(0), "not_accepted", null, row.getUUID(1), cutoff)));
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
          rows.forEach(row -> all.add(requeue(row.getUUID(0), reason, null, professionalId, null)));
          return Future.join(all).mapEmpty();
        });
  }

  /** An offer declined: by whom, and why (optional; kept as an internal note). */
  record Decline(fi.kanava.conversation.Author by, String reason) {}

  /** What a requeue committed: the queue, the professional it was with, and the system message if the patient was told. */
  private record Requeued(String queueId, UUID from, JsonObject frame) {}

  /**
   * Returns an active conversation to the queue; it keeps its place (urgency, then when it first
   * entered). {@code decliner}, when given, must be the one it is offered to: it is returned only
   * if still offered to them, and they are not offered it again. {@code expected}, when given, is
   * the professional the caller saw it with: if it is with someone else by the time the row is
   * locked, nothing happens. {@code lateBefore}, when given, is a lapsed offer's cutoff: only an
   * offer still not accepted and made before it is returned.
   */
  Future<Void> requeue(UUID conversationId, String reason, Decline decline, UUID expected, Instant lateBefore) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> ConversationStore.load(tx, conversationId, true)
            .compose(c -> {
              UUID from = c.assignedTo();
              boolean joined = c.acceptedAt() != null;
              boolean stale = (expected != null && !expected.equals(from))
                  || (lateBefore != null && (joined || c.assignedAt() == null || !c.assignedAt().isBefore(lateBefore)));
              if (stale) {
                return Future.succeededFuture((Requeued) null);
              }
              if (decline != null && (!c.isActive() || joined || !decline.by().principal().id().equals(from))) {
                return Future.failedFuture(fi.kanava.infra.ApiError.conflict("not_assigned", "The conversation is not offered to you (any more)"));
              }
              if (!c.state().canBecome(ConversationState.QUEUED)) {
                return Future.succeededFuture((Requeued) null);
              }
              Future<Void> update = ConversationStore.requeue(tx, conversationId, joined ? from : null, now);
              if (decline != null) {
                // the reason, if given, stays with the conversation for the colleague who gets it next
                Future<Void> declined = update.compose(v -> ConversationStore.declined(tx, conversationId, from));
                return decline.reason() == null
                    ? declined.map(v -> new Requeued(c.queueId(), from, null))
                    : declined.compose(v -> conversations.note(tx, conversationId, decline.by(), decline.reason(), now))
                        .map(note -> new Requeued(c.queueId(), from, note));
              }
              if (!joined) {
                // nobody had joined, so the patient's history gets nothing; a professional who let
                // an offer lapse is probably away from the desk and gets no new offers until back
                return update.compose(v -> Presence.setAwayAfterLapse(tx, from)).map(v -> new Requeued(c.queueId(), from, null));
              }
              return update
                  .compose(v -> conversations.systemMessage(tx, conversationId, SystemMessage.RETURNED_TO_QUEUE, now))
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

  /**
   * Every queue's gauges from the database, so all nodes agree: waiting and active counts, the
   * oldest wait per urgency, available professionals (as routing counts them: available on a device
   * seen within the offline grace, account enabled) and whether it is open now.
   */
  private Future<Void> refreshGauges() {
    Instant now = clock.instant();
    String sql = "select q.id,"
        + " (select count(*) from conversation c where c.queue_id = q.id and c.state = 'queued') as waiting,"
        + " (select count(*) from conversation c where c.queue_id = q.id and c.state = 'active') as active,"
        + " (select coalesce(jsonb_object_agg(o.urgency, o.waited), '{}'::jsonb) from (select c.urgency,"
        + "   floor(extract(epoch from ($2::timestamptz - min(c.enqueued_at))))::bigint as waited"
        + "   from conversation c where c.queue_id = q.id and c.state = 'queued' group by c.urgency) o) as oldest,"
        + " (select count(*) from queue_member m join account a on a.id = m.account_id and a.disabled_at is null"
        + "   join professional_presence p on p.account_id = m.account_id and p.status = 'available' and p.last_seen_at >= $1"
        + "   where m.queue_id = q.id) as available"
        + " from queue q";
    return Future.all(pool.preparedQuery(sql).execute(Tuple.of(Timestamps.at(now.minus(config.offlineGrace())), Timestamps.at(now))), queues.all())
        // on a worker: the first sight of a queue registers some thirty meters at zero (histograms among them),
        // tens of milliseconds that an event loop should not spend
        .compose(both -> vertx.executeBlocking(() -> {
          RowSet<Row> rows = both.resultAt(0);
          Map<String, Boolean> open = new HashMap<>();
          for (QueueSettings q : both.<List<QueueSettings>>resultAt(1)) {
            open.put(q.id(), q.openingHours().isOpen(now));
          }
          rows.forEach(row -> {
            Map<String, Duration> oldest = new HashMap<>();
            row.getJsonObject("oldest").forEach(e -> oldest.put(e.getKey(), Duration.ofSeconds(((Number) e.getValue()).longValue())));
            metrics.queueNow(new ChatMetrics.QueueNow(row.getString("id"), row.getLong("waiting").intValue(),
                row.getLong("active").intValue(), oldest, row.getLong("available").intValue(), open.getOrDefault(row.getString("id"), false)));
          });
          return (Void) null;
        }, false))
        .compose(v -> refreshUnservedLanguages());
  }

  /**
   * Unmet language demand now: conversations waiting whose language no available professional of
   * their queue speaks (full or not: capacity shows in the queue length; this is the staffing gap).
   */
  private Future<Void> refreshUnservedLanguages() {
    Instant now = clock.instant();
    return pool.preparedQuery("select c.language, count(*) from conversation c where c.state = 'queued' and not exists ("
            + " select 1 from queue_member m join account a on a.id = m.account_id and a.disabled_at is null and c.language = any(a.languages)"
            + " join professional_presence p on p.account_id = a.id and p.status = 'available' and p.last_seen_at >= $1"
            + " where m.queue_id = c.queue_id) group by c.language")
        .execute(Tuple.of(Timestamps.at(now.minus(config.offlineGrace()))))
        .map(rows -> {
          Map<String, Integer> unserved = new HashMap<>();
          rows.forEach(row -> unserved.put(row.getString(0), row.getLong(1).intValue()));
          metrics.unservedLanguages(unserved);
          return null;
        });
  }
}
