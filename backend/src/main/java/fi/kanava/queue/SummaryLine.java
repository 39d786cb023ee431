package fi.kanava.queue;

import java.util.Objects;

/**
 * One answered question, rendered in the reader's language.
 *
 * @param questionId the question's id
 * @param question the question's text
 * @param answer the answer: the chosen option's text, a yes/no word, the number in digits, or the
 *     patient's own text
 */
public record SummaryLine(String questionId, String question, String answer) {
  public SummaryLine {
    Objects.requireNonNull(questionId);
    Objects.requireNonNull(question);
    Objects.requireNonNull(answer);
  }
}
