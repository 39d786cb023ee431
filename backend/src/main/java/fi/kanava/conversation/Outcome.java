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
  /** The patient ended the conversation once a professional had joined (before that, leaving is {@link #ABANDONED}). */
  public static final String ENDED_BY_PATIENT = "ended_by_patient";
  /**
   * A referral's thread ended with its referral (detail: {@code completed}, {@code declined} or
   * {@code closed_by_partner}). Not a chat outcome: threads are in no queue, so not in {@link #ALL}.
   */
  public static final String REFERRAL_ENDED = "referral_ended";

  /** Every outcome, in the order reports list them (metrics register each at zero). */
  public static final List<String> ALL = List.of(RESOLVED, REFERRED, APPOINTMENT_BOOKED, REDIRECTED_TO_URGENT_CARE, ABANDONED, ENDED_BY_PATIENT,
      EXPIRED);

  private static final Set<String> BY_PROFESSIONAL = Set.of(RESOLVED, REFERRED, APPOINTMENT_BOOKED, REDIRECTED_TO_URGENT_CARE);

  private Outcome() {}

  public static boolean closableByProfessional(String outcome) {
    return BY_PROFESSIONAL.contains(outcome);
  }

  /** Outcomes of the patient's own doing: a retried end finds one of these and is answered again. */
  public static boolean byPatient(String outcome) {
    return ABANDONED.equals(outcome) || ENDED_BY_PATIENT.equals(outcome);
  }
}
