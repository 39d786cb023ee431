package fi.kanava.conversation;

/** The system messages a feature may append; the client shows each translated by its code. */
public enum SystemMessage {
  PROFESSIONAL_JOINED(Messages.PROFESSIONAL_JOINED),
  RETURNED_TO_QUEUE(Messages.RETURNED_TO_QUEUE),
  /** The conversation moves to another service (a queue); the patient's view says which. */
  TRANSFERRED_TO_QUEUE("transferred_to_queue"),
  /** The conversation moves to a named professional; the {@code transfer.started} frame says who. */
  TRANSFERRED_TO_PROFESSIONAL("transferred_to_professional"),
  /** The transfer did not go through: the professional who had the conversation has it again. */
  TRANSFER_RETURNED("transfer_returned"),
  /** The client was referred to a partner organisation (named in the message's {@code argument}), which may contact them. */
  REFERRED_TO_PARTNER("referred_to_partner"),
  /** A consultant joined the conversation; the message names them (docs/protocol.md, "Consultations"). */
  CONSULTANT_JOINED("consultant_joined"),
  /** A consultant took the conversation over: it is with them now; the message names them. */
  CONSULTANT_TOOK_OVER("consultant_took_over");

  private final String code;

  SystemMessage(String code) {
    this.code = code;
  }

  String code() {
    return code;
  }
}
