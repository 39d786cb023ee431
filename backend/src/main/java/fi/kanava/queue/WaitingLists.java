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
import java.util.ArrayList;
import java.util.HashMap;
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
 * the same professionals: those in the same language. The estimate divides that position by the
 * queue's assignments of conversations in that language in the last {@link WaitEstimate#WINDOW}
 * (see {@link WaitEstimate}).
 */
public final class WaitingLists implements QueuePlaces {
  private static final Logger log = LoggerFactory.getLogger(WaitingLists.class);
  static final long COALESCE_MS = 20;

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  /** The last position frame published per waiting conversation, per queue: only changes are sent. */
  private final Map<String, Map<String, JsonObject>> published = new ConcurrentHashMap<>();

  public WaitingLists(Vertx vertx, Pool pool, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
  }

  /** Publishes the queue's waiting list soon (once, however many changes arrive meanwhile). */
  public void changed(String queueId) {
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
      JsonObject frame = ServerFrames.toJson(new Position(id, item.getInteger("position"), item.getLong("estimatedWaitSeconds")));
      current.put(id, frame);
      if (!frame.equals(previous.get(id))) {
        ConversationEvents.position(vertx.eventBus(), UUID.fromString(id), frame);
      }
    }
    published.put(queueId, current);
  }

  /** {@code {"queueId", "routingMode", "items": [{conversationId, urgency, language, enqueuedAt, position, estimatedWaitSeconds}]}}. */
  public Future<JsonObject> snapshot(String queueId) {
    return pool.preparedQuery("select routing_mode from queue where id = $1").execute(Tuple.of(queueId))
        .compose(modes -> modes.size() == 0 ? Future.failedFuture(Queues.notFound()) : Future.all(
            pool.preparedQuery("select id, urgency, language, enqueued_at from conversation where queue_id = $1 and state = 'queued'"
                + " order by urgency_rank, enqueued_at, id").execute(Tuple.of(queueId)),
            assignmentsInWindow(queueId))
        .map(all -> {
          io.vertx.sqlclient.RowSet<Row> rows = all.resultAt(0);
          Map<String, Long> assignments = all.resultAt(1);
          List<String> languages = new ArrayList<>();
          rows.forEach(row -> languages.add(row.getString("language")));
          List<Integer> positions = WaitEstimate.positions(languages);
          JsonArray items = new JsonArray();
          int index = 0;
          for (Row row : rows) {
            int position = positions.get(index++);
            long inLanguage = assignments.getOrDefault(row.getString("language"), 0L);
            items.add(new JsonObject()
                .put("conversationId", row.getUUID("id").toString())
                .put("urgency", row.getString("urgency"))
                .put("language", row.getString("language"))
                .put("enqueuedAt", row.getOffsetDateTime("enqueued_at").toInstant().toString())
                .put("position", position)
                .put("estimatedWaitSeconds", WaitEstimate.seconds(position, inLanguage)));
          }
          return new JsonObject().put("queueId", queueId).put("routingMode", modes.iterator().next().getString(0)).put("items", items);
        }));
  }

  /**
   * Position and estimate of one waiting conversation: {@code {"position", "estimatedWaitSeconds"}}.
   * As in the snapshot, only the conversations ahead in the same language count.
   */
  public Future<JsonObject> positionOf(ConversationRecord c) {
    return Future.all(
            pool.preparedQuery("select count(*) from conversation where queue_id = $1 and state = 'queued' and language = $4"
                    + " and (urgency_rank, enqueued_at, id) < ((select urgency_rank from conversation where id = $2), $3, $2)")
                .execute(Tuple.of(c.queueId(), c.id(), Timestamps.at(c.enqueuedAt()), c.language())),
            assignmentsInWindow(c.queueId()))
        .map(all -> {
          io.vertx.sqlclient.RowSet<Row> rows = all.resultAt(0);
          int position = (int) rows.iterator().next().getLong(0).longValue() + 1;
          Map<String, Long> assignments = all.resultAt(1);
          return new JsonObject().put("position", position)
              .put("estimatedWaitSeconds", WaitEstimate.seconds(position, assignments.getOrDefault(c.language(), 0L)));
        });
  }

  /** {@code queue.position}: a waiting patient's place and estimated wait (absent when unknown). */
  public record Position(String conversationId, int position, Long estimatedWaitSeconds) implements fi.kanava.ws.ServerFrame {
    @Override
    public String type() {
      return "queue.position";
    }
  }

  @Override
  public Future<Place> placeOf(ConversationRecord c) {
    return positionOf(c).map(p -> new Place(p.getInteger("position"), p.getLong("estimatedWaitSeconds")));
  }

  /** The {@code queue.waiting} frame of a waiting-list snapshot. */
  static JsonObject waitingListFrame(JsonObject snapshot) {
    return snapshot.copy().put("type", "queue.waiting");
  }

  /** The queue's assignments in the last {@link WaitEstimate#WINDOW}, by the conversation's language. */
  private Future<Map<String, Long>> assignmentsInWindow(String queueId) {
    return pool.preparedQuery("select language, count(*) from conversation where queue_id = $1 and assigned_at >= $2 group by language")
        .execute(Tuple.of(queueId, Timestamps.at(clock.instant().minus(WaitEstimate.WINDOW))))
        .map(rows -> {
          Map<String, Long> out = new HashMap<>();
          rows.forEach(row -> out.put(row.getString(0), row.getLong(1)));
          return out;
        });
  }
}
