package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import fi.kanava.support.Axe;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("In a real browser, the console's question about the tool")
class BrowserProFeedbackTest {

  @Test
  @DisplayName("after a close the console asks; a missing score is said and focused, an answer is sent and thanked; axe clean at 1280 and 360 px")
  void the_console_asks_and_the_nurse_answers() {
    try (Chromium chromium = Chromium.launch();
        TestApp t = TestApp.startBesideBrowser(Map.of("feedback.professional-every-closed", "1"))) {
      Fixtures f = new Fixtures(t).organisations();
      UUID nurse = f.account("pf-nurse", "nurse");
      ChatFixtures c = new ChatFixtures(t, f);
      c.createQueue(ChatFixtures.queue("pf-chat", "auto"), nurse);
      String base = "http://localhost:" + t.app.port();
      try (BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI").setViewportSize(1280, 800));
          Patient patient = c.anonymousPatient();
          WsClient nurseWs = WsClient.connect(t, f.accessToken("pf-nurse"))) {
        Page console = context.newPage();
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("pf-nurse");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        assertThat(console.getByTestId("presence")).hasValue("available");
        assertThat(console.getByTestId("profeedback")).hasCount(0);

        // a chat is offered to the nurse, taken and closed (here from the nurse's second device)
        String id = patient.ws().request(ChatFixtures.enter("pf-chat")).getJsonObject("conversation").getString("id");
        nurseWs.awaitType("conversation.offer");
        nurseWs.request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
        nurseWs.request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "resolved"));

        assertThat(console.getByTestId("profeedback")).isVisible();
        assertThat(console.getByTestId("profeedback")).containsText("Kuinka todennäköisesti suosittelisit Kanavaa kollegallesi?");
        Axe.assertNoViolations(console, "the question about the tool at 1280 px");
        console.getByTestId("profeedback-send").click();
        assertThat(console.getByTestId("profeedback-error")).containsText("Valitse luku 0–10");
        assertThat(console.getByTestId("profeedback-score")).isFocused();
        console.setViewportSize(360, 740);
        Axe.assertNoViolations(console, "the question with its error at 360 px");

        console.getByTestId("profeedback-score").selectOption("8");
        console.getByLabel("Kanavaa on helppo käyttää").selectOption("4");
        console.getByTestId("profeedback-send").click();
        assertThat(console.getByTestId("profeedback")).hasCount(0);
        assertThat(console.locator("#announcer")).hasText("Kiitos palautteestasi!");
        org.assertj.core.api.Assertions.assertThat(t.row("select score, role from professional_feedback").getInteger(0)).isEqualTo(8);
      }
    }
  }
}
