package fi.kanava.queue;

import static fi.kanava.queue.JsonMaps.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fi.kanava.conversation.Urgency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Assessing questionnaire answers")
class QuestionnaireTest {

  /** Chest pain ends at once; fever asks for how long, then breathing; a cough asks about breathing; other goes to details. */
  private static Questionnaire triage() {
    return Questionnaire.parse(json("""
        {'questions': [
          {'id': 'symptom', 'type': 'choice', 'required': true,
           'text': {'fi': 'Mikä vaivaa?', 'sv': 'Vad besvärar dig?', 'en': 'What is wrong?', 'se': 'Mii váivvida?'},
           'options': [
             {'id': 'chest_pain', 'text': {'fi': 'Rintakipu', 'en': 'Chest pain'}, 'urgency': 'immediate', 'next': 'end'},
             {'id': 'fever', 'text': {'fi': 'Kuume', 'en': 'Fever', 'sv': 'Feber'}, 'urgency': 'same_day', 'next': 'fever_days'},
             {'id': 'cough', 'text': {'fi': 'Yskä', 'en': 'Cough'}, 'next': 'breathing'},
             {'id': 'other', 'text': {'fi': 'Muu', 'en': 'Something else'}, 'next': 'details'}]},
          {'id': 'fever_days', 'type': 'number', 'text': {'fi': 'Montako päivää?', 'en': 'For how many days?'}, 'min': 0, 'max': 60,
           'rules': [{'min': 3, 'urgency': 'same_day'}, {'min': 10, 'max': 60, 'urgency': 'immediate'}]},
          {'id': 'breathing', 'type': 'yesno', 'text': {'fi': 'Onko hengenahdistusta?', 'en': 'Are you short of breath?'},
           'yesUrgency': 'immediate', 'noUrgency': null, 'nextYes': 'end', 'nextNo': 'details'},
          {'id': 'details', 'type': 'text', 'text': {'fi': 'Kerro lisää', 'en': 'Tell us more'}, 'maxLength': 20, 'required': false}
        ]}"""));
  }

  private static Map<String, Object> answers(Object... idsAndValues) {
    Map<String, Object> answers = new HashMap<>();
    for (int i = 0; i < idsAndValues.length; i += 2) {
      answers.put((String) idsAndValues[i], idsAndValues[i + 1]);
    }
    return answers;
  }

  private static Assessment evaluate(Object... idsAndValues) {
    return triage().evaluate(answers(idsAndValues), "en");
  }

  private static AbstractThrowableAssert<?, ?> assertRefused(String code, String questionId, Object... idsAndValues) {
    return assertThatThrownBy(() -> evaluate(idsAndValues))
        .isInstanceOfSatisfying(QuestionnaireException.class, e -> {
          assertThat(e.code()).isEqualTo(code);
          assertThat(e.questionId()).isEqualTo(questionId);
        });
  }

  @Nested
  @DisplayName("for each type of question")
  class Types {
    @Test
    void a_choice_is_answered_with_an_option_id_and_shown_as_the_option_text() {
      assertThat(evaluate("symptom", "chest_pain").summary())
          .containsExactly(new SummaryLine("symptom", "What is wrong?", "Chest pain"));
    }

    @Test
    void a_choice_refuses_unknown_options_and_other_types() {
      assertRefused("answer_invalid", "symptom", "symptom", "headache").hasMessageContaining("unknown option 'headache'");
      assertRefused("answer_invalid", "symptom", "symptom", 1);
      assertRefused("answer_invalid", "symptom", "symptom", List.of("fever"));
    }

    @Test
    void a_yes_no_question_takes_only_booleans() {
      assertThat(evaluate("symptom", "cough", "breathing", true).summary())
          .containsExactly(new SummaryLine("symptom", "What is wrong?", "Cough"), new SummaryLine("breathing", "Are you short of breath?", "Yes"));
      assertRefused("answer_invalid", "breathing", "symptom", "cough", "breathing", "yes");
      assertRefused("answer_invalid", "breathing", "symptom", "cough", "breathing", 1);
    }

    @Test
    void a_number_is_a_whole_number_of_any_integer_type_or_a_whole_double() {
      assertThat(evaluate("symptom", "fever", "fever_days", 2, "breathing", false).summary().get(1).answer()).isEqualTo("2");
      assertThat(evaluate("symptom", "fever", "fever_days", 2L, "breathing", false).summary().get(1).answer()).isEqualTo("2");
      assertThat(evaluate("symptom", "fever", "fever_days", 2.0, "breathing", false).summary().get(1).answer()).isEqualTo("2");
    }

    @Test
    void a_number_refuses_fractions_strings_and_values_out_of_bounds() {
      assertRefused("answer_invalid", "fever_days", "symptom", "fever", "fever_days", 2.5, "breathing", false);
      assertRefused("answer_invalid", "fever_days", "symptom", "fever", "fever_days", "2", "breathing", false);
      assertRefused("answer_invalid", "fever_days", "symptom", "fever", "fever_days", Double.NaN, "breathing", false);
      assertRefused("answer_invalid", "fever_days", "symptom", "fever", "fever_days", -1, "breathing", false)
          .hasMessageContaining("at least 0");
      assertRefused("answer_invalid", "fever_days", "symptom", "fever", "fever_days", 61, "breathing", false)
          .hasMessageContaining("at most 60");
    }

    @Test
    void number_bounds_are_inclusive() {
      assertThat(evaluate("symptom", "fever", "fever_days", 0, "breathing", false).summary()).hasSize(3);
      assertThat(evaluate("symptom", "fever", "fever_days", 9, "breathing", false).summary()).hasSize(3);
      // 60 days is within bounds and immediate, which ends the questionnaire there
      assertThat(evaluate("symptom", "fever", "fever_days", 60).summary()).hasSize(2);
    }

    @Test
    void an_immediate_answer_ends_the_questionnaire_and_later_answers_are_not_asked() {
      assertThat(evaluate("symptom", "fever", "fever_days", 12).urgency()).isEqualTo(Urgency.IMMEDIATE);
      assertThatThrownBy(() -> evaluate("symptom", "fever", "fever_days", 12, "breathing", false))
          .isInstanceOf(QuestionnaireException.class)
          .extracting(e -> ((QuestionnaireException) e).code()).isEqualTo(QuestionnaireException.ANSWER_NOT_ASKED);
    }

    @Test
    void text_is_stripped_and_blank_text_is_no_answer() {
      assertThat(evaluate("symptom", "other", "details", "  sore knee \n").summary())
          .endsWith(new SummaryLine("details", "Tell us more", "sore knee"));
      assertThat(evaluate("symptom", "other", "details", "   ").summary()).hasSize(1);
    }

    @Test
    void text_longer_than_its_maximum_is_refused_counting_characters_not_code_units() {
      assertThat(evaluate("symptom", "other", "details", "x".repeat(20)).summary()).hasSize(2);
      assertThat(evaluate("symptom", "other", "details", "🤒".repeat(20)).summary()).hasSize(2);
      assertRefused("answer_invalid", "details", "symptom", "other", "details", "x".repeat(21)).hasMessageContaining("20 characters");
      assertRefused("answer_invalid", "details", "symptom", "other", "details", 42);
    }
  }

  @Nested
  @DisplayName("along the branches")
  class Branching {
    @Test
    void an_option_can_end_the_questionnaire() {
      assertThat(evaluate("symptom", "chest_pain").summary()).extracting(SummaryLine::questionId).containsExactly("symptom");
    }

    @Test
    void the_path_follows_option_next_then_the_following_question_then_yes_no_next() {
      Assessment assessment = evaluate("symptom", "fever", "fever_days", 1, "breathing", false, "details", "since Monday");
      assertThat(assessment.summary()).extracting(SummaryLine::questionId).containsExactly("symptom", "fever_days", "breathing", "details");
    }

    @Test
    void answers_to_skipped_questions_are_refused() {
      assertRefused("answer_not_asked", "breathing", "symptom", "chest_pain", "breathing", true);
      assertRefused("answer_not_asked", "fever_days", "symptom", "other", "fever_days", 3);
      assertRefused("answer_not_asked", "details", "symptom", "cough", "breathing", true, "details", "help");
    }

    @Test
    void unanswered_skipped_questions_may_be_sent_as_null_or_blank_text() {
      assertThat(evaluate("symptom", "chest_pain", "fever_days", null, "details", " ").urgency()).isEqualTo(Urgency.IMMEDIATE);
    }

    @Test
    void an_answer_to_an_unknown_question_is_refused() {
      assertRefused("answer_not_asked", "age", "symptom", "chest_pain", "age", 40).hasMessageContaining("no question 'age'");
    }

    @Test
    void a_required_question_on_the_path_must_be_answered() {
      assertRefused("answer_missing", "symptom");
      assertRefused("answer_missing", "fever_days", "symptom", "fever", "breathing", false);
      assertRefused("answer_missing", "breathing", "symptom", "cough", "breathing", null);
      assertThatThrownBy(() -> triage().evaluate(null, "fi")).isInstanceOf(QuestionnaireException.class);
    }

    @Test
    void an_unanswered_optional_question_follows_the_question_next() {
      Questionnaire questionnaire = Questionnaire.parse(json("""
          {'questions': [
            {'id': 'pain', 'type': 'choice', 'required': false, 'next': 'contact', 'text': {'fi': 'Kipu?'},
             'options': [{'id': 'head', 'text': {'fi': 'Pää'}, 'next': 'where'}]},
            {'id': 'where', 'type': 'text', 'required': true, 'text': {'fi': 'Missä?'}},
            {'id': 'contact', 'type': 'yesno', 'next': 'end', 'text': {'fi': 'Soitetaanko?'}},
            {'id': 'never', 'type': 'text', 'text': {'fi': 'Ei kysytä'}}]}"""));
      assertThat(questionnaire.evaluate(answers("contact", true), "fi").summary()).extracting(SummaryLine::questionId)
          .containsExactly("contact");
      assertThat(questionnaire.evaluate(answers("pain", "head", "where", "ohimo", "contact", false), "fi").summary())
          .extracting(SummaryLine::questionId).containsExactly("pain", "where", "contact");
      assertThatThrownBy(() -> questionnaire.evaluate(answers("pain", "head", "contact", false), "fi"))
          .hasFieldOrPropertyWithValue("code", "answer_missing").hasFieldOrPropertyWithValue("questionId", "where");
    }
  }

  @Nested
  @DisplayName("into an urgency class")
  class Urgencies {
    @Test
    void answers_that_trigger_nothing_are_non_urgent() {
      assertThat(evaluate("symptom", "cough", "breathing", false).urgency()).isEqualTo(Urgency.NON_URGENT);
      assertThat(evaluate("symptom", "other").urgency()).isEqualTo(Urgency.NON_URGENT);
    }

    @Test
    void the_most_urgent_answer_wins() {
      assertThat(evaluate("symptom", "fever", "fever_days", 1, "breathing", false).urgency()).isEqualTo(Urgency.SAME_DAY);
      assertThat(evaluate("symptom", "fever", "fever_days", 1, "breathing", true).urgency()).isEqualTo(Urgency.IMMEDIATE);
      assertThat(evaluate("symptom", "cough", "breathing", true).urgency()).isEqualTo(Urgency.IMMEDIATE);
    }

    @ParameterizedTest(name = "{0} days -> {1}")
    @CsvSource({"0, non_urgent", "2, non_urgent", "3, same_day", "9, same_day", "10, immediate", "60, immediate"})
    void every_matching_number_rule_counts_and_ranges_are_inclusive(int days, String urgency) {
      Questionnaire questionnaire = Questionnaire.parse(json("""
          {'questions': [{'id': 'days', 'type': 'number', 'text': {'fi': 'Päiviä?'},
            'rules': [{'max': 2, 'urgency': 'non_urgent'}, {'min': 3, 'urgency': 'same_day'}, {'min': 10, 'max': 60, 'urgency': 'immediate'}]}]}"""));
      assertThat(questionnaire.evaluate(answers("days", days), "fi").urgency()).isEqualTo(Urgency.fromCode(urgency));
    }
  }

  @Nested
  @DisplayName("summarised in the reader's language")
  class Languages {
    @ParameterizedTest(name = "{0}: {1} / {2}")
    @CsvSource({"fi, Mikä vaivaa?, Kyllä", "sv, Vad besvärar dig?, Ja", "en, What is wrong?, Yes", "se, Mii váivvida?, Juo",
        "smn, Mikä vaivaa?, Kyllä", "de, Mikä vaivaa?, Kyllä"})
    void texts_and_yes_no_words_fall_back_to_finnish(String language, String question, String yes) {
      Assessment assessment = triage().evaluate(answers("symptom", "cough", "breathing", true), language);
      assertThat(assessment.summary().get(0).question()).isEqualTo(question);
      assertThat(assessment.summary().get(1).answer()).isEqualTo(yes);
    }

    @Test
    void no_is_rendered_in_each_language_with_its_own_word() {
      Questionnaire questionnaire = Questionnaire.parse(json("{'questions': [{'id': 'q', 'type': 'yesno', 'text': {'fi': 'K?'}}]}"));
      assertThat(List.of("fi", "sv", "en", "se")).extracting(l -> questionnaire.evaluate(answers("q", false), l).summary().get(0).answer())
          .containsExactly("Ei", "Nej", "No", "Ii");
    }

    @Test
    void option_texts_fall_back_to_finnish_and_a_null_language_means_finnish() {
      assertThat(triage().evaluate(answers("symptom", "cough", "breathing", false), "sv").summary().get(0).answer()).isEqualTo("Yskä");
      assertThat(triage().evaluate(answers("symptom", "fever", "fever_days", 4, "breathing", false), "sv").summary().get(0).answer())
          .isEqualTo("Feber");
      assertThat(triage().evaluate(answers("symptom", "chest_pain"), null).summary().get(0).answer()).isEqualTo("Rintakipu");
    }
  }
}
