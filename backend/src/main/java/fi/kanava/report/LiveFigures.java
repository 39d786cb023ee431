package fi.kanava.report;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.SystemAction;
import fi.kanava.auth.Principal;
import fi.kanava.infra.Timestamps;
import fi.kanava.queue.QueueSettings;
import fi.kanava.queue.Queues;
import fi.kanava.ws.ServerFrame;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The supervisor's live figures, per queue of the organisation in their figures scope
 * ({@code READ_FIGURES}): waiting now, since when the oldest has waited, available professionals
 * (as routing counts them), conversations being handled, and today's NPS with its response count,
 * "today" in the queue's own time zone by the injected clock. Counts only: no message, no patient,
 * no person. Read from PostgreSQL each time, so every node shows the same figures.
 */
public final class LiveFigures {
  static final String PURPOSE = "live_figures";

  private static final String SQL = "select s.id, coalesce(q.names->>'fi', q.names->>'en', q.id) as name,"
      + " (select count(*) from conversation c where c.queue_id = s.id and c.state = 'queued') as waiting,"
      + " (select min(c.enqueued_at) from conversation c where c.queue_id = s.id and c.state = 'queued') as oldest,"
      + " (select count(*) from conversation c where c.queue_id = s.id and c.state = 'active' and c.visit_id is null) as active,"
      + " (select count(*) from queue_member m join account a on a.id = m.account_id and a.disabled_at is null"
      + "   join professional_presence p on p.account_id = m.account_id and p.status = 'available' and p.last_seen_at >= $3"
      + "   where m.queue_id = s.id) as available,"
      + " (select count(*) from feedback_response f where f.queue_id = s.id and f.created_at >= s.since and f.score >= 9) as promoters,"
      + " (select count(*) from feedback_response f where f.queue_id = s.id and f.created_at >= s.since and f.score between 7 and 8) as passives,"
      + " (select count(*) from feedback_response f where f.queue_id = s.id and f.created_at >= s.since and f.score <= 6) as detractors"
      + " from unnest($1::text[], $2::timestamptz[]) as s(id, since) join queue q on q.id = s.id"
      + " where q.kind = 'patient' and ($4::text is null or q.organisation_id = $4)"
      // an archived queue takes no new entries; it is shown while something in it still waits or is handled
      + "   and (q.archived_at is null or exists (select 1 from conversation c where c.queue_id = s.id and c.state in ('queued', 'active')))"
      + " order by s.id";

  /** One queue's figures now. {@code nps} is null until today has a scored response. */
  public record QueueFigures(String queueId, String name, String timeZone, int waiting, Instant oldestSince, int available, int active,
      int promoters, int passives, int detractors, int responses, Double nps) {}

  /**
   * {@code figures.live}: the figures of every queue in scope at {@code at} (the server's clock; the
   * oldest wait is {@code at - oldestSince}, which a page keeps counting without asking again).
   */
  public record Snapshot(Instant at, List<QueueFigures> queues) implements ServerFrame {
    @Override
    public String type() {
      return "figures.live";
    }

    /** The figures without the time they were read: two snapshots with equal figures need not both be sent. */
    boolean sameFigures(Snapshot other) {
      return other != null && queues.equals(other.queues);
    }
  }

  private final Pool pool;
  private final Clock clock;
  private final AccessGuard guard;
  private final Queues queues;
  private final Duration offlineGrace;

  public LiveFigures(Pool pool, Clock clock, AccessGuard guard, Queues queues, Duration offlineGrace) {
    this.pool = pool;
    this.clock = clock;
    this.guard = guard;
    this.queues = queues;
    this.offlineGrace = offlineGrace;
  }

  /** The figures the principal may read now; refused (403, audited) to anyone who may not read figures. */
  public Future<Snapshot> snapshot(Principal principal) {
    return guard.require(principal, SystemAction.READ_FIGURES, PURPOSE).compose(v -> read(guard.figuresScope(principal).filter()));
  }

  /** The figures of every queue of {@code organisationId} (null: of every organisation), without an access check. */
  Future<Snapshot> read(String organisationId) {
    Instant now = clock.instant();
    return queues.all().compose(all -> {
      String[] ids = new String[all.size()];
      OffsetDateTime[] since = new OffsetDateTime[all.size()];
      for (int i = 0; i < all.size(); i++) {
        QueueSettings q = all.get(i);
        ids[i] = q.id();
        since[i] = Timestamps.at(LocalDate.ofInstant(now, q.openingHours().timeZone()).atStartOfDay(q.openingHours().timeZone()).toInstant());
      }
      Tuple params = Tuple.tuple().addArrayOfString(ids).addArrayOfOffsetDateTime(since)
          .addOffsetDateTime(Timestamps.at(now.minus(offlineGrace))).addString(organisationId);
      return pool.preparedQuery(SQL).execute(params).map(rows -> {
        java.util.Map<String, String> zones = new java.util.HashMap<>();
        all.forEach(q -> zones.put(q.id(), q.openingHours().timeZone().getId()));
        List<QueueFigures> out = new ArrayList<>();
        for (Row row : rows) {
          int promoters = row.getLong("promoters").intValue();
          int passives = row.getLong("passives").intValue();
          int detractors = row.getLong("detractors").intValue();
          OffsetDateTime oldest = row.getOffsetDateTime("oldest");
          String id = row.getString("id");
          out.add(new QueueFigures(id, row.getString("name"), zones.get(id), row.getLong("waiting").intValue(),
              oldest == null ? null : oldest.toInstant(), row.getLong("available").intValue(), row.getLong("active").intValue(),
              promoters, passives, detractors, promoters + passives + detractors, MonthlyReport.nps(promoters, passives, detractors)));
        }
        return new Snapshot(now, List.copyOf(out));
      });
    });
  }
}
