package fi.kanava.queue;

import fi.kanava.conversation.Urgency;

import java.util.List;
import java.util.Objects;

/**
 * What a patient's answers to a {@link Questionnaire} amount to: an urgency class and the answers
 * on the path taken, in order, ready to show to the nurse.
 *
 * @param urgency the most urgent urgency the answers triggered; {@link Urgency#NON_URGENT} if none
 * @param summary one line per answered question on the path, in questionnaire order
 */
public record Assessment(Urgency urgency, List<SummaryLine> summary) {
  public Assessment {
    Objects.requireNonNull(urgency);
    summary = List.copyOf(summary);
  }
}
