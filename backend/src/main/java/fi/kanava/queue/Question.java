package fi.kanava.queue;

import fi.kanava.conversation.Urgency;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One question of a {@link Questionnaire}, as read by {@link QuestionnaireParser}. A {@code next}
 * is a later question's id or {@link #END}; null means the following question in the list.
 */
sealed interface Question {
  /** The {@code next} that ends the questionnaire. */
  String END = "end";

  String id();

  LocalizedText text();

  boolean required();

  /** Where to go after this question when the answer does not say otherwise; null for the following question. */
  String next();

  /**
   * Reads a value from the answers map.
   *
   * @return the answer, or empty if the value counts as unanswered
   * @throws QuestionnaireException {@code answer_invalid} if the value is not an acceptable answer
   */
  Optional<Answer> answer(Object value);

  /** Whether the value counts as an answer at all (null does not, nor blank text for a text question). */
  default boolean isGiven(Object value) {
    return value != null;
  }

  /**
   * An accepted answer.
   *
   * @param shown how to show the answer to a reader
   * @param urgency the urgency it triggers, or null
   * @param next where to go next; null for the following question
   */
  record Answer(LocalizedText shown, Urgency urgency, String next) {}

  /** A choice option; {@code urgency} and {@code next} may be null. */
  record Option(String id, LocalizedText text, Urgency urgency, String next) {}

  /** Triggers {@code urgency} for answers within {@code [min, max]}; a null bound is open. */
  record NumberRule(Long min, Long max, Urgency urgency) {
    boolean matches(long value) {
      return (min == null || value >= min) && (max == null || value <= max);
    }
  }

  /** Pick one option. */
  record ChoiceQuestion(String id, LocalizedText text, boolean required, String next, List<Option> options) implements Question {
    @Override
    public Optional<Answer> answer(Object value) {
      if (value == null) {
        return Optional.empty();
      }
      if (!(value instanceof String chosen)) {
        throw QuestionnaireException.invalid(id, "must be an option id");
      }
      Option option = options.stream().filter(o -> o.id().equals(chosen)).findFirst()
          .orElseThrow(() -> QuestionnaireException.invalid(id, "names an unknown option '" + chosen + "'"));
      return Optional.of(new Answer(option.text(), option.urgency(), option.next() != null ? option.next() : next));
    }
  }

  /** Yes or no, each with its own urgency and next question. */
  record YesNoQuestion(String id, LocalizedText text, boolean required, String next, Urgency yesUrgency, Urgency noUrgency,
      String nextYes, String nextNo) implements Question {
    static final LocalizedText YES = new LocalizedText(Map.of("fi", "Kyllä", "sv", "Ja", "en", "Yes", "se", "Juo"));
    static final LocalizedText NO = new LocalizedText(Map.of("fi", "Ei", "sv", "Nej", "en", "No", "se", "Ii"));

    @Override
    public Optional<Answer> answer(Object value) {
      if (value == null) {
        return Optional.empty();
      }
      if (!(value instanceof Boolean yes)) {
        throw QuestionnaireException.invalid(id, "must be true or false");
      }
      return Optional.of(yes
          ? new Answer(YES, yesUrgency, nextYes != null ? nextYes : next)
          : new Answer(NO, noUrgency, nextNo != null ? nextNo : next));
    }
  }

  /** A whole number within optional bounds; every matching rule triggers its urgency. */
  record NumberQuestion(String id, LocalizedText text, boolean required, String next, Long min, Long max, List<NumberRule> rules)
      implements Question {
    @Override
    public Optional<Answer> answer(Object value) {
      if (value == null) {
        return Optional.empty();
      }
      OptionalLong whole = Definitions.whole(value);
      if (whole.isEmpty()) {
        throw QuestionnaireException.invalid(id, "must be a whole number");
      }
      long number = whole.getAsLong();
      if (min != null && number < min) {
        throw QuestionnaireException.invalid(id, "must be at least " + min);
      }
      if (max != null && number > max) {
        throw QuestionnaireException.invalid(id, "must be at most " + max);
      }
      Urgency urgency = rules.stream().filter(rule -> rule.matches(number)).map(NumberRule::urgency)
          .reduce(Urgency::mostUrgent).orElse(null);
      return Optional.of(new Answer(LocalizedText.literal(Long.toString(number)), urgency, next));
    }
  }

  /** Free text, stripped of surrounding white space; blank text is no answer. */
  record TextQuestion(String id, LocalizedText text, boolean required, String next, int maxLength) implements Question {
    @Override
    public Optional<Answer> answer(Object value) {
      if (value == null) {
        return Optional.empty();
      }
      if (!(value instanceof String given)) {
        throw QuestionnaireException.invalid(id, "must be text");
      }
      String stripped = given.strip();
      if (stripped.isEmpty()) {
        return Optional.empty();
      }
      if (stripped.codePointCount(0, stripped.length()) > maxLength) {
        throw QuestionnaireException.invalid(id, "is longer than " + maxLength + " characters");
      }
      return Optional.of(new Answer(LocalizedText.literal(stripped), null, next));
    }

    @Override
    public boolean isGiven(Object value) {
      return value != null && !(value instanceof String given && given.isBlank());
    }
  }
}
