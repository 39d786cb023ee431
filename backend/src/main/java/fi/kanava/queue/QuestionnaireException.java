package fi.kanava.queue;

/**
 * Answers to a {@link Questionnaire} that cannot be accepted. {@link #code()} says why and
 * {@link #questionId()} names the question; the message is English, for logs and developers.
 */
public final class QuestionnaireException extends RuntimeException {
  /** A required question on the answered path has no answer. */
  public static final String ANSWER_MISSING = "answer_missing";
  /** An answer has the wrong type, names an unknown option, is out of bounds or is too long. */
  public static final String ANSWER_INVALID = "answer_invalid";
  /** An answer to a question the branching skipped, or to a question the questionnaire does not have. */
  public static final String ANSWER_NOT_ASKED = "answer_not_asked";

  private final String code;
  private final String questionId;

  /** A refusal with one of the codes above, about the question with the given id. */
  public QuestionnaireException(String code, String questionId, String message) {
    super(message);
    this.code = code;
    this.questionId = questionId;
  }

  static QuestionnaireException invalid(String questionId, String problem) {
    return new QuestionnaireException(ANSWER_INVALID, questionId, "The answer to '" + questionId + "' " + problem);
  }

  /** {@value #ANSWER_MISSING}, {@value #ANSWER_INVALID} or {@value #ANSWER_NOT_ASKED}. */
  public String code() {
    return code;
  }

  /** The id of the question the refusal is about. */
  public String questionId() {
    return questionId;
  }
}
