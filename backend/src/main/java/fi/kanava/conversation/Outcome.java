package fi.kanava.conversation;

import java.util.List;
import java.util.Set;

/** How a conversation ended. */
public final class Outcome {
  public static final String RESOLVED = "resolved";
  public static final String REFERRED = "referred";
  public static final String APPOINTMENT_BOOKED = "appointment_booked";
  public static final String REDIRECTED_TO_URGENT_CARE = "redirected_to_urgent_care";
  /** The patient left the queue. */
  public static final String ABANDONED = "abandoned";
  /** Closed by the idle timeout. */
  public static final String EXPIRED = "expired";

  /** Every outcome, in the order reports list them (metrics register each at zero). */
  public static final List<String> ALL = List.of(RESOLVED, REFERRED, APPOINTMENT_BOOKED, REDIRECTED_TO_URGENT_CARE, ABANDONED, EXPIRED);

  private static final Set<String> BY_PROFESSIONAL = Set.of(RESOLVED, REFERRED, APPOINTMENT_BOOKED, REDIRECTED_TO_URGENT_CARE);

  private Outcome() {}

  public static boolean closableByProfessional(String outcome) {
    return BY_PROFESSIONAL.contains(outcome);
  }
}
