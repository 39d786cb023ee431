package fi.kanava.report;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.AdminTarget;
import fi.kanava.access.AccessPolicy.SystemAction;
import fi.kanava.auth.Principal;
import fi.kanava.infra.ApiError;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Monthly reports for supervisors (and admins, platform admins per their scope): the figures of
 * each queue of the caller's organisation, or of one queue, for one calendar month in the
 * organisation's time zone. Reading figures is decided by {@link fi.kanava.access.AccessPolicy}
 * ({@code READ_FIGURES}); a refusal is audited as /metrics' is.
 */
public final class Reports {
  /** Month boundaries: midnight in the wellbeing areas' time zone (Finland), daylight saving included. */
  public static final ZoneId TIME_ZONE = ZoneId.of("Europe/Helsinki");
  static final String PURPOSE = "monthly_report";

  private static final Pattern MONTH = Pattern.compile("\\d{4}-\\d{2}");

  private final ReportStore store;
  private final AccessGuard guard;
  private final fi.kanava.feedback.ProfessionalFeedback professionalFeedback;

  public Reports(Pool pool, AccessGuard guard, fi.kanava.feedback.ProfessionalFeedback professionalFeedback) {
    this.store = new ReportStore(pool);
    this.guard = guard;
    this.professionalFeedback = professionalFeedback;
  }

  /**
   * The month's professional feedback about the tool in the principal's figures scope (its own
   * organisation; every one for a platform admin), apart from the queues' patient figures. Called
   * once {@link #monthly} has allowed the read.
   */
  Future<fi.kanava.feedback.ProfessionalFeedback.Figures> professional(Principal principal, YearMonth month) {
    Instant from = month.atDay(1).atStartOfDay(TIME_ZONE).toInstant();
    Instant to = month.plusMonths(1).atDay(1).atStartOfDay(TIME_ZONE).toInstant();
    return professionalFeedback.figures(guard.figuresScope(principal).filter(), from, to);
  }

  /**
   * The month {@code yyyy-MM} (400 {@code invalid_parameter} when missing or not a month), read
   * before the access check answers so that bad input never reaches the database.
   */
  public static YearMonth month(String value) {
    if (value == null || !MONTH.matcher(value).matches()) {
      throw ApiError.badRequest("invalid_parameter", "'month' must be a month as yyyy-MM, for example 2026-11");
    }
    try {
      YearMonth month = YearMonth.parse(value);
      if (month.getYear() < 2000) {
        throw ApiError.badRequest("invalid_parameter", "'month' must be 2000-01 or later");
      }
      return month;
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("invalid_parameter", "'month' must be a month as yyyy-MM, for example 2026-11");
    }
  }

  /**
   * The report of {@code month} for one queue ({@code queueId}) or every queue in the principal's
   * scope. Refused (403, audited) for anyone who may not read figures, or not this queue's; 404
   * {@code queue_not_found} for an unknown queue.
   */
  public Future<MonthlyReport> monthly(Principal principal, YearMonth month, String queueId) {
    return monthly(principal, month, queueId, ReportStore.Grouping.QUEUE);
  }

  /**
   * The grouping of the rows, {@code queue} (the default, when null) or {@code unit} (400 {@code
   * invalid_parameter} otherwise), read before the access check like the month.
   */
  static ReportStore.Grouping grouping(String value) {
    if (value == null) {
      return ReportStore.Grouping.QUEUE;
    }
    for (ReportStore.Grouping g : ReportStore.Grouping.values()) {
      if (g.key().equals(value)) {
        return g;
      }
    }
    throw ApiError.badRequest("invalid_parameter", "'by' must be queue or unit");
  }

  /** As {@link #monthly(Principal, YearMonth, String)}, with rows by queue or by unit; the total is the same. */
  Future<MonthlyReport> monthly(Principal principal, YearMonth month, String queueId, ReportStore.Grouping by) {
    return guard.require(principal, SystemAction.READ_FIGURES, PURPOSE)
        .compose(v -> queueId == null ? store.queues(guard.figuresScope(principal).filter()).map(qs -> new Scope(qs,
                guard.figuresScope(principal).filter()))
            : one(principal, queueId))
        .compose(scope -> (by == ReportStore.Grouping.QUEUE ? Future.succeededFuture(scope.queues()) : store.units(scope.organisation()))
            .compose(rows -> report(month, scope.queues(), rows, by, queueId == null, scope.organisation()))
            .compose(r -> store.referrals(scope.organisation(), r.from(), r.to())
                .map(referrals -> new MonthlyReport(r.month(), r.timeZone(), r.from(), r.to(), r.queues(), r.total(), referrals, by))));
  }

  /** The queues a report covers and the organisation whose referrals it counts (null: every one). */
  private record Scope(List<ReportStore.QueueName> queues, String organisation) {}

  private Future<Scope> one(Principal principal, String queueId) {
    return store.queue(queueId).compose(found -> found.isEmpty()
        ? Future.failedFuture(ApiError.notFound("queue_not_found", "No such queue"))
        : guard.require(principal, SystemAction.READ_FIGURES, AdminTarget.organisation(found.get().organisationId()), PURPOSE)
            .map(v -> new Scope(List.of(found.get().queue()), java.util.Objects.requireNonNullElse(found.get().organisationId(), ""))));
  }

  /**
   * The figures per row (the queues, or the units and, when any event has none, a row without a unit)
   * and in total; consultations to a named colleague count in the total of a report of every queue.
   */
  private Future<MonthlyReport> report(YearMonth month, List<ReportStore.QueueName> queues, List<ReportStore.QueueName> rowNames,
      ReportStore.Grouping by, boolean named, String organisation) {
    Instant from = month.atDay(1).atStartOfDay(TIME_ZONE).toInstant();
    Instant to = month.plusMonths(1).atDay(1).atStartOfDay(TIME_ZONE).toInstant();
    List<String> ids = queues.stream().map(ReportStore.QueueName::id).toList();
    return store.counts(from, to, ids, by).compose(counts -> store.consultations(from, to, ids, named, organisation, by).compose(consults ->
        store.visits(from, to, ids, named, organisation, by).map(visits -> {
          List<ReportStore.QueueName> names = new ArrayList<>(rowNames);
          String none = ReportStore.NO_UNIT;
          if (by == ReportStore.Grouping.UNIT && (counts.containsKey(none) || consults.containsKey(none) || visits.containsKey(none))) {
            names.add(new ReportStore.QueueName(none, null));
          }
          List<MonthlyReport.Figures> rows = new ArrayList<>();
          for (ReportStore.QueueName q : names) {
            String id = none.equals(q.id()) ? null : q.id();
            rows.add(figures(id, q.name(), counts.get(q.id()), consults.getOrDefault(q.id(), MonthlyReport.Consults.NONE),
                visits.getOrDefault(q.id(), MonthlyReport.Visits.NONE)));
          }
          MonthlyReport.Consults all = consults.values().stream().reduce(MonthlyReport.Consults.NONE, MonthlyReport.Consults::plus);
          MonthlyReport.Visits allVisits = visits.values().stream().reduce(MonthlyReport.Visits.NONE, MonthlyReport.Visits::plus);
          return new MonthlyReport(month, TIME_ZONE, from, to, rows, figures(null, null, counts.get(ReportStore.TOTAL), all, allVisits));
        })));
  }

  private static MonthlyReport.Figures figures(String queueId, String name, ReportStore.Counts c, MonthlyReport.Consults consults,
      MonthlyReport.Visits visits) {
    ReportStore.Counts n = c == null ? new ReportStore.Counts() : c;
    return new MonthlyReport.Figures(queueId, name, n.contacts, n.closed, n.resolved, MonthlyReport.share(n.resolved, n.closed),
        n.transferred, MonthlyReport.share(n.transferred, n.contacts), n.waits, MonthlyReport.seconds(n.p50), MonthlyReport.seconds(n.p90),
        n.abandoned, n.promoters, n.passives, n.detractors, MonthlyReport.nps(n.promoters, n.passives, n.detractors), n.asked, n.answered,
        MonthlyReport.share(n.answered, n.asked), n.active, new java.util.TreeMap<>(Map.copyOf(n.unmet)), consults, visits);
  }
}
