package fi.kanava.report;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The SQL of the monthly report: read-only aggregates over the recorded events (conversations,
 * their participants and transfers, feedback responses), so any past month can be recomputed.
 * Each query groups by queue and, with {@code grouping sets}, also in total: the total row has a
 * null queue and counts each thing once (a professional active in two queues is one account).
 * Every statement takes the month as [$1, $2) and the queues as $3.
 */
final class ReportStore {
  /** The key of the row of events with no unit (no professional, or one without a unit): never a unit id (they start with [a-z0-9]). */
  static final String NO_UNIT = "-";

  /**
   * The conversations that can count in the month (entered before its end, not closed before its
   * start), with the queue they were entered in (the source of their first transfer, else their
   * queue: a transfer moves the row to its target queue), whether they were ever transferred, and
   * their first assignment (a transfer clears {@code assigned_at}; the first acceptance, kept as
   * the first 'assigned' participant, stands in for it then), and the unit of the professional who
   * first accepted it (their unit now: an account's unit is not kept as history; {@link #NO_UNIT} when
   * none, or no professional took it). A chat visit's conversation is not a contact: the visit counts
   * as a remote visit (docs/metrics.md, "Monthly report").
   */
  private static final String CONVERSATIONS = "with conv as ("
      + " select c.id, c.queue_id, c.language, c.enqueued_at, c.closed_at, c.outcome, c.accepted_at,"
      + "  coalesce((select t.from_queue from conversation_transfer t where t.conversation_id = c.id order by t.created_at, t.id limit 1),"
      + "   c.queue_id) as entry_queue,"
      + "  exists (select 1 from conversation_transfer t where t.conversation_id = c.id) as transferred,"
      + "  least(c.assigned_at, (select min(p.joined_at) from conversation_participant p"
      + "   where p.conversation_id = c.id and p.kind = 'assigned')) as first_assigned,"
      + "  coalesce((select a.unit_id from conversation_participant p join account a on a.id = p.account_id"
      + "   where p.conversation_id = c.id and p.kind = 'assigned' order by p.joined_at, a.id limit 1), '" + NO_UNIT + "') as unit"
      + " from conversation c where c.enqueued_at < $2 and (c.closed_at is null or c.closed_at >= $1) and c.visit_id is null)";

  /** Contacts entered in the month, and how many of them were ever transferred; by the queue they entered. */
  private static String contacts(String key) {
    return CONVERSATIONS + " select " + key + ", count(*), count(*) filter (where transferred) from conv"
        + " where enqueued_at >= $1 and entry_queue = any($3) group by grouping sets ((" + key + "), ())";
  }

  /** Waits from entering to the first assignment, for first assignments in the month; by the queue entered. */
  private static String waits(String key) {
    return CONVERSATIONS + " select " + key + ", count(*),"
        + "  percentile_cont(0.5) within group (order by extract(epoch from first_assigned - enqueued_at)),"
        + "  percentile_cont(0.9) within group (order by extract(epoch from first_assigned - enqueued_at))"
        + " from conv where first_assigned >= $1 and first_assigned < $2 and entry_queue = any($3)"
        + " group by grouping sets ((" + key + "), ())";
  }

  /**
   * Closes in the month by outcome, and those a professional had accepted (whose patient was asked
   * for feedback) with how many answered the recommendation question; by the queue at the close.
   */
  private static String closes(String key) {
    return CONVERSATIONS
        + " select " + key + ", count(*), count(*) filter (where outcome = 'resolved'), count(*) filter (where outcome = 'abandoned'),"
        + "  count(*) filter (where accepted_at is not null),"
        + "  count(*) filter (where accepted_at is not null and exists (select 1 from feedback_response f"
        + "   where f.event_kind = 'conversation' and f.event_id = conv.id and f.score is not null))"
        + " from conv where closed_at >= $1 and closed_at < $2 and queue_id = any($3) group by grouping sets ((" + key + "), ())";
  }

  /**
   * Completed visits that ended in the month: the patients and relatives let in (each asked for
   * feedback, as fi.kanava.visit.Visit.Member#asksFeedback says) and how many of them answered the
   * recommendation question; by the visit's queue, or its unit.
   */
  private static String visitFeedback(String key) {
    return "select " + key + ", count(*), count(*) filter (where exists (select 1 from feedback_response f"
        + "   where f.event_kind = 'visit' and f.event_id = v.id and f.respondent = m.id and f.score is not null))"
        + " from visit v join visit_member m on m.visit_id = v.id"
        + " where v.state = 'completed' and v.ended_at >= $1 and v.ended_at < $2 and v.queue_id = any($3)"
        + "  and m.kind in ('patient', 'relative') and m.admitted_at is not null and m.removed_at is null"
        + " group by grouping sets ((" + key + "), ())";
  }

  /** Answers to the recommendation question given in the month, by NPS category; by the response's queue. */
  private static final String FEEDBACK = "select queue_id, count(*) filter (where score >= 9),"
      + " count(*) filter (where score between 7 and 8), count(*) filter (where score <= 6)"
      + " from feedback_response where created_at >= $1 and created_at < $2 and score is not null and queue_id = any($3)"
      + " group by grouping sets ((queue_id), ())";

  /**
   * Distinct professionals who accepted (or took) a conversation in the month, by the queue it was
   * in then: the source of the first transfer after the acceptance, else the conversation's queue.
   */
  private static String active(String key) {
    return "with accepted as (select p.account_id, coalesce(a.unit_id, '" + NO_UNIT + "') as unit,"
      + "  coalesce((select t.from_queue from conversation_transfer t where t.conversation_id = p.conversation_id"
      + "   and t.created_at >= p.joined_at order by t.created_at, t.id limit 1), c.queue_id) as queue"
      + " from conversation_participant p join conversation c on c.id = p.conversation_id join account a on a.id = p.account_id"
      + " where p.kind = 'assigned' and p.joined_at >= $1 and p.joined_at < $2 and c.visit_id is null)"
      + " select " + key + ", count(distinct account_id) from accepted where queue = any($3) group by grouping sets ((" + key + "), ())";
  }

  /**
   * Contacts entered in the month in a language that no member of the queue they entered speaks
   * (membership and languages as they are now: neither is kept as history); by queue and language.
   */
  private static String unmet(String key) {
    return CONVERSATIONS + " select " + key + ", language, count(*) from conv where enqueued_at >= $1 and entry_queue = any($3)"
        + "  and not exists (select 1 from queue_member m join account a on a.id = m.account_id"
        + "   where m.queue_id = conv.entry_queue and conv.language = any(a.languages))"
        + " group by grouping sets ((" + key + ", language), (language))";
  }

  /**
   * Answers to the recommendation question given in the month, by NPS category; by the unit recorded
   * with each answer (the service unit of the event's professional when it was given: a conversation's
   * first acceptor, a visit's unit), which is the feedback meters' {@code unit} label too. Same
   * responses as {@link #FEEDBACK}.
   */
  private static final String FEEDBACK_BY_UNIT = "with fb as (select f.score, coalesce(f.unit_id, '" + NO_UNIT + "') as unit"
      + " from feedback_response f"
      + " where f.created_at >= $1 and f.created_at < $2 and f.score is not null and f.queue_id = any($3))"
      + " select unit, count(*) filter (where score >= 9), count(*) filter (where score between 7 and 8), count(*) filter (where score <= 6)"
      + " from fb group by grouping sets ((unit), ())";

  /** The figures' rows: by queue (where each event counts is said at each query), or by the unit of the professional who served it. */
  enum Grouping {
    QUEUE, UNIT;

    /** The query parameter's value. */
    String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }


  /** A row of the report (a queue, or a unit): its id and its name. */
  record QueueName(String id, String name) {}

  /** The raw counts of one row (a queue, or the total under the key {@link #TOTAL}). */
  static final class Counts {
    long contacts;
    long transferred;
    long waits;
    Double p50;
    Double p90;
    long closed;
    long resolved;
    long abandoned;
    long asked;
    long answered;
    long promoters;
    long passives;
    long detractors;
    long active;
    final Map<String, Long> unmet = new HashMap<>();
  }

  static final String TOTAL = "";

  private final Pool pool;

  ReportStore(Pool pool) {
    this.pool = pool;
  }

  /** The queues in scope, by id: every queue of the organisation (null: of every one). */
  Future<List<QueueName>> queues(String organisationId) {
    return pool.preparedQuery("select id, coalesce(names->>'fi', names->>'en', id) from queue"
            + " where ($1::text is null or organisation_id = $1) order by id")
        .execute(Tuple.of(organisationId))
        .map(rows -> {
          List<QueueName> out = new ArrayList<>();
          rows.forEach(row -> out.add(new QueueName(row.getString(0), row.getString(1))));
          return out;
        });
  }

  /** The units of the organisation (null: of every one), by id, with their names. */
  Future<List<QueueName>> units(String organisationId) {
    return pool.preparedQuery("select id, name from unit where ($1::text is null or organisation_id = $1) order by id")
        .execute(Tuple.of(organisationId))
        .map(rows -> {
          List<QueueName> out = new ArrayList<>();
          rows.forEach(row -> out.add(new QueueName(row.getString(0), row.getString(1))));
          return out;
        });
  }

  /** One queue's name, or empty when no such queue exists, with its organisation. */
  Future<Optional<QueueOwner>> queue(String queueId) {
    return pool.preparedQuery("select id, coalesce(names->>'fi', names->>'en', id), organisation_id from queue where id = $1")
        .execute(Tuple.of(queueId))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row row = rows.iterator().next();
          return Optional.of(new QueueOwner(new QueueName(row.getString(0), row.getString(1)), row.getString(2)));
        });
  }

  record QueueOwner(QueueName queue, String organisationId) {}

  /**
   * The raw counts of the month [from, to) for these queues, keyed by queue id (or unit id, {@link
   * #NO_UNIT}) and {@link #TOTAL}. The events counted are the same either way, so the totals are too.
   */
  Future<Map<String, Counts>> counts(Instant from, Instant to, List<String> queueIds, Grouping by) {
    boolean queue = by == Grouping.QUEUE;
    Map<String, Counts> out = new LinkedHashMap<>();
    Function<String, Counts> row = q -> out.computeIfAbsent(q == null ? TOTAL : q, k -> new Counts());
    Tuple month = Tuple.of(Timestamps.at(from), Timestamps.at(to), queueIds.toArray(String[]::new));
    return Future.all(List.of(
            run(contacts(queue ? "entry_queue" : "unit"), month, r -> {
              Counts c = row.apply(r.getString(0));
              c.contacts = r.getLong(1);
              c.transferred = r.getLong(2);
            }),
            run(waits(queue ? "entry_queue" : "unit"), month, r -> {
              Counts c = row.apply(r.getString(0));
              c.waits = r.getLong(1);
              c.p50 = r.getDouble(2);
              c.p90 = r.getDouble(3);
            }),
            run(closes(queue ? "queue_id" : "unit"), month, r -> {
              Counts c = row.apply(r.getString(0));
              c.closed = r.getLong(1);
              c.resolved = r.getLong(2);
              c.abandoned = r.getLong(3);
              c.asked += r.getLong(4);
              c.answered += r.getLong(5);
            }),
            run(visitFeedback(queue ? "v.queue_id" : "coalesce(v.unit_id, '" + NO_UNIT + "')"), month, r -> {
              Counts c = row.apply(r.getString(0));
              c.asked += r.getLong(1);
              c.answered += r.getLong(2);
            }),
            run(queue ? FEEDBACK : FEEDBACK_BY_UNIT, month, r -> {
              Counts c = row.apply(r.getString(0));
              c.promoters = r.getLong(1);
              c.passives = r.getLong(2);
              c.detractors = r.getLong(3);
            }),
            run(active(queue ? "queue" : "unit"), month, r -> row.apply(r.getString(0)).active = r.getLong(1)),
            run(unmet(queue ? "entry_queue" : "unit"), month, r -> row.apply(r.getString(0)).unmet.put(r.getString(1), r.getLong(2)))))
        .map(v -> out);
  }

  private Future<Void> run(String sql, Tuple params, Consumer<Row> each) {
    return pool.preparedQuery(sql).execute(params).map((RowSet<Row> rows) -> {
      rows.forEach(each);
      return null;
    });
  }

  /**
   * Partner referrals made in [from, to) by professionals of the organisation ({@code organisation}
   * null: of every one), counted by their outcome now.
   */
  Future<java.util.SortedMap<String, Long>> referrals(String organisation, Instant from, Instant to) {
    return pool.preparedQuery("select outcome, count(*) from referral where ($1::text is null or referring_organisation_id = $1)"
            + " and created_at >= $2 and created_at < $3 group by outcome")
        .execute(Tuple.of(organisation, fi.kanava.infra.Timestamps.at(from), fi.kanava.infra.Timestamps.at(to)))
        .map(rows -> {
          java.util.SortedMap<String, Long> out = new java.util.TreeMap<>();
          for (String outcome : MonthlyReport.REFERRAL_OUTCOMES) {
            out.put(outcome, 0L);
          }
          rows.forEach(row -> out.put(row.getString(0), row.getLong(1)));
          return out;
        });
  }

  /**
   * Consultations asked in [from, to), by the consult queue they were sent to (key null: to a named
   * colleague; counted only with {@code named}, for professionals of {@code organisation}, null: every one);
   * or by the unit of the professional who asked.
   */
  Future<Map<String, MonthlyReport.Consults>> consultations(Instant from, Instant to, List<String> queueIds, boolean named, String organisation,
      Grouping by) {
    String key = by == Grouping.QUEUE ? "k.queue_id" : "coalesce(r.unit_id, '" + NO_UNIT + "')";
    return pool.preparedQuery("select " + key + ", count(*), count(*) filter (where k.urgency = 'urgent'),"
            + " count(*) filter (where k.state = 'closed'), count(*) filter (where k.breached_at is not null)"
            + " from consultation k join account r on r.id = k.requester_id"
            + " where k.created_at >= $1 and k.created_at < $2"
            + " and (k.queue_id = any($3) or ($4 and k.queue_id is null and ($5::text is null or r.organisation_id = $5)))"
            + " group by 1")
        .execute(Tuple.of(fi.kanava.infra.Timestamps.at(from), fi.kanava.infra.Timestamps.at(to), queueIds.toArray(new String[0]), named,
            organisation))
        .map(rows -> {
          Map<String, MonthlyReport.Consults> out = new java.util.HashMap<>();
          rows.forEach(row -> out.put(row.getString(0),
              new MonthlyReport.Consults(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4))));
          return out;
        });
  }

  /**
   * Remote visits that started in [from, to) and ended (completed, cancelled, no-show), by the queue
   * they were booked in (key null: without a queue; counted only with {@code unqueued}, of {@code
   * organisation}, null: every one); or by the visit's unit (its professional's).
   */
  Future<Map<String, MonthlyReport.Visits>> visits(Instant from, Instant to, List<String> queueIds, boolean unqueued, String organisation,
      Grouping by) {
    String key = by == Grouping.QUEUE ? "v.queue_id" : "coalesce(v.unit_id, '" + NO_UNIT + "')";
    return pool.preparedQuery("select " + key + ", count(*) filter (where v.state = 'completed'),"
            + " count(*) filter (where v.state = 'cancelled'), count(*) filter (where v.state = 'no_show')"
            + " from visit v where v.starts_at >= $1 and v.starts_at < $2 and v.state in ('completed', 'cancelled', 'no_show')"
            + " and (v.queue_id = any($3) or ($4 and v.queue_id is null and ($5::text is null or v.organisation_id = $5)))"
            + " group by 1")
        .execute(Tuple.of(fi.kanava.infra.Timestamps.at(from), fi.kanava.infra.Timestamps.at(to), queueIds.toArray(new String[0]), unqueued,
            organisation))
        .map(rows -> {
          Map<String, MonthlyReport.Visits> out = new java.util.HashMap<>();
          rows.forEach(row -> out.put(row.getString(0), new MonthlyReport.Visits(row.getLong(1), row.getLong(2), row.getLong(3))));
          return out;
        });
  }
}
