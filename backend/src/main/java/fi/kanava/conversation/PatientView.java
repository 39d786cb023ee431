package fi.kanava.conversation;

import java.time.Instant;

/**
 * What a patient sees of their conversation: its state, their place in the queue, who they talk
 * to by name and role, how far each side has read, and how it ended. Built from the data, field by
 * field; it has no triage, no notes and no professional's id, so none can reach a patient.
 */
public record PatientView(
    String id,
    String queueId,
    String state,
    String urgency,
    String language,
    String municipality,
    Instant enqueuedAt,
    Instant assignedAt,
    Instant acceptedAt,
    Professional professional,
    long lastSeq,
    ReadUpTo readUpTo,
    String outcome,
    String outcomeDetail,
    Integer position,
    Long estimatedWaitSeconds,
    Long estimatedWaitLowSeconds,
    Long estimatedWaitHighSeconds,
    String noEstimateReason,
    Transfer transfer) {

  /** The professional as a patient sees them. */
  public record Professional(String name, String role) {}

  public record ReadUpTo(long patient, long professional) {}

  /**
   * The current transfer as the patient sees it: where the conversation moves ({@code target} as in
   * {@code transfer.started}), by when to answer, and their answer about the earlier messages:
   * {@code pending}, {@code granted}, {@code refused} or {@code expired}, decided at {@code
   * decidedAt}. No handover note.
   */
  public record Transfer(String transferId, Target target, Instant answerBy, String consent, Instant decidedAt) {}

  /** A queue (by id; the client names it from its bundles) or a professional by name and role. */
  public record Target(String kind, String queueId, String name, String role) {}

  public static PatientView of(ConversationRecord c) {
    return of(c, null);
  }

  /** With the patient's place in the queue while waiting. */
  public static PatientView of(ConversationRecord c, QueuePlaces.Place place) {
    return new PatientView(c.id().toString(), c.queueId(), c.state().code(), c.urgency(), c.language(), c.municipality(),
        c.enqueuedAt(), c.assignedAt(), c.acceptedAt(),
        c.assignedTo() == null ? null : new Professional(c.professionalName(), c.professionalRole()),
        c.lastSeq(), new ReadUpTo(c.patientReadSeq(), c.professionalReadSeq()), c.outcome(), c.outcomeDetail(),
        place == null ? null : place.position(), place == null ? null : place.estimatedWaitSeconds(),
        place == null ? null : place.estimatedWaitLowSeconds(), place == null ? null : place.estimatedWaitHighSeconds(),
        place == null ? null : place.noEstimateReason(), transfer(c.latestTransfer()));
  }

  /** The current transfer (where to, and the patient's consent answer), as both views carry it; null when there is none. */
  static Transfer transfer(ConversationRecord.LatestTransfer t) {
    if (t == null) {
      return null;
    }
    Target target = t.toQueue() != null ? new Target("queue", t.toQueue(), null, null) : new Target("professional", null, t.toName(), t.toRole());
    return new Transfer(t.id().toString(), target, t.answerBy(), t.consent(), t.consentAt());
  }
}
