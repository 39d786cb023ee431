package fi.kanava.queue;

import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.ConversationEvents;
import fi.kanava.conversation.QueuePlaces;
import fi.kanava.ws.ServerFrames;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waiting lists in routing order (urgency, then time waited) with positions and estimated waits.
 * After any change to a queue, one snapshot is read and published on the queue's address: waiting
 * patients pick out their own position, professionals watching the queue get the list. Bursts of
 * changes are coalesced into one snapshot per {@link #COALESCE_MS}.
 *
 * <p>Routing never lets a conversation nobody available can serve hold up those behind it
 * ({@link Routing#firstServable}), so a position counts only the conversations ahead that wait for
 * the same professionals: those in the same language. The estimate is a range from the queue's recent
 * service rate per professional, the available members who speak the language, and the position,
 * damped against the estimate published last (see {@link WaitEstimate}).
 */
public final class WaitingLists implements QueuePlaces {
  private static final Logger log = LoggerFactory.getLogger(WaitingLists.class);
  static final long COALESCE_MS = 20;

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  /**
   * The last position frame this node published per waiting conversation, per queue: only changes are
   * sent. Forgotten for a queue when another node announces a change to it ({@link #start}): that node
   * publishes the positions next, and what this node sent last is then no longer what the patients hold.
   */
  private final Map<String, Map<String, JsonObject>> published = new ConcurrentHashMap<>();
  /** This node's mark on the changes it announces, to tell another node's from its own. */
  private final String node = UUID.randomUUID().toString();
  /**
   * The estimate last published per waiting conversation, which the next one is damped against. Not
   * authoritative: a node without it (restarted, or another node) starts from the undamped estimate.
   */
  private final Map<String, WaitEstimate.Shown> shown = new ConcurrentHashMap<>();
  private final Duration offlineGrace;

  public WaitingLists(Vertx vertx, Pool pool, Clock clock, Duration offlineGrace) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.offlineGrace = offlineGrace;
  }

  /**
   * Listens for the changes other nodes announce. Without it a node would keep comparing with the
   * positions it published itself: after node A told a patient "nobody is available", node B, whose
   * last word had been "somebody is", would say nothing when somebody became available again.
   */
  public Future<Void> start() {
    return vertx.eventBus().<JsonObject>consumer(ConversationEvents.QUEUE_STATE, msg -> {
      String from = msg.body().getString("node");
      if (from != null && !from.equals(node)) {
        published.remove(msg.body().getString("queueId"));
      }
    }).completion();
  }

  /** Publishes the queue's waiting list soon (once, however many changes arrive meanwhile). */
  public void changed(String queueId) {
    vertx.eventBus().publish(ConversationEvents.QUEUE_STATE, new JsonObject().put("queueId", queueId).put("node", node));
    if (pending.add(queueId)) {
      vertx.setTimer(COALESCE_MS, t -> {
        pending.remove(queueId);
        snapshot(queueId)
            .onSuccess(list -> {
              vertx.eventBus().publish(ConversationEvents.queue(queueId), waitingListFrame(list).encode());
              publishPositions(queueId, list);
            })
            .onFailure(e -> log.warn("Could not publish the waiting list of queue {}", queueId, e));
      });
    }
  }

  /** A professional's presence changed: the estimates of the queues they serve rest on who is available. */
  public Future<Void> presenceChanged(UUID professionalId) {
    return Queues.servedBy(pool, professionalId).map(queueIds -> {
      queueIds.forEach(this::changed);
      return null;
    });
  }

  /**
   * Tells each waiting patient whose position or estimate changed, on their conversation's address
   * (so each socket gets only its own, however long the queue).
   */
  private void publishPositions(String queueId, JsonObject list) {
    Map<String, JsonObject> previous = published.getOrDefault(queueId, Map.of());
    Map<String, JsonObject> current = new HashMap<>();
    for (Object o : list.getJsonArray("items")) {
      JsonObject item = (JsonObject) o;
      String id = item.getString("conversationId");
      JsonObject frame = ServerFrames.toJson(Position.of(id, item));
      current.put(id, frame);
      Long centre = item.getLong("estimatedWaitSeconds");
      if (centre == null) {
        shown.remove(id);
      } else {
        shown.put(id, new WaitEstimate.Shown(item.getInteger("position"), centre));
      }
      if (!frame.equals(previous.get(id))) {
        ConversationEvents.position(vertx.eventBus(), UUID.fromString(id), frame);
      }
    }
    previous.keySet().stream().filter(id -> !current.containsKey(id)).forEach(shown::remove);
    published.put(queueId, current);
  }

  /**
   * {@code {"queueId", "routingMode", "items": [{conversationId, urgency, language, enqueuedAt, position,
   * estimatedWaitSeconds, estimatedWaitLowSeconds, estimatedWaitHighSeconds, noEstimateReason}]}}.
   */
  public Future<JsonObject> snapshot(String queueId) {
    return pool.preparedQuery("select routing_mode from queue where id = $1").execute(Tuple.of(queueId))
        .compose(modes -> modes.size() == 0 ? Future.failedFuture(Queues.notFound()) : Future.all(
            pool.preparedQuery("select id, urgency, language, enqueued_at from conversation where queue_id = $1 and state = 'queued'"
                + " and held_for is null order by urgency_rank, enqueued_at, id").execute(Tuple.of(queueId)),
            inputs(queueId))
        .map(all -> {
          io.vertx.sqlclient.RowSet<Row> rows = all.resultAt(0);
          Inputs inputs = all.resultAt(1);
          List<String> languages = new ArrayList<>();
          rows.forEach(row -> languages.add(row.getString("language")));
          List<Integer> positions = WaitEstimate.positions(languages);
          JsonArray items = new JsonArray();
          int index = 0;
          for (Row row : rows) {
            int position = positions.get(index++);
            String id = row.getUUID("id").toString();
            JsonObject item = new JsonObject()
                .put("conversationId", id)
                .put("urgency", row.getString("urgency"))
                .put("language", row.getString("language"))
                .put("enqueuedAt", row.getOffsetDateTime("enqueued_at").toInstant().toString())
                .put("position", position);
            items.add(putEstimate(item, inputs.estimate(id, position, row.getString("language"))));
          }
          return new JsonObject().put("queueId", queueId).put("routingMode", modes.iterator().next().getString(0)).put("items", items);
        }));
  }

  /**
   * Position and estimate of one waiting conversation: {@code {"position", "estimatedWaitSeconds",
   * "estimatedWaitLowSeconds", "estimatedWaitHighSeconds", "noEstimateReason"}}. As in the snapshot,
   * only the conversations ahead in the same language count; damped against what was shown last, which
   * it does not change (only published updates do).
   */
  public Future<JsonObject> positionOf(ConversationRecord c) {
    return Future.all(
            pool.preparedQuery("select count(*) from conversation where queue_id = $1 and state = 'queued' and held_for is null and language = $4"
                    + " and (urgency_rank, enqueued_at, id) < ((select urgency_rank from conversation where id = $2), $3, $2)")
                .execute(Tuple.of(c.queueId(), c.id(), Timestamps.at(c.enqueuedAt()), c.language())),
            inputs(c.queueId()))
        .map(all -> {
          io.vertx.sqlclient.RowSet<Row> rows = all.resultAt(0);
          int position = (int) rows.iterator().next().getLong(0).longValue() + 1;
          Inputs inputs = all.resultAt(1);
          return putEstimate(new JsonObject().put("position", position), inputs.estimate(c.id().toString(), position, c.language()));
        });
  }

  private static JsonObject putEstimate(JsonObject item, WaitEstimate.Estimate e) {
    return item.put("estimatedWaitSeconds", e.centreSeconds())
        .put("estimatedWaitLowSeconds", e.lowSeconds())
        .put("estimatedWaitHighSeconds", e.highSeconds())
        .put("noEstimateReason", e.none() == null ? null : e.none().code());
  }

  /**
   * {@code queue.position}: a waiting patient's place and estimated wait, as a range with its centre,
   * or the reason there is none (absent fields are null).
   */
  public record Position(String conversationId, int position, Long estimatedWaitSeconds, Long estimatedWaitLowSeconds,
      Long estimatedWaitHighSeconds, String noEstimateReason) implements fi.kanava.ws.ServerFrame {
    static Position of(String conversationId, JsonObject item) {
      return new Position(conversationId, item.getInteger("position"), item.getLong("estimatedWaitSeconds"),
          item.getLong("estimatedWaitLowSeconds"), item.getLong("estimatedWaitHighSeconds"), item.getString("noEstimateReason"));
    }

    @Override
    public String type() {
      return "queue.position";
    }
  }

  @Override
  public Future<Place> placeOf(ConversationRecord c) {
    return positionOf(c).map(p -> {
      Position position = Position.of(c.id().toString(), p);
      return new Place(position.position(), position.estimatedWaitSeconds(), position.estimatedWaitLowSeconds(),
          position.estimatedWaitHighSeconds(), position.noEstimateReason());
    });
  }

  /** The {@code queue.waiting} frame of a waiting-list snapshot. */
  static JsonObject waitingListFrame(JsonObject snapshot) {
    return snapshot.copy().put("type", "queue.waiting");
  }

  /** What the estimates of one queue rest on, read at one instant: the recent rate and who is available in which languages. */
  private final class Inputs {
    private final WaitEstimate.Rate rate;
    private final List<List<String>> availableLanguages;

    Inputs(WaitEstimate.Rate rate, List<List<String>> availableLanguages) {
      this.rate = rate;
      this.availableLanguages = availableLanguages;
    }

    WaitEstimate.Estimate estimate(String conversationId, int position, String language) {
      int available = (int) availableLanguages.stream().filter(l -> l.contains(language)).count();
      return WaitEstimate.estimate(position, available, rate, shown.get(conversationId));
    }
  }

  /**
   * The queue's assignments in the last {@link WaitEstimate#WINDOW} (when, and by how many professionals),
   * and the languages of each member who is available now, as routing sees them (present within the offline grace).
   */
  private Future<Inputs> inputs(String queueId) {
    Instant now = clock.instant();
    return Future.all(
            pool.preparedQuery("select assigned_at, assigned_to from conversation where queue_id = $1 and assigned_at >= $2"
                    + " and assigned_to is not null")
                .execute(Tuple.of(queueId, Timestamps.at(now.minus(WaitEstimate.WINDOW)))),
            pool.preparedQuery("select a.languages from queue_member m join account a on a.id = m.account_id and a.disabled_at is null"
                    + " join professional_presence p on p.account_id = a.id and p.status = 'available' and p.last_seen_at >= $2"
                    + " where m.queue_id = $1")
                .execute(Tuple.of(queueId, Timestamps.at(now.minus(offlineGrace)))))
        .map(all -> {
          io.vertx.sqlclient.RowSet<Row> assignments = all.resultAt(0);
          List<Instant> times = new ArrayList<>();
          Set<UUID> professionals = new HashSet<>();
          assignments.forEach(row -> {
            times.add(row.getOffsetDateTime(0).toInstant());
            professionals.add(row.getUUID(1));
          });
          io.vertx.sqlclient.RowSet<Row> present = all.resultAt(1);
          List<List<String>> languages = new ArrayList<>();
          present.forEach(row -> languages.add(List.of(row.getArrayOfStrings(0))));
          return new Inputs(WaitEstimate.rate(times, professionals.size(), now), languages);
        });
  }
}
