package fi.kanava.conversation;

/**
 * How soon a patient's care need should be handled, as classified by a queue's pre-questionnaire.
 * Ordered from the most urgent to the least: {@link #rank()} 0 is the most urgent.
 */
public enum Urgency {
  /** Needs attention now (chest pain, difficulty breathing). */
  IMMEDIATE("immediate"),
  /** Should be handled today. */
  SAME_DAY("same_day"),
  /** Can wait its turn. */
  NON_URGENT("non_urgent");

  private final String code;

  Urgency(String code) {
    this.code = code;
  }

  /** The code used in JSON and in the database: {@code immediate}, {@code same_day} or {@code non_urgent}. */
  public String code() {
    return code;
  }

  /** 0 for {@link #IMMEDIATE}, 1 for {@link #SAME_DAY}, 2 for {@link #NON_URGENT}: lower is more urgent. */
  public int rank() {
    return ordinal();
  }

  /**
   * The urgency with the given {@link #code()}.
   *
   * @throws IllegalArgumentException if the code is null or unknown
   */
  public static Urgency fromCode(String code) {
    for (Urgency urgency : values()) {
      if (urgency.code.equals(code)) {
        return urgency;
      }
    }
    throw new IllegalArgumentException("unknown urgency '" + code + "'");
  }

  /** The more urgent of the two (either when they are equal). Neither may be null. */
  public static Urgency mostUrgent(Urgency a, Urgency b) {
    if (a == null || b == null) {
      throw new NullPointerException("urgency");
    }
    return a.rank() <= b.rank() ? a : b;
  }
}
