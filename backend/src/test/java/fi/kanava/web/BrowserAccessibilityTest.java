package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import fi.kanava.support.Axe;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * axe (WCAG 2.1 A and AA) in every state of the patient page, at a desktop and a phone width: the
 * start, the queue choice, the questionnaire (empty, with its errors, with the emergency notice),
 * waiting, offered, chatting with messages, and closed. The nurse is a WebSocket client, so the
 * page is walked through each state by the server as it would be by a real nurse. (The console's
 * states are checked by BrowserConsoleTest; the end, transcript, consent and feedback states by
 * their own tests.)
 */
@DisplayName("The patient page has no axe violations in any state, at 1280 and at 360 px")
class BrowserAccessibilityTest {

  @ParameterizedTest(name = "{0}×{1}")
  @CsvSource({"1280, 800", "360, 740"})
  void every_state_of_the_patient_page(int width, int height) {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      try (Pro nurse = c.professional("a11y-nurse-" + width, "nurse", "away");
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(width, height))) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
        Page patient = context.newPage();
        patient.navigate("http://localhost:" + t.app.port() + "/");

        assertThat(patient.getByTestId("start-anonymous")).isEnabled();
        Axe.assertNoViolations(patient, "start");

        patient.getByTestId("start-anonymous").click();
        assertThat(patient.getByTestId("queue-option-nurse-chat")).isVisible();
        Axe.assertNoViolations(patient, "queue choice");

        patient.getByTestId("queue-option-nurse-chat").click();
        assertThat(patient.getByTestId("questionnaire-submit")).isVisible();
        Axe.assertNoViolations(patient, "questionnaire");

        // sent unanswered: the errors are shown and tied to their questions
        patient.getByTestId("questionnaire-submit").click();
        assertThat(patient.locator("[aria-invalid='true']").first()).isVisible();
        Axe.assertNoViolations(patient, "questionnaire with errors");

        // an answer that means an immediate need shows the emergency numbers at once
        var breathing = patient.getByRole(AriaRole.GROUP, new Page.GetByRoleOptions().setName(Pattern.compile("Hengenahdistusta")));
        breathing.getByLabel("Kyllä").check();
        assertThat(patient.locator("#questionnaire-urgent")).isVisible();
        Axe.assertNoViolations(patient, "questionnaire with the emergency notice");

        breathing.getByLabel("Ei").check();
        patient.getByLabel("Kotikuntasi").selectOption("Inari");
        patient.getByRole(AriaRole.GROUP, new Page.GetByRoleOptions().setName(Pattern.compile("Aihe"))).getByLabel("Kuume").check();
        patient.getByTestId("questionnaire-submit").click();
        assertThat(patient.locator("#waiting-estimate")).isVisible();
        Axe.assertNoViolations(patient, "waiting, nobody available");

        // the nurse becomes available: the conversation is offered to her
        nurse.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
        String id = nurse.ws().awaitType("conversation.offer").getJsonObject("conversation").getString("id");
        assertThat(patient.getByTestId("waiting-position")).hasText("Hoitaja on löytynyt ja liittyy keskusteluun hetken kuluttua.");
        Axe.assertNoViolations(patient, "offered");

        nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
        nurse.ws().request(ChatFixtures.send(id, "n1", "Hei, olen hoitaja. Kerro lisää kuumeesta."));
        assertThat(patient.getByTestId("message-list")).containsText("Kerro lisää kuumeesta.");
        patient.getByTestId("chat-input").fill("Kuumetta on ollut kolme päivää.");
        patient.getByTestId("chat-send").click();
        assertThat(patient.getByTestId("message-list")).containsText("Kuumetta on ollut kolme päivää.");
        Axe.assertNoViolations(patient, "chatting with messages");

        nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "resolved"));
        assertThat(patient.getByTestId("new-contact")).isVisible();
        Axe.assertNoViolations(patient, "closed");
      }
    }
  }
}
