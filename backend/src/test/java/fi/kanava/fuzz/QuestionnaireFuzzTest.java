package fi.kanava.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import fi.kanava.queue.Questionnaire;
import org.junit.jupiter.api.DisplayName;

/**
 * A queue's questionnaire as an admin sends it: any bytes are parsed or refused with the parser's
 * message naming the question, and an accepted questionnaire loads back from its stored form.
 */
@DisplayName("Fuzzing: questionnaire definitions")
class QuestionnaireFuzzTest {
  @FuzzTest
  void questionnairesAreParsedOrRefused(byte[] json) {
    Definitions.parseOrRefuse(json, Questionnaire::parse, Questionnaire::toMap);
  }
}
