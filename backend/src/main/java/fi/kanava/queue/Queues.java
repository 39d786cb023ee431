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
import java.util.Optional;
import java.util.UUID;

/** Service queues: settings, who serves them, and the public list patients choose from. */
public final class Queues {
  private static final String COLUMNS =
      "id, names, service_area, municipalities, languages, opening_hours, anonymous_allowed, strong_id_required,"
          + " max_length, routing_mode, questionnaire, canned_phrases, patient_may_write_while_queued,"
          + " feedback_statements";

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

  /** Creates a queue of an organisation, whose admins then manage it. */
  public Future<JsonObject> create(QueueSettings q, String organisationId) {
    Instant now = clock.instant();
    return pool.preparedQuery("insert into queue (" + COLUMNS + ", created_at, updated_at, organisation_id)"
            + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15, $16)")
        .execute(params(q).addValue(Timestamps.at(now)).addValue(organisationId))
        .recover(e -> Future.failedFuture(e instanceof PgException pg && "23505".equals(pg.getSqlState())
            ? ApiError.conflict("queue_exists", "A queue with that id exists")
            : e instanceof PgException pg && "23503".equals(pg.getSqlState())
                ? ApiError.badRequest("unknown_organisation", "No organisation '" + organisationId + "'")
                : e))
        .map(v -> q.toJson().put("organisationId", organisationId));
  }

  /** Whose the queue is: its organisation, or empty for a queue made before queues belonged to one. */
  public Future<Optional<String>> organisationOf(String queueId) {
    return pool.preparedQuery("select organisation_id from queue where id = $1").execute(Tuple.of(queueId))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(notFound())
            : Future.succeededFuture(Optional.ofNullable(rows.iterator().next().getString(0))));
  }

  /**
   * The queues of one organisation, or ({@code organisationId} null) of all, for admins: the
   * settings with the organisation and when the queue was archived (null while it is not).
   */
  public Future<JsonArray> adminList(String organisationId) {
    return pool.preparedQuery("select " + COLUMNS + ", organisation_id, archived_at from queue"
            + " where ($1::text is null or organisation_id = $1) order by id")
        .execute(Tuple.of(organisationId))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(row -> out.add(QueueSettings.fromRow(row).toJson()
              .put("organisationId", row.getString("organisation_id"))
              .put("archivedAt", Optional.ofNullable(row.getOffsetDateTime("archived_at")).map(t -> t.toInstant().toString()).orElse(null))));
          return out;
        });
  }

  public Future<JsonObject> update(QueueSettings q) {
    return pool.preparedQuery("update queue set names = $2, service_area = $3, municipalities = $4, languages = $5,"
            + " opening_hours = $6, anonymous_allowed = $7, strong_id_required = $8, max_length = $9, routing_mode = $10,"
            + " questionnaire = $11, canned_phrases = $12, patient_may_write_while_queued = $13, feedback_statements = $14,"
            + " updated_at = $15 where id = $1")
        .execute(params(q).addValue(Timestamps.at(clock.instant())))
        .compose(rows -> rows.rowCount() == 0 ? Future.failedFuture(notFound()) : Future.succeededFuture(q.toJson()));
  }

  /**
   * Replaces who serves the queue. Unknown, disabled or non-care accounts, and accounts of another
   * organisation than the queue's, are refused and nothing changes; an account named twice is a
   * member once. Answers as {@link #members} does.
   */
  public Future<JsonObject> setMembers(String queueId, Members members) {
    UUID[] ids = members.accountIds().stream().distinct().toArray(UUID[]::new);
    return pool.withTransaction(tx -> tx.preparedQuery("select organisation_id from queue where id = $1 for update").execute(Tuple.of(queueId))
            .compose(rows -> rows.size() == 0 ? Future.failedFuture(notFound())
                : Future.succeededFuture(rows.iterator().next().getString(0)))
            .compose(organisation -> tx.preparedQuery("select count(*) from account where id = any($1)"
                    + " and role in ('nurse', 'physician', 'specialist') and disabled_at is null"
                    + " and ($2::text is null or organisation_id = $2)")
                .execute(Tuple.of(ids, organisation)))
            .compose(rows -> rows.iterator().next().getLong(0) != ids.length
                ? Future.failedFuture(ApiError.badRequest("unknown_account",
                    "Every member must be an existing, enabled nurse, physician or specialist of the queue's organisation"))
                : Future.succeededFuture())
            .compose(v -> tx.preparedQuery("delete from queue_member where queue_id = $1").execute(Tuple.of(queueId)))
            .compose(v -> tx.preparedQuery("insert into queue_member (queue_id, account_id) select $1, unnest($2::uuid[]) on conflict do nothing")
                .execute(Tuple.of(queueId, (Object) ids))))
        .compose(v -> members(queueId));
  }

  /** Who serves the queue: {@code {queueId, accountIds, members: [{id, displayName, role, languages, maxConcurrent, disabled}]}}. */
  public Future<JsonObject> members(String queueId) {
    return get(queueId).compose(q -> pool.preparedQuery("select a.id, a.display_name, a.role, a.languages, a.max_concurrent, a.disabled_at"
            + " from queue_member m join account a on a.id = m.account_id where m.queue_id = $1 order by a.display_name, a.id")
        .execute(Tuple.of(queueId))
        .map(rows -> {
          JsonArray ids = new JsonArray();
          JsonArray list = new JsonArray();
          rows.forEach(row -> {
            ids.add(row.getUUID("id").toString());
            list.add(new JsonObject()
                .put("id", row.getUUID("id").toString())
                .put("displayName", row.getString("display_name"))
                .put("role", row.getString("role"))
                .put("languages", new JsonArray(List.of(row.getArrayOfStrings("languages"))))
                .put("maxConcurrent", row.getInteger("max_concurrent"))
                .put("disabled", row.getOffsetDateTime("disabled_at") != null));
          });
          return new JsonObject().put("queueId", queueId).put("accountIds", ids).put("members", list);
        }));
  }

  /** A professional's maximum of concurrent conversations: {@code {id, maxConcurrent}}. */
  public Future<JsonObject> capacity(UUID accountId) {
    return pool.preparedQuery("select max_concurrent from account where id = $1").execute(Tuple.of(accountId))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(ApiError.notFound("account_not_found", "No such account"))
            : Future.succeededFuture(new JsonObject().put("id", accountId.toString())
                .put("maxConcurrent", rows.iterator().next().getInteger(0))));
  }

  /**
   * Archives the queue (or, {@code archived} false, restores it): an archived queue leaves the
   * patients' list and takes no new entries, while what already waits in it is still routed and
   * served. Archiving twice keeps the first time. Answers {@code {id, archivedAt}}.
   */
  public Future<JsonObject> archive(String queueId, boolean archived) {
    return pool.preparedQuery(archived
            ? "update queue set archived_at = coalesce(archived_at, $2), updated_at = $2 where id = $1 returning archived_at"
            : "update queue set archived_at = null, updated_at = $2 where id = $1 returning archived_at")
        .execute(Tuple.of(queueId, Timestamps.at(clock.instant())))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(notFound()) : Future.succeededFuture(new JsonObject().put("id", queueId)
            .put("archivedAt", Optional.ofNullable(rows.iterator().next().getOffsetDateTime(0)).map(t -> t.toInstant().toString()).orElse(null))));
  }

  /** When each archived queue was archived; a consult queue, never offered to patients, counts as archived from its creation. */
  public Future<Map<String, Instant>> archived() {
    return pool.query("select id, coalesce(archived_at, created_at) from queue where archived_at is not null or kind <> 'patient'")
        .execute().map(rows -> {
      Map<String, Instant> out = new LinkedHashMap<>();
      rows.forEach(row -> out.put(row.getString(0), row.getOffsetDateTime(1).toInstant()));
      return out;
    });
  }

  /** Whether the queue is archived, or a consult queue (docs/protocol.md, "Consultations"): either way it takes no patient's entry. */
  public Future<Boolean> isArchived(SqlClient client, String queueId) {
    return client.preparedQuery("select archived_at is not null or kind <> 'patient' from queue where id = $1").execute(Tuple.of(queueId))
        .map(rows -> rows.size() > 0 && rows.iterator().next().getBoolean(0));
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

  /**
   * The ids of the patient queues a professional serves: the waiting lists the console shows. Their
   * consult queues have none (a consultation's thread waits in no queue; the console lists
   * consultations apart).
   */
  public Future<List<String>> patientQueuesServedBy(UUID accountId) {
    return pool.preparedQuery("select m.queue_id from queue_member m join queue q on q.id = m.queue_id"
            + " where m.account_id = $1 and q.kind = 'patient' order by m.queue_id")
        .execute(Tuple.of(accountId))
        .map(rows -> {
          List<String> out = new ArrayList<>();
          rows.forEach(row -> out.add(row.getString(0)));
          return out;
        });
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
    return Future.all(all(), archived()).compose(both -> pool.query("select queue_id, count(*) from conversation where state = 'queued' group by queue_id")
        .execute()
        .map(rows -> {
          List<QueueSettings> queues = both.resultAt(0);
          Map<String, Instant> archived = both.resultAt(1);
          Map<String, Long> waiting = new LinkedHashMap<>();
          rows.forEach(row -> waiting.put(row.getString(0), row.getLong(1)));
          JsonArray out = new JsonArray();
          for (QueueSettings q : queues) {
            if (archived.containsKey(q.id())) {
              continue;
            }
            boolean open = q.openingHours().isOpen(now);
            out.add(new JsonObject()
                .put("id", q.id())
                .put("names", new JsonObject(new LinkedHashMap<>(q.names())))
                .put("serviceArea", q.serviceArea())
                .put("municipalities", new JsonArray(q.municipalities()))
                .put("languages", new JsonArray(q.languages()))
                .put("anonymousAllowed", q.anonymousAllowed())
                .put("strongIdRequired", q.strongIdRequired())
                .put("patientMayWriteWhileQueued", q.patientMayWriteWhileQueued())
                .put("feedbackStatements", new JsonArray(q.feedbackStatements()))
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
        .addValue(phrases)
        .addValue(q.patientMayWriteWhileQueued())
        .addValue(q.feedbackStatements().toArray(String[]::new));
  }

  public static ApiError notFound() {
    return ApiError.notFound("queue_not_found", "No such queue");
  }

}
