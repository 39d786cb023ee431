package fi.kanava.conversation;

/** The system messages a feature may append; the client shows each translated by its code. */
public enum SystemMessage {
  PROFESSIONAL_JOINED(Messages.PROFESSIONAL_JOINED),
  RETURNED_TO_QUEUE(Messages.RETURNED_TO_QUEUE);

  private final String code;

  SystemMessage(String code) {
    this.code = code;
  }

  String code() {
    return code;
  }
}
