package fi.kanava.report;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One month's figures per queue and in total (docs/protocol.md, "Monthly reports"). Aggregates
 * only: no patient, conversation or professional is named. Ratios are rounded once, here, so the
 * JSON and the CSV carry the same numbers.
 */
public record MonthlyReport(YearMonth month, ZoneId timeZone, Instant from, Instant to, List<Figures> queues, Figures total,
    SortedMap<String, Long> referrals, ReportStore.Grouping by) {

  /** The outcomes a partner referral is counted by (fi.kanava.referral.ReferralOutcome). */
  public static final List<String> REFERRAL_OUTCOMES = List.of("referred", "contacted", "started", "declined", "completed");

  /** A report without partner referrals counted. */
  public MonthlyReport(YearMonth month, ZoneId timeZone, Instant from, Instant to, List<Figures> queues, Figures total) {
    this(month, timeZone, from, to, queues, total, new TreeMap<>(), ReportStore.Grouping.QUEUE);
  }

  public MonthlyReport {
    Objects.requireNonNull(month);
    queues = List.copyOf(queues);
    Objects.requireNonNull(total);
    referrals = new TreeMap<>(referrals);
    Objects.requireNonNull(by);
  }

  /**
   * One row: a queue's figures, or the total ({@code queueId} null). In a report by unit, {@code
   * queueId} and {@code queueName} hold the unit's (null in the row of events without a unit, and in
   * the total). Null ratios and waits mean "no events to compute them from", never zero.
   */
  public record Figures(
      String queueId,
      String queueName,
      long contacts,
      long closed,
      long resolvedWithoutReferral,
      Double resolvedWithoutReferralShare,
      long transferred,
      Double transferredShare,
      long waitsMeasured,
      Double waitP50Seconds,
      Double waitP90Seconds,
      long abandoned,
      long promoters,
      long passives,
      long detractors,
      Double nps,
      long feedbackAsked,
      long feedbackAnswered,
      Double responseRate,
      long activeProfessionals,
      SortedMap<String, Long> unmetDemandByLanguage,
      Consults consultations,
      Visits visits) {

    public Figures {
      unmetDemandByLanguage = new TreeMap<>(unmetDemandByLanguage);
      consultations = consultations == null ? Consults.NONE : consultations;
      visits = visits == null ? Visits.NONE : visits;
    }

    public long npsResponses() {
      return promoters + passives + detractors;
    }

    public long unmetDemand() {
      return unmetDemandByLanguage.values().stream().mapToLong(Long::longValue).sum();
    }

    JsonObject toJson(ReportStore.Grouping by) {
      JsonObject unmet = new JsonObject();
      unmetDemandByLanguage.forEach(unmet::put);
      return new JsonObject()
          .put(by.key() + "Id", queueId)
          .put(by.key() + "Name", queueName)
          .put("contacts", contacts)
          .put("closed", closed)
          .put("resolvedWithoutReferral", resolvedWithoutReferral)
          .put("resolvedWithoutReferralShare", resolvedWithoutReferralShare)
          .put("transferred", transferred)
          .put("transferredShare", transferredShare)
          .put("waitsMeasured", waitsMeasured)
          .put("waitP50Seconds", waitP50Seconds)
          .put("waitP90Seconds", waitP90Seconds)
          .put("abandoned", abandoned)
          .put("npsResponses", npsResponses())
          .put("promoters", promoters)
          .put("passives", passives)
          .put("detractors", detractors)
          .put("nps", nps)
          .put("feedbackAsked", feedbackAsked)
          .put("feedbackAnswered", feedbackAnswered)
          .put("responseRate", responseRate)
          .put("activeProfessionals", activeProfessionals)
          .put("unmetDemandByLanguage", unmet)
          .put("consultations", consultations.toJson())
          .put("remoteVisits", visits.toJson());
    }
  }

  /**
   * Consultations asked in the month: of a consult queue's row, those sent to it; of the total, all
   * the report covers (with those to a named colleague when it covers every queue). {@code answered}
   * are closed with an answer, {@code breached} passed their due time unanswered.
   */
  public record Consults(long opened, long urgent, long answered, long breached) {
    public static final Consults NONE = new Consults(0, 0, 0, 0);

    Consults plus(Consults other) {
      return new Consults(opened + other.opened, urgent + other.urgent, answered + other.answered, breached + other.breached);
    }

    JsonObject toJson() {
      return new JsonObject().put("opened", opened).put("urgent", urgent).put("nonUrgent", opened - urgent).put("answered", answered)
          .put("breached", breached);
    }
  }

  /**
   * Remote visits of the month (by their start, in the report's time zone) that ended: completed,
   * cancelled, or a no-show. Of a queue's row, the visits booked in that queue (from its chats, or
   * for it); of the total, all the report covers (with visits booked without a queue when it covers
   * every queue).
   */
  public record Visits(long completed, long cancelled, long noShow) {
    public static final Visits NONE = new Visits(0, 0, 0);

    Visits plus(Visits other) {
      return new Visits(completed + other.completed, cancelled + other.cancelled, noShow + other.noShow);
    }

    JsonObject toJson() {
      return new JsonObject().put("completed", completed).put("cancelled", cancelled).put("noShow", noShow);
    }
  }

  /** A share of a whole, rounded to four decimals; null when the whole is zero. */
  static Double share(long part, long whole) {
    return whole == 0 ? null : round(part / (double) whole, 4);
  }

  /** NPS in points (promoters' share minus detractors' share), one decimal; null without responses. */
  static Double nps(long promoters, long passives, long detractors) {
    double score = fi.kanava.feedback.Nps.score(promoters, passives, detractors);
    return Double.isNaN(score) ? null : round(score, 1);
  }

  static Double seconds(Double value) {
    return value == null ? null : round(value, 1);
  }

  private static double round(double value, int decimals) {
    return java.math.BigDecimal.valueOf(value).setScale(decimals, java.math.RoundingMode.HALF_UP).doubleValue();
  }

  public JsonObject toJson() {
    JsonArray rows = new JsonArray();
    queues.forEach(q -> rows.add(q.toJson(by)));
    return new JsonObject()
        .put("month", month.toString())
        .put("timeZone", timeZone.getId())
        .put("from", from.toString())
        .put("to", to.toString())
        .put("by", by.key())
        .put(by.key() + "s", rows)
        .put("total", total.toJson(by))
        .put("referrals", referralsJson());
  }

  /** Partner referrals made in the month by the organisation's professionals, by their outcome now, and in total. */
  private JsonObject referralsJson() {
    JsonObject byOutcome = new JsonObject();
    long all = 0;
    for (String outcome : REFERRAL_OUTCOMES) {
      long n = referrals.getOrDefault(outcome, 0L);
      byOutcome.put(outcome, n);
      all += n;
    }
    return new JsonObject().put("total", all).put("byOutcome", byOutcome);
  }
}
