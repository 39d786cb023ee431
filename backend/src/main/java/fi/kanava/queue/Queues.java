package fi.kanava.queue;

import fi.kanava.infra.Timestamps;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Require;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Service queues: settings, who serves them, and the public list patients choose from. */
public final class Queues {
  private static final String COLUMNS =
      "id, names, service_area, municipalities, languages, opening_hours, anonymous_allowed, strong_id_required,"
          + " max_length, routing_mode, questionnaire, canned_phrases";

  private final Pool pool;
  private final Clock clock;

  public Queues(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  public record Members(List<UUID> accountIds) {
    @JsonCreator
    public Members(@JsonProperty("accountIds") List<UUID> accountIds) {
      this.accountIds = List.copyOf(Require.present(accountIds, "accountIds"));
    }
  }

  public record Capacity(int maxConcurrent) {
    @JsonCreator
    public Capacity(@JsonProperty("maxConcurrent") Integer maxConcurrent) {
      this(checked(maxConcurrent));
    }

    private static int checked(Integer value) {
      int v = Require.present(value, "maxConcurrent");
      if (v < 1 || v > 50) {
        throw ApiError.badRequest("invalid_field", "Field 'maxConcurrent' must be between 1 and 50");
      }
      return v;
    }
  }

  public Future<QueueSettings> get(String queueId) {
    return get(pool, queueId);
  }

  public Future<QueueSettings> get(SqlClient client, String queueId) {
    return client.preparedQuery("select " + COLUMNS + " from queue where id = $1")
        .execute(Tuple.of(queueId))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(notFound())
            : Future.succeededFuture(QueueSettings.fromRow(rows.iterator().next())));
  }

  public Future<List<QueueSettings>> all() {
    return pool.query("select " + COLUMNS + " from queue order by id").execute().map(rows -> {
      List<QueueSettings> out = new ArrayList<>();
      rows.forEach(row -> out.add(QueueSettings.fromRow(row)));
      return out;
    });
  }

  public Future<JsonObject> create(QueueSettings q) {
    Instant now = clock.instant();
    return pool.preparedQuery("insert into queue (" + COLUMNS + ", created_at, updated_at)"
            + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)")
        .execute(params(q).addValue(Timestamps.at(now)))
        .recover(e -> Future.failedFuture(e instanceof PgException pg && "23505".equals(pg.getSqlState())
            ? ApiError.conflict("queue_exists", "A queue with that id exists") : e))
        .map(v -> q.toJson());
  }

  public Future<JsonObject> update(QueueSettings q) {
    return pool.preparedQuery("update queue set names = $2, service_area = $3, municipalities = $4, languages = $5,"
            + " opening_hours = $6, anonymous_allowed = $7, strong_id_required = $8, max_length = $9, routing_mode = $10,"
            + " questionnaire = $11, canned_phrases = $12, updated_at = $13 where id = $1")
        .execute(params(q).addValue(Timestamps.at(clock.instant())))
        .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(notFound()) : Future.succeededFuture(q.toJson()));
  }

  /** Replaces who serves the queue. Unknown accounts are refused and nothing changes. */
  public Future<JsonObject> setMembers(String queueId, Members members) {
    return pool.withTransaction(tx -> tx.preparedQuery("select id from queue where id = $1 for update").execute(Tuple.of(queueId))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(notFound()) : Future.succeededFuture())
        .compose(v -> tx.preparedQuery("select count(*) from account where id = any($1) and role in ('nurse', 'physician', 'specialist')")
            .execute(Tuple.of((Object) members.accountIds().toArray(UUID[]::new))))
        .compose(rows -> rows.iterator().next().getLong(0) != members.accountIds().stream().distinct().count()
            ? Future.failedFuture(ApiError.badRequest("unknown_account", "Every member must be an existing nurse, physician or specialist"))
            : Future.succeededFuture())
        .compose(v -> tx.preparedQuery("delete from queue_member where queue_id = $1").execute(Tuple.of(queueId)))
        .compose(v -> tx.preparedQuery("insert into queue_member (queue_id, account_id) select $1, unnest($2::uuid[]) on conflict do nothing")
            .execute(Tuple.of(queueId, (Object) members.accountIds().toArray(UUID[]::new))))
        .map(v -> new JsonObject().put("queueId", queueId).put("accountIds", new JsonArray(members.accountIds().stream().map(UUID::toString).toList()))));
  }

  public Future<JsonObject> setCapacity(UUID accountId, Capacity capacity) {
    return pool.preparedQuery("update account set max_concurrent = $2 where id = $1")
        .execute(Tuple.of(accountId, capacity.maxConcurrent()))
        .compose(rows -> rows.rowCount() == 0
            ? Future.failedFuture(ApiError.notFound("account_not_found", "No such account"))
            : Future.succeededFuture(new JsonObject().put("id", accountId.toString()).put("maxConcurrent", capacity.maxConcurrent())));
  }

  /**
   * The SQL that takes a queue's transaction-scoped advisory lock (routing and entering serialise on
   * it), for a queue id given by {@code idExpression}: every lock on a queue must use this key.
   */
  public static String lockQueue(String idExpression) {
    return "pg_advisory_xact_lock(hashtext('kanava.queue.' || " + idExpression + "))";
  }

  /** The ids of the queues a professional serves. */
  public Future<List<String>> servedBy(UUID accountId) {
    return servedBy(pool, accountId);
  }

  /** The ids of the queues a professional serves. */
  public static Future<List<String>> servedBy(SqlClient client, UUID accountId) {
    return client.preparedQuery("select queue_id from queue_member where account_id = $1 order by queue_id")
        .execute(Tuple.of(accountId))
        .map(rows -> {
          List<String> out = new ArrayList<>();
          rows.forEach(row -> out.add(row.getString(0)));
          return out;
        });
  }

  /** What a patient sees when choosing a queue: names, whether it is open and when it opens next. */
  public Future<JsonArray> publicList() {
    Instant now = clock.instant();
    return all().compose(queues -> pool.query("select queue_id, count(*) from conversation where state = 'queued' group by queue_id")
        .execute()
        .map(rows -> {
          Map<String, Long> waiting = new LinkedHashMap<>();
          rows.forEach(row -> waiting.put(row.getString(0), row.getLong(1)));
          JsonArray out = new JsonArray();
          for (QueueSettings q : queues) {
            boolean open = q.openingHours().isOpen(now);
            out.add(new JsonObject()
                .put("id", q.id())
                .put("names", new JsonObject(new LinkedHashMap<>(q.names())))
                .put("serviceArea", q.serviceArea())
                .put("municipalities", new JsonArray(q.municipalities()))
                .put("languages", new JsonArray(q.languages()))
                .put("anonymousAllowed", q.anonymousAllowed())
                .put("strongIdRequired", q.strongIdRequired())
                .put("open", open)
                .put("opensAt", open ? null : q.openingHours().nextOpening(now).map(Instant::toString).orElse(null))
                .put("closesAt", open ? q.openingHours().closesAt(now).map(Instant::toString).orElse(null) : null)
                .put("waiting", waiting.getOrDefault(q.id(), 0L)));
          }
          return out;
        }));
  }

  private static Tuple params(QueueSettings q) {
    JsonObject phrases = new JsonObject();
    q.cannedPhrases().forEach((lang, list) -> phrases.put(lang, new JsonArray(list)));
    return Tuple.of(q.id(), new JsonObject(new LinkedHashMap<>(q.names())), q.serviceArea(), q.municipalities().toArray(String[]::new),
            q.languages().toArray(String[]::new), new JsonObject(q.openingHours().toMap()))
        .addValue(q.anonymousAllowed())
        .addValue(q.strongIdRequired())
        .addValue(q.maxLength())
        .addValue(q.routingMode())
        .addValue(new JsonObject(q.questionnaire().toMap()))
        .addValue(phrases);
  }

  public static ApiError notFound() {
    return ApiError.notFound("queue_not_found", "No such queue");
  }

}
