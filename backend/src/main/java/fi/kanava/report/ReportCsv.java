package fi.kanava.report;

import fi.kanava.feedback.ProfessionalFeedback;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The monthly report as CSV (RFC 4180): UTF-8, CRLF line ends, a header row, one row per queue (or
 * unit) and a total row, which alone carries the professionals' feedback. A field with a comma, quote or line break is quoted (quotes doubled). A text field
 * that a spreadsheet would take for a formula (starting with =, +, -, @, tab or carriage return)
 * gets a leading apostrophe; numbers are written as numbers (a negative NPS stays -20.0).
 */
final class ReportCsv {
  private ReportCsv() {}

  static String write(MonthlyReport report, ProfessionalFeedback.Figures professional) {
    // one column per language with unmet demand anywhere in the report, in a stable order
    TreeSet<String> languages = new TreeSet<>(report.total().unmetDemandByLanguage().keySet());
    report.queues().forEach(q -> languages.addAll(q.unmetDemandByLanguage().keySet()));
    List<String> header = new ArrayList<>(List.of("month", report.by().key() + "_id", report.by().key() + "_name", "contacts", "closed", "resolved_without_referral",
        "resolved_without_referral_share", "transferred", "transferred_share", "waits_measured", "wait_p50_seconds", "wait_p90_seconds",
        "abandoned", "nps", "nps_responses", "promoters", "passives", "detractors", "feedback_asked", "feedback_answered", "response_rate",
        "active_professionals", "unmet_demand"));
    languages.forEach(l -> header.add("unmet_demand_" + l));
    header.addAll(List.of("consultations", "consultations_urgent", "consultations_answered", "consultations_breached"));
    header.addAll(List.of("visits_completed", "visits_cancelled", "visits_no_show"));
    header.addAll(PROFESSIONAL_COLUMNS);
    StringBuilder out = new StringBuilder();
    line(out, header.stream().map(ReportCsv::text).toList());
    List<String> blank = PROFESSIONAL_COLUMNS.stream().map(c -> "").toList();
    for (MonthlyReport.Figures q : report.queues()) {
      List<String> cells = row(report, q, languages);
      cells.addAll(blank);
      line(out, cells);
    }
    List<String> total = row(report, report.total(), languages);
    total.addAll(professional(professional));
    line(out, total);
    return out.toString();
  }

  private static List<String> row(MonthlyReport report, MonthlyReport.Figures f, TreeSet<String> languages) {
    List<String> cells = new ArrayList<>(List.of(text(report.month().toString()),
        text(f == report.total() ? "total" : java.util.Objects.requireNonNullElse(f.queueId(), "")), text(f.queueName() == null ? "" : f.queueName()),
        number(f.contacts()), number(f.closed()), number(f.resolvedWithoutReferral()), number(f.resolvedWithoutReferralShare()),
        number(f.transferred()), number(f.transferredShare()), number(f.waitsMeasured()), number(f.waitP50Seconds()),
        number(f.waitP90Seconds()), number(f.abandoned()), number(f.nps()), number(f.npsResponses()), number(f.promoters()),
        number(f.passives()), number(f.detractors()), number(f.feedbackAsked()), number(f.feedbackAnswered()), number(f.responseRate()),
        number(f.activeProfessionals()), number(f.unmetDemand())));
    Map<String, Long> unmet = f.unmetDemandByLanguage();
    languages.forEach(l -> cells.add(number(unmet.getOrDefault(l, 0L))));
    MonthlyReport.Consults k = f.consultations();
    cells.addAll(List.of(number(k.opened()), number(k.urgent()), number(k.answered()), number(k.breached())));
    MonthlyReport.Visits v = f.visits();
    cells.addAll(List.of(number(v.completed()), number(v.cancelled()), number(v.noShow())));
    return cells;
  }

  /**
   * The professionals' feedback about the tool, organisation-wide (not a queue's or a unit's, so only
   * in the total row): answers, skips, the answers by NPS category and the NPS.
   */
  private static final List<String> PROFESSIONAL_COLUMNS = List.of("professional_feedback_responses", "professional_feedback_skipped",
      "professional_promoters", "professional_passives", "professional_detractors", "professional_nps");

  private static List<String> professional(ProfessionalFeedback.Figures p) {
    return List.of(number(p.promoters() + p.passives() + p.detractors()), number(p.skipped()), number(p.promoters()), number(p.passives()),
        number(p.detractors()), number(MonthlyReport.nps(p.promoters(), p.passives(), p.detractors())));
  }

  private static void line(StringBuilder out, List<String> cells) {
    out.append(String.join(",", cells)).append("\r\n");
  }

  /** A number as is (empty for none): never a formula, never quoted. */
  private static String number(Number value) {
    if (value == null) {
      return "";
    }
    return value instanceof Double d ? String.format(Locale.ROOT, "%s", d) : value.toString();
  }

  /** A text field, defused against formula injection, quoted when it must be. */
  static String text(String value) {
    String v = value;
    if (!v.isEmpty() && "=+-@\t\r".indexOf(v.charAt(0)) >= 0) {
      v = "'" + v;
    }
    if (v.indexOf(',') >= 0 || v.indexOf('"') >= 0 || v.indexOf('\n') >= 0 || v.indexOf('\r') >= 0) {
      v = '"' + v.replace("\"", "\"\"") + '"';
    }
    return v;
  }
}
