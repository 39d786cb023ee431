package fi.kanava.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import fi.kanava.infra.JsonBodies;
import fi.kanava.queue.Assessment;
import fi.kanava.queue.Questionnaire;
import fi.kanava.queue.QuestionnaireException;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;

/**
 * A patient's answers to a queue's questionnaire, as they arrive in a {@code queue.enter} frame's
 * {@code answers}: any JSON object is assessed or refused with a {@link QuestionnaireException}
 * naming the question. The questionnaire has every question type, branching and urgency rules.
 * The last byte picks the summary's language, the rest is the answers.
 */
@DisplayName("Fuzzing: answers to a questionnaire")
class QuestionnaireAnswersFuzzTest {
  private static final Questionnaire QUESTIONNAIRE = Questionnaire.parse(new JsonObject("""
      {"questions": [
        {"id": "fever", "type": "yesno", "text": {"fi": "Kuumetta?", "sv": "Feber?"}, "yesUrgency": "same_day", "nextNo": "what"},
        {"id": "days", "type": "number", "text": {"fi": "Montako päivää?"}, "min": 0, "max": 60,
         "rules": [{"min": 3, "urgency": "same_day"}, {"min": 14, "max": 60, "urgency": "immediate"}]},
        {"id": "where", "type": "choice", "text": {"fi": "Missä?"}, "options": [
          {"id": "chest", "text": {"fi": "Rinnassa"}, "urgency": "immediate"},
          {"id": "head", "text": {"fi": "Päässä", "en": "Head"}, "next": "what"},
          {"id": "other", "text": {"fi": "Muualla"}, "next": "end"}]},
        {"id": "what", "type": "text", "text": {"fi": "Kerro lisää"}, "maxLength": 200}
      ]}""").getMap());
  private static final List<String> LANGUAGES = java.util.Arrays.asList("fi", "sv", "en", "se", "smn", "sms", "xx", null);

  @FuzzTest
  @SuppressWarnings("unchecked")
  void answersAreAssessedOrRefused(FuzzedDataProvider data) {
    String language = data.pickValue(LANGUAGES);
    Map<String, Object> answers = Hostile.readOrRefused(() -> JsonBodies.decode(data.consumeRemainingAsBytes(), Map.class));
    if (answers == null) {
      return;
    }
    try {
      Assessment assessment = QUESTIONNAIRE.evaluate(answers, language);
      assertThat(assessment.urgency()).as("urgency").isNotNull();
      assertThat(assessment.summary()).as("summary").isNotNull().allSatisfy(line -> assertThat(line).isNotNull());
    } catch (QuestionnaireException refused) {
      assertThat(refused.code()).isIn(QuestionnaireException.ANSWER_MISSING, QuestionnaireException.ANSWER_INVALID,
          QuestionnaireException.ANSWER_NOT_ASKED);
      // the question refused: one of the questionnaire's, or the unknown one answered (which may be "")
      assertThat(QUESTIONNAIRE.questionIds().contains(refused.questionId()) || answers.containsKey(refused.questionId()))
          .as("refused question '%s' is asked or answered", refused.questionId()).isTrue();
    }
  }
}
