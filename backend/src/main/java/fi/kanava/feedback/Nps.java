package fi.kanava.feedback;

/**
 * The Net Promoter Score arithmetic: scores 9-10 are promoters, 7-8 passives, 0-6 detractors; NPS
 * is the promoters' share minus the detractors' share, in points from -100 to 100.
 */
public final class Nps {
  public static final String PROMOTER = "promoter";
  public static final String PASSIVE = "passive";
  public static final String DETRACTOR = "detractor";

  private Nps() {}

  /** The category of a score 0-10. */
  public static String category(int score) {
    if (score < 0 || score > 10) {
      throw new IllegalArgumentException("score " + score + " is not 0-10");
    }
    return score >= 9 ? PROMOTER : score >= 7 ? PASSIVE : DETRACTOR;
  }

  /** The NPS of these counts, or NaN when there are no responses. */
  public static double score(long promoters, long passives, long detractors) {
    long total = promoters + passives + detractors;
    return total == 0 ? Double.NaN : 100.0 * (promoters - detractors) / total;
  }
}
