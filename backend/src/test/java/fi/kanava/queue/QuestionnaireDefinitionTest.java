package fi.kanava.queue;

import fi.kanava.conversation.Urgency;

import static fi.kanava.queue.JsonMaps.json;
import static fi.kanava.queue.JsonMaps.toJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Questionnaire definitions")
class QuestionnaireDefinitionTest {
  private static final String YESNO_A = "{'id': 'a', 'type': 'yesno', 'text': {'fi': 'A?'}}";

  private static Questionnaire questions(String... questions) {
    return Questionnaire.parse(json("{'questions': [" + String.join(", ", questions) + "]}"));
  }

  @Nested
  @DisplayName("when valid")
  class Valid {
    @Test
    void questions_are_required_by_default_except_text() {
      Questionnaire questionnaire = questions(YESNO_A, "{'id': 'b', 'type': 'text', 'text': {'fi': 'B'}}");
      assertThat(questionnaire.evaluate(Map.of("a", true), "fi").summary()).hasSize(1);
      assertThatThrownBy(() -> questionnaire.evaluate(Map.of("b", "x"), "fi")).hasFieldOrPropertyWithValue("code", "answer_missing");
    }

    @Test
    void text_is_limited_to_500_characters_by_default() {
      Questionnaire questionnaire = questions("{'id': 'b', 'type': 'text', 'text': {'fi': 'B'}}");
      assertThat(questionnaire.evaluate(Map.of("b", "x".repeat(500)), "fi").summary()).hasSize(1);
      assertThatThrownBy(() -> questionnaire.evaluate(Map.of("b", "x".repeat(501)), "fi"))
          .hasFieldOrPropertyWithValue("code", "answer_invalid");
    }

    @Test
    void the_definition_is_served_back_unchanged_and_cannot_be_altered() {
      String definition = "{\"questions\":[{\"id\":\"a\",\"type\":\"yesno\",\"text\":{\"fi\":\"A?\",\"en\":\"A?\"},"
          + "\"yesUrgency\":\"immediate\",\"noUrgency\":null,\"nextYes\":\"end\"},"
          + "{\"id\":\"b\",\"type\":\"number\",\"text\":{\"fi\":\"B\"},\"min\":0,\"max\":60.0,\"rules\":[{\"min\":3,\"urgency\":\"same_day\"}]}]}";
      Map<String, Object> input = json(definition);
      Questionnaire questionnaire = Questionnaire.parse(input);
      assertThat(toJson(questionnaire.toMap())).isEqualTo(definition);
      input.put("questions", List.of());
      assertThat(toJson(questionnaire.toMap())).isEqualTo(definition);
      assertThatThrownBy(() -> questionnaire.toMap().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
      assertThat(questionnaire.questionIds()).containsExactly("a", "b");
    }

    @Test
    void every_next_may_point_forward_or_to_the_end() {
      Questionnaire questionnaire = questions(
          "{'id': 'a', 'type': 'choice', 'text': {'fi': 'A'}, 'next': 'c', 'options': [{'id': 'x', 'text': {'fi': 'X'}, 'next': 'b'}]}",
          "{'id': 'b', 'type': 'yesno', 'text': {'fi': 'B'}, 'nextYes': 'end', 'nextNo': 'c'}",
          "{'id': 'c', 'type': 'number', 'text': {'fi': 'C'}, 'next': 'end'}");
      assertThat(questionnaire.evaluate(Map.of("a", "x", "b", false, "c", 1), "fi").summary()).hasSize(3);
    }

    @Test
    void json_nulls_count_as_absent() {
      Map<String, Object> question = new HashMap<>(json(YESNO_A));
      question.put("required", null);
      question.put("next", null);
      question.put("yesUrgency", null);
      Questionnaire questionnaire = Questionnaire.parse(Map.of("questions", List.of(question)));
      assertThat(questionnaire.evaluate(Map.of("a", true), "fi").urgency()).isEqualTo(Urgency.NON_URGENT);
    }
  }

  @Nested
  @DisplayName("when invalid")
  class Invalid {
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        {}                                                   | questions: missing
        {'questions': []}                                    | questions: at least one question is required
        {'questions': {}}                                    | questions: must be a list
        {'questions': ['a']}                                 | questions[0]: must be an object
        {'title': 'Triage', 'questions': []}                 | title: unknown field
        """)
    void the_question_list_must_be_a_non_empty_list(String definition, String message) {
      assertThatThrownBy(() -> Questionnaire.parse(json(definition))).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        {'type': 'yesno', 'text': {'fi': 'A?'}}                                         | questions[0].id: missing
        {'id': 'Symptom', 'type': 'yesno', 'text': {'fi': 'A?'}}                        | questions[0].id: 'Symptom' must be 1 to 40 characters of a-z, 0-9 and _
        {'id': '', 'type': 'yesno', 'text': {'fi': 'A?'}}                               | questions[0].id: '' must be 1 to 40 characters of a-z, 0-9 and _
        {'id': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'type': 'yesno', 'text': {'fi': 'A?'}} | questions[0].id: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' must be 1 to 40 characters of a-z, 0-9 and _
        {'id': 7, 'type': 'yesno', 'text': {'fi': 'A?'}}                                | questions[0].id: must be a string
        {'id': 'end', 'type': 'yesno', 'text': {'fi': 'A?'}}                            | questions[0].id: 'end' is reserved for ending the questionnaire
        {'id': 'a', 'text': {'fi': 'A?'}}                                               | questions[0] (a).type: missing
        {'id': 'a', 'type': 'date', 'text': {'fi': 'A?'}}                               | questions[0] (a).type: unknown type 'date' (use choice, yesno, number or text)
        {'id': 'a', 'type': 'yesno'}                                                    | questions[0] (a).text: missing
        {'id': 'a', 'type': 'yesno', 'text': 'A?'}                                      | questions[0] (a).text: must be an object
        {'id': 'a', 'type': 'yesno', 'text': {'en': 'A?'}}                              | questions[0] (a).text.fi: missing (a Finnish text is required)
        {'id': 'a', 'type': 'yesno', 'text': {'fi': ' '}}                               | questions[0] (a).text.fi: must be a non-empty string
        {'id': 'a', 'type': 'yesno', 'text': {'fi': 'A?', 'de': 'A?'}}                  | questions[0] (a).text.de: unknown language (use fi, sv, en, se, smn, sms)
        {'id': 'a', 'type': 'yesno', 'text': {'fi': 'A?'}, 'required': 'yes'}           | questions[0] (a).required: must be true or false
        {'id': 'a', 'type': 'yesno', 'text': {'fi': 'A?'}, 'options': []}               | questions[0] (a).options: unknown field
        {'id': 'a', 'type': 'yesno', 'text': {'fi': 'A?'}, 'yesUrgency': 'urgent'}      | questions[0] (a).yesUrgency: unknown urgency 'urgent' (use immediate, same_day or non_urgent)
        {'id': 'a', 'type': 'yesno', 'text': {'fi': 'A?'}, 'next': 'zzz'}               | questions[0] (a).next: unknown question 'zzz'
        {'id': 'a', 'type': 'yesno', 'text': {'fi': 'A?'}, 'next': 'a'}                 | questions[0] (a).next: 'a' is not a later question (a next may only point forward or to 'end')
        {'id': 'a', 'type': 'yesno', 'text': {'fi': 'A?'}, 'nextNo': 'zzz'}             | questions[0] (a).nextNo: unknown question 'zzz'
        {'id': 'a', 'type': 'yesno', 'text': {'fi': 'A?'}, 'next': 3}                   | questions[0] (a).next: must be a string
        {'id': 'a', 'type': 'choice', 'text': {'fi': 'A?'}}                             | questions[0] (a).options: missing
        {'id': 'a', 'type': 'choice', 'text': {'fi': 'A?'}, 'options': []}              | questions[0] (a).options: at least one option is required
        {'id': 'a', 'type': 'choice', 'text': {'fi': 'A?'}, 'options': [{'text': {'fi': 'X'}}]} | questions[0] (a).options[0].id: missing
        {'id': 'a', 'type': 'choice', 'text': {'fi': 'A?'}, 'options': [{'id': 'X', 'text': {'fi': 'X'}}]} | questions[0] (a).options[0].id: 'X' must be 1 to 40 characters of a-z, 0-9 and _
        {'id': 'a', 'type': 'choice', 'text': {'fi': 'A?'}, 'options': [{'id': 'x', 'text': {'fi': 'X'}}, {'id': 'x', 'text': {'fi': 'Y'}}]} | questions[0] (a).options[1].id: duplicate option id 'x'
        {'id': 'a', 'type': 'choice', 'text': {'fi': 'A?'}, 'options': [{'id': 'x'}]}   | questions[0] (a).options[0].text: missing
        {'id': 'a', 'type': 'choice', 'text': {'fi': 'A?'}, 'options': [{'id': 'x', 'text': {'sv': 'X'}}]} | questions[0] (a).options[0].text.fi: missing (a Finnish text is required)
        {'id': 'a', 'type': 'choice', 'text': {'fi': 'A?'}, 'options': [{'id': 'x', 'text': {'fi': 'X'}, 'urgency': 'soon'}]} | questions[0] (a).options[0].urgency: unknown urgency 'soon' (use immediate, same_day or non_urgent)
        {'id': 'a', 'type': 'choice', 'text': {'fi': 'A?'}, 'options': [{'id': 'x', 'text': {'fi': 'X'}, 'score': 3}]} | questions[0] (a).options[0].score: unknown field
        {'id': 'a', 'type': 'choice', 'text': {'fi': 'A?'}, 'options': [{'id': 'x', 'text': {'fi': 'X'}, 'next': 'nowhere'}]} | questions[0] (a).options[0].next: unknown question 'nowhere'
        {'id': 'a', 'type': 'number', 'text': {'fi': 'A?'}, 'min': 1.5}                 | questions[0] (a).min: must be a whole number
        {'id': 'a', 'type': 'number', 'text': {'fi': 'A?'}, 'min': 10, 'max': 5}        | questions[0] (a).max: must not be less than min
        {'id': 'a', 'type': 'number', 'text': {'fi': 'A?'}, 'rules': {}}                | questions[0] (a).rules: must be a list
        {'id': 'a', 'type': 'number', 'text': {'fi': 'A?'}, 'rules': [{'min': 3}]}      | questions[0] (a).rules[0].urgency: missing
        {'id': 'a', 'type': 'number', 'text': {'fi': 'A?'}, 'rules': [{'min': 3, 'max': 2, 'urgency': 'same_day'}]} | questions[0] (a).rules[0].max: must not be less than min
        {'id': 'a', 'type': 'number', 'text': {'fi': 'A?'}, 'rules': [{'above': 3, 'urgency': 'same_day'}]} | questions[0] (a).rules[0].above: unknown field
        {'id': 'a', 'type': 'text', 'text': {'fi': 'A?'}, 'maxLength': 0}               | questions[0] (a).maxLength: must be between 1 and 2000
        {'id': 'a', 'type': 'text', 'text': {'fi': 'A?'}, 'maxLength': 2001}            | questions[0] (a).maxLength: must be between 1 and 2000
        {'id': 'a', 'type': 'text', 'text': {'fi': 'A?'}, 'maxLength': '500'}           | questions[0] (a).maxLength: must be a whole number
        """)
    void a_bad_question_is_named_in_the_error(String question, String message) {
      assertThatThrownBy(() -> questions(question)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
        {'id': 'a', 'type': 'yesno', 'text': {'fi': 'B'}}                                 | questions[1].id: duplicate question id 'a'
        {'id': 'b', 'type': 'yesno', 'text': {'fi': 'B'}, 'next': 'a'}                    | questions[1] (b).next: 'a' is not a later question (a next may only point forward or to 'end')
        {'id': 'b', 'type': 'yesno', 'text': {'fi': 'B'}, 'nextYes': 'a'}                 | questions[1] (b).nextYes: 'a' is not a later question (a next may only point forward or to 'end')
        {'id': 'b', 'type': 'choice', 'text': {'fi': 'B'}, 'options': [{'id': 'x', 'text': {'fi': 'X'}, 'next': 'a'}]} | questions[1] (b).options[0].next: 'a' is not a later question (a next may only point forward or to 'end')
        """)
    void ids_are_unique_and_branches_never_point_backward(String second, String message) {
      assertThatThrownBy(() -> questions(YESNO_A, second)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void a_missing_definition_is_refused() {
      assertThatThrownBy(() -> Questionnaire.parse(null)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("questionnaire: definition is missing");
    }
  }
}
