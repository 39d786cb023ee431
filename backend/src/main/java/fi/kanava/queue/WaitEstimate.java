package fi.kanava.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The position and estimated wait shown to a patient: a range, or "no estimate" with the reason.
 * Pure arithmetic with the time passed in; the method is written out in docs/architecture.md
 * ("Wait estimates").
 *
 * <ol>
 *   <li><b>Position</b>: one more than the conversations ahead (routing order: urgency, then time
 *   waited) that wait for the same professionals. Routing passes over a conversation nobody
 *   available can serve, so the rule kept here is the simple one: the same language.</li>
 *   <li><b>Service rate</b> per professional: the queue's assignments in the last {@link #WINDOW},
 *   each weighted by {@code exp(-age / TIME_CONSTANT)}, so an assignment fades out over the window
 *   instead of dropping out of it all at once (the old count fell from 2 to 1 per hour in one second,
 *   doubling the estimate). The weighted count is divided by what a steady rate of one a minute would
 *   give, and by the number of professionals who took those conversations.</li>
 *   <li><b>Available professionals</b> who can serve the conversation: members of the queue, present
 *   and available, speaking its language. None: no estimate ({@link NoEstimate#NOBODY_AVAILABLE}).
 *   With less than {@link #MIN_WEIGHT} of recent history: no estimate either ({@link NoEstimate#NO_HISTORY}).</li>
 *   <li><b>Centre</b> = position / (available × rate per professional).</li>
 *   <li><b>Range</b>: centre / (1 + s) to centre × (1 + s), with the relative spread
 *   {@code s = sqrt(1/weight + 1/position)} kept within [{@link #MIN_SPREAD}, {@link #MAX_SPREAD}]: wide with
 *   little history or a short line ahead (one slow conversation matters), narrower as both grow.</li>
 *   <li><b>Damping</b>: the centre shown last is first scaled by new position / old position (someone
 *   ahead was served: the wait shrinks at once in proportion), then moves towards the new centre by at
 *   most a quarter of itself, at least {@link #MIN_STEP} and at most {@link #MAX_STEP} per update. So for the
 *   same position two consecutive estimates never differ by more than half an hour.</li>
 * </ol>
 */
public final class WaitEstimate {
  /** How far back assignments count. */
  public static final Duration WINDOW = Duration.ofHours(1);
  /** How fast an assignment's weight fades: to 1/e after this long, to 5 % at the end of the window. */
  public static final Duration TIME_CONSTANT = Duration.ofMinutes(20);
  /** Less weighted history than this (about one assignment in the last quarter of an hour) gives no estimate. */
  public static final double MIN_WEIGHT = 0.5;
  static final double MIN_SPREAD = 0.25;
  static final double MAX_SPREAD = 1.0;
  static final double MAX_STEP_FRACTION = 0.25;
  static final Duration MIN_STEP = Duration.ofMinutes(2);
  static final Duration MAX_STEP = Duration.ofMinutes(30);

  private WaitEstimate() {}

  /** Why a waiting patient is shown no estimate; the code goes in frames as {@code noEstimateReason}. */
  public enum NoEstimate {
    /** Nobody who can serve the conversation is available now. */
    NOBODY_AVAILABLE("nobody_available"),
    /** Too few conversations were taken from the queue recently to measure a pace. */
    NO_HISTORY("no_history");

    private final String code;

    NoEstimate(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }

  /** The recent service rate: conversations taken per professional per minute, and the weighted count it rests on. */
  public record Rate(double perProfessionalPerMinute, double weight) {
    public static final Rate NONE = new Rate(0, 0);
  }

  /** An estimate: a range with its centre, in seconds, or the reason there is none. */
  public record Estimate(Long lowSeconds, Long centreSeconds, Long highSeconds, NoEstimate none) {
    static Estimate none(NoEstimate reason) {
      return new Estimate(null, null, null, reason);
    }

    public boolean known() {
      return none == null;
    }
  }

  /** What was shown last to a waiting patient: the position and the (unrounded) centre, to damp the next update against. */
  public record Shown(int position, double centreSeconds) {}

  /**
   * The positions of a waiting list given the languages of its conversations in routing order: each
   * is one more than the number of conversations before it in the same language.
   */
  public static List<Integer> positions(List<String> languagesInRoutingOrder) {
    Map<String, Integer> seen = new HashMap<>();
    List<Integer> out = new ArrayList<>(languagesInRoutingOrder.size());
    for (String language : languagesInRoutingOrder) {
      out.add(seen.merge(language, 1, Integer::sum));
    }
    return out;
  }

  /**
   * The service rate at {@code now} from the times of the queue's recent assignments (those older
   * than the window or in the future are ignored) and the number of professionals who took them.
   */
  public static Rate rate(Collection<Instant> assignedAt, int professionals, Instant now) {
    double tau = TIME_CONSTANT.toSeconds();
    double weight = 0;
    for (Instant at : assignedAt) {
      long age = Duration.between(at, now).toSeconds();
      if (age >= 0 && age <= WINDOW.toSeconds()) {
        weight += Math.exp(-age / tau);
      }
    }
    if (weight <= 0 || professionals <= 0) {
      return Rate.NONE;
    }
    // a steady rate of r a minute gives an expected weight of r × τ(1 − e^(−W/τ)) minutes
    double minutesAtOnePerMinute = tau / 60 * (1 - Math.exp(-WINDOW.toSeconds() / tau));
    return new Rate(weight / minutesAtOnePerMinute / professionals, weight);
  }

  /**
   * The estimate for a position given the available professionals who can serve it, the recent
   * rate, and what was shown last (null for the first estimate).
   */
  public static Estimate estimate(int position, int available, Rate rate, Shown last) {
    if (available <= 0) {
      return Estimate.none(NoEstimate.NOBODY_AVAILABLE);
    }
    if (position <= 0 || rate.weight() < MIN_WEIGHT || rate.perProfessionalPerMinute() <= 0) {
      return Estimate.none(NoEstimate.NO_HISTORY);
    }
    double raw = position * 60.0 / (available * rate.perProfessionalPerMinute());
    double centre = last == null ? raw : damp(last, position, raw);
    double spread = Math.min(MAX_SPREAD, Math.max(MIN_SPREAD, Math.sqrt(1 / rate.weight() + 1.0 / position)));
    long low = (long) Math.floor(centre / (1 + spread) / 60) * 60;
    long high = Math.max(low + 60, (long) Math.ceil(centre * (1 + spread) / 60) * 60);
    return new Estimate(low, Math.round(centre), high, null);
  }

  /** The centre after damping: the last one scaled to the new position, moved towards the new one by a bounded step. */
  static double damp(Shown last, int position, double raw) {
    double base = last.position() > 0 ? last.centreSeconds() * position / last.position() : raw;
    double step = Math.min(MAX_STEP.toSeconds(), Math.max(MIN_STEP.toSeconds(), MAX_STEP_FRACTION * base));
    return base + Math.max(-step, Math.min(step, raw - base));
  }
}
