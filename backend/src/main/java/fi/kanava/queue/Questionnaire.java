package fi.kanava.queue;

import fi.kanava.conversation.Urgency;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A queue's care-need pre-questionnaire: questions with simple forward-only branching whose
 * answers classify the need by {@link Urgency}.
 *
 * <p>Definition (see {@link #parse(Map)}):
 *
 * <pre>{@code
 * {"questions": [
 *   {"id": "symptom", "type": "choice", "text": {"fi": "Mikä vaivaa?", "en": "What is wrong?"},
 *    "options": [{"id": "chest_pain", "text": {"fi": "Rintakipu"}, "urgency": "immediate"},
 *                {"id": "fever", "text": {"fi": "Kuume"}, "urgency": "same_day", "next": "fever_days"}]},
 *   {"id": "fever_days", "type": "number", "text": {"fi": "Montako päivää?"}, "min": 0, "max": 60,
 *    "rules": [{"min": 3, "urgency": "same_day"}]},
 *   {"id": "breathing", "type": "yesno", "text": {"fi": "Hengenahdistusta?"}, "yesUrgency": "immediate", "nextYes": "end"},
 *   {"id": "details", "type": "text", "text": {"fi": "Kerro lisää"}, "maxLength": 500}]}
 * }</pre>
 *
 * <p>After a question comes its {@code next} (a later question's id or {@code "end"}), else the
 * following question, else the end. A choice option's {@code next}, and a yes/no question's
 * {@code nextYes} / {@code nextNo}, override the question's. Since a next may only point forward,
 * there are no cycles.
 */
public final class Questionnaire {
  private final List<Question> questions;
  private final Map<String, Integer> positions = new HashMap<>();
  private final Map<String, Object> definition;

  private Questionnaire(List<Question> questions, Map<String, Object> definition) {
    this.questions = questions;
    this.definition = definition;
    for (int i = 0; i < questions.size(); i++) {
      positions.put(questions.get(i).id(), i);
    }
  }

  /**
   * Reads and validates a definition as a JSON parser produces it. Question types are
   * {@code choice}, {@code yesno}, {@code number} and {@code text}; ids are 1 to 40 characters of
   * {@code a-z0-9_}, question ids unique in the questionnaire and option ids in their question;
   * texts need Finnish ({@code fi}) and may have {@code sv}, {@code en}, {@code se}, {@code smn},
   * {@code sms}. {@code required} defaults to true, except for text questions. A text's
   * {@code maxLength} defaults to 500 and must be 1 to 2000. Number {@code min}/{@code max} bounds
   * and rule ranges are inclusive whole numbers. Unknown fields are refused.
   *
   * @throws IllegalArgumentException naming the bad part, e.g. {@code questions[1] (fever_days).next: unknown question 'x'}
   */
  public static Questionnaire parse(Map<String, Object> definition) {
    List<Question> questions = QuestionnaireParser.parse(definition);
    @SuppressWarnings("unchecked")
    Map<String, Object> copy = (Map<String, Object>) Definitions.deepCopy(definition);
    return new Questionnaire(questions, copy);
  }

  /**
   * Assesses a patient's answers, walking from the first question along the branches the answers
   * choose.
   *
   * <p>Answers by question id: an option id (String) for a choice, a Boolean for yes/no, a whole
   * number for a number (Integer, Long, or a Double without a fraction), a String for text
   * (stripped; blank counts as unanswered). A null value counts as unanswered.
   *
   * @param answers answers by question id; null is taken as no answers
   * @param language the language of the summary; texts missing in it, and yes/no words in
   *     languages without them, fall back to Finnish
   * @return the most urgent urgency any answer on the path triggered, and the answered questions
   *     on the path, in order
   * @throws QuestionnaireException {@code answer_missing} if a required question on the path has no
   *     answer, {@code answer_invalid} if an answer is not acceptable, {@code answer_not_asked} if
   *     an answer is given to an unknown question or to one the path skips
   */
  public Assessment evaluate(Map<String, Object> answers, String language) {
    Map<String, Object> given = answers == null ? Map.of() : answers;
    for (String questionId : given.keySet()) {
      if (!positions.containsKey(questionId)) {
        throw new QuestionnaireException(QuestionnaireException.ANSWER_NOT_ASKED, questionId,
            "There is no question '" + questionId + "'");
      }
    }
    Set<String> asked = new HashSet<>();
    Urgency urgency = Urgency.NON_URGENT;
    List<SummaryLine> summary = new ArrayList<>();
    int position = 0;
    while (position < questions.size()) {
      Question question = questions.get(position);
      asked.add(question.id());
      Optional<Question.Answer> answer = question.answer(given.get(question.id()));
      if (answer.isEmpty() && question.required()) {
        throw new QuestionnaireException(QuestionnaireException.ANSWER_MISSING, question.id(),
            "The question '" + question.id() + "' must be answered");
      }
      String next = question.next();
      if (answer.isPresent()) {
        Question.Answer a = answer.get();
        urgency = a.urgency() == null ? urgency : Urgency.mostUrgent(urgency, a.urgency());
        summary.add(new SummaryLine(question.id(), question.text().in(language), a.shown().in(language)));
        next = a.next();
        if (a.urgency() == Urgency.IMMEDIATE) {
          // an immediate need ends the questionnaire: the patient gets emergency guidance at once
          next = Question.END;
        }
      }
      position = next == null ? position + 1 : next.equals(Question.END) ? questions.size() : positions.get(next);
    }
    for (Map.Entry<String, Object> entry : given.entrySet()) {
      Question question = questions.get(positions.get(entry.getKey()));
      if (!asked.contains(entry.getKey()) && question.isGiven(entry.getValue())) {
        throw new QuestionnaireException(QuestionnaireException.ANSWER_NOT_ASKED, entry.getKey(),
            "The question '" + entry.getKey() + "' is not asked with these answers");
      }
    }
    return new Assessment(urgency, summary);
  }

  /** The ids of the questions, in order. */
  public List<String> questionIds() {
    return questions.stream().map(Question::id).toList();
  }

  /**
   * The definition exactly as it was given to {@link #parse(Map)}, as an unmodifiable deep copy,
   * for storing or serving to the browser as JSON.
   */
  public Map<String, Object> toMap() {
    return definition;
  }
}
