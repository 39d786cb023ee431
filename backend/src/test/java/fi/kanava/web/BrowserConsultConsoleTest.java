package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import fi.kanava.support.Axe;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The consultant's side of consultations in Chromium: a physician of the on-duty consult queue sees
 * an urgent consultation ahead of an overdue non-urgent one (the due state in words), accepts it,
 * joins the patient's conversation (the patient, a socket, is told who joined) and closes it with the
 * answer; axe clean.
 */
@DisplayName("Browser: a consultant accepts a consultation in the console, joins the case and answers")
class BrowserConsultConsoleTest {

  @Test
  @DisplayName("urgent first, overdue said in words; accept, join (the patient is told), close with the answer")
  void a_consultant_answers_from_the_console() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      UUID doctor = f.account("consult-doctor", "physician");
      ChatFixtures c = new ChatFixtures(t, f);
      try (Pro nurse = c.professional("consult-nurse", "nurse", "available");
          Patient patient = c.anonymousPatient();
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB")
              .setViewportSize(1280, 800))) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
        c.createQueue(ChatFixtures.queue("on-duty", "pick"), doctor);
        TestApp.await(t.app.services().consultations().makeConsultQueue("on-duty", Duration.ofMinutes(60)));

        JsonObject isbar = new JsonObject().put("situation", "Ihottuma, kuume").put("recommendation", "Arvio tänään");
        JsonObject calm = nurse.ws().request(new JsonObject().put("type", "consult.open").put("queueId", "on-duty")
            .put("urgency", "non_urgent").put("isbar", isbar.copy().put("situation", "Reseptin uusinta")));
        assertThat(calm.getString("type")).as(calm.encode()).isEqualTo("consult.opened");
        t.clock.advance(Duration.ofMinutes(61));
        TestApp.await(t.app.services().sweeper().sweep());
        // the patient's chat, with the nurse, that the urgent consultation is about
        String caseId = patient.ws().request(ChatFixtures.enter("nurse-chat")).getJsonObject("conversation").getString("id");
        nurse.ws().await(fr -> "conversation.offer".equals(fr.getString("type")));
        nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", caseId));
        JsonObject urgent = nurse.ws().request(new JsonObject().put("type", "consult.open").put("queueId", "on-duty")
            .put("urgency", "urgent").put("caseConversationId", caseId).put("isbar", isbar));
        assertThat(urgent.getString("type")).as(urgent.encode()).isEqualTo("consult.opened");
        String id = urgent.getJsonObject("consultation").getString("id");

        Page console = context.newPage();
        List<String> scriptErrors = new ArrayList<>();
        console.onPageError(scriptErrors::add);
        console.navigate("http://localhost:" + t.app.port() + "/console");
        console.getByTestId("login-username").fill("consult-doctor");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        assertThat(console.getByTestId("presence")).hasValue("available");

        Locator section = console.getByTestId("consultations");
        Locator waiting = section.getByTestId("consult-waiting");
        assertThat(waiting).hasCount(2);
        assertThat(waiting.nth(0)).hasAttribute("data-id", id);
        assertThat(waiting.nth(0).getByTestId("consult-due")).hasText("Answer now");
        assertThat(waiting.nth(1).getByTestId("consult-due")).hasText("Overdue");
        Axe.assertNoViolations(console, "the consultations list");

        waiting.nth(0).getByTestId("consult-accept").click();
        Locator mine = section.locator("[data-testid=consult-mine][data-id='" + id + "']");
        assertThat(mine).containsText("Accepted");
        assertThat(waiting).hasCount(1);

        mine.getByTestId("consult-join").click();
        JsonObject told = patient.ws().await(fr -> "message".equals(fr.getString("type")) && "consultant_joined".equals(fr.getString("code")));
        assertThat(told.getJsonObject("sender").getString("name")).isEqualTo("Test consult-doctor");
        assertThat(mine.getByTestId("consult-join")).isDisabled();

        mine.getByTestId("consult-close").click();
        assertThat(section.locator("[role=alert]")).hasText("Write the answer before closing.");
        mine.getByTestId("consult-answer").fill("Allergiaepäily; antihistamiini, kontrolli 2 vrk.");
        mine.getByTestId("consult-close").click();
        assertThat(mine).containsText("Closed");
        assertThat(mine).containsText("Allergiaepäily; antihistamiini, kontrolli 2 vrk.");
        assertThat(t.row("select answer from consultation where id = $1", UUID.fromString(id)).getString(0))
            .isEqualTo("Allergiaepäily; antihistamiini, kontrolli 2 vrk.");
        Axe.assertNoViolations(console, "the consultations with a closed one");

        // a second nurse consults from her open conversation: the consult form in its context pane
        UUID nurseB = f.account("consult-nurse-b", "nurse");
        c.createQueue(ChatFixtures.queue("chat-b", "auto"), nurseB);
        try (BrowserContext contextB = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB")
            .setViewportSize(1280, 800)); Patient second = c.anonymousPatient()) {
          Page nursePage = contextB.newPage();
          nursePage.onPageError(scriptErrors::add);
          nursePage.navigate("http://localhost:" + t.app.port() + "/console");
          nursePage.getByTestId("login-username").fill("consult-nurse-b");
          nursePage.getByTestId("login-password").fill(Fixtures.PASSWORD);
          nursePage.getByTestId("login-submit").click();
          assertThat(nursePage.getByTestId("presence")).hasValue("available");
          String secondCase = second.ws().request(ChatFixtures.enter("chat-b")).getJsonObject("conversation").getString("id");
          nursePage.getByTestId("accept-" + secondCase).click();
          Locator pane = nursePage.getByTestId("panel-" + secondCase).getByTestId("context-pane");
          pane.getByTestId("consult-open").click();
          assertThat(pane.getByTestId("consult-queue")).isFocused();
          pane.getByTestId("consult-submit").click();
          assertThat(pane.getByTestId("consult-error")).hasText("Choose the consult queue.");
          pane.getByTestId("consult-queue").selectOption("on-duty");
          pane.getByTestId("consult-urgency-urgent").check();
          pane.getByTestId("consult-situation").fill("Rintakipu, pyydän soittoa");
          Axe.assertNoViolations(nursePage, "the consult form open");
          pane.getByTestId("consult-submit").click();
          assertThat(pane.getByTestId("consult-sent")).hasText("The consultation was sent.");
          assertThat(pane.getByTestId("consult-open")).isFocused();
          // the consultant's console lists it at once, urgent
          Locator offered = console.locator("[data-testid=consult-waiting]", new Page.LocatorOptions().setHasText("Rintakipu, pyydän soittoa"));
          assertThat(offered.getByTestId("consult-due")).hasText("Answer now");
          assertThat(t.row("select count(*) from consultation where case_conversation_id = $1 and urgency = 'urgent'",
              UUID.fromString(secondCase)).getLong(0)).isEqualTo(1);
        }
        assertThat(scriptErrors).isEmpty();
      }
    }
  }
}
