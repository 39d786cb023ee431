package fi.kanava.conversation;

import java.util.Locale;

/** How someone takes part in a conversation (docs/architecture.md, "Participants"). */
public enum ParticipantKind {
  PATIENT,
  /** The professional the conversation is with. */
  ASSIGNED,
  TRANSFER_RECIPIENT,
  CONSULTANT,
  /** Partner-organisation staff, through a referral with the patient's recorded consent. */
  PARTNER,
  INTERPRETER,
  RELATIVE,
  /** Reads along (a trainee, a supervisor in a review) and never writes. */
  OBSERVER;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ParticipantKind fromCode(String code) {
    return valueOf(code.toUpperCase(Locale.ROOT));
  }
}
