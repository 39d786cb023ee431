package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import fi.kanava.support.Axe;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A chat visit in Chromium (docs/protocol.md, "A chat visit"): the physician books it in the console's
 * Visits view (1280 px) in a queue; the patient opens the link on a phone (360 px) and goes straight to
 * the waiting room (no device or network check); admitted, the patient sees the conversation and the
 * physician finds it in the list of chats; each writes once; the physician closes it and the patient sees
 * the end with the visit's feedback form. axe runs in every state.
 */
@DisplayName("In a real browser, a chat visit from booking to its feedback")
class BrowserChatVisitTest {
  private static final Path SHOTS = Path.of("target", "screenshots");

  @Test
  @DisplayName("booked as chat, joined at 360 px without device checks, admitted into a conversation, a message each way, closed, feedback asked")
  void a_chat_visit() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      t.clock.advance(Duration.between(t.clock.instant(), Instant.now()));
      Fixtures f = new Fixtures(t).organisations();
      UUID doctor = f.account("chatvisit-doctor", "physician");
      new ChatFixtures(t, f).createQueue(ChatFixtures.queue("clinic", "pick"), doctor);
      String base = "http://localhost:" + t.app.port();

      try (BrowserContext proContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB")
              .setTimezoneId("Europe/Helsinki").setViewportSize(1280, 800));
          BrowserContext patientContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setTimezoneId("Europe/Helsinki").setViewportSize(360, 740))) {
        List<String> scriptErrors = new ArrayList<>();
        Page console = proContext.newPage();
        console.onPageError(scriptErrors::add);
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("chatvisit-doctor");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        console.getByTestId("visits-tab").click();
        console.getByTestId("visit-book-open").click();
        console.getByTestId("visit-book-patient").fill("Aino Virtanen");
        console.getByTestId("visit-book-channel").selectOption("chat");
        assertThat(console.getByTestId("visit-book-queue")).hasValue("clinic");
        Axe.assertNoViolations(console, "console, booking a chat visit");
        console.getByTestId("visit-book-submit").click();
        Locator link = console.getByTestId("visit-join-link");
        assertThat(link).hasValue(Pattern.compile("/visit\\.html#code="));
        String joinLink = link.inputValue();

        // the patient goes straight to the waiting room: no camera, microphone or network check
        Page patient = patientContext.newPage();
        patient.onPageError(scriptErrors::add);
        patient.navigate(joinLink.replaceFirst("^https?://[^/]+", base));
        assertThat(patient.getByTestId("visit-waiting")).containsText("Ammattilainen päästää sinut sisään.");
        assertThat(patient.getByTestId("visit-waiting")).containsText("Keskustelu alkaa tässä, kun sinut päästetään sisään.");
        assertThat(patient.getByTestId("visit-devices")).hasCount(0);
        Axe.assertNoViolations(patient, "patient, waiting for a chat visit");

        // admitted: the patient's page shows the conversation; the physician's list of chats has it
        console.getByTestId("visit-admit").click();
        assertThat(patient.getByTestId("visit-chat")).containsText("Vastaanotto keskusteluna");
        Axe.assertNoViolations(patient, "patient, the chat visit's conversation");
        console.getByTestId("chats-tab").click();
        Locator panel = console.locator("[data-testid^='panel-']").first();
        assertThat(panel).isVisible();
        panel.getByTestId("chat-input").fill("Hei Aino, olen lääkäri. Miten voit?");
        panel.getByTestId("chat-send").click();
        assertThat(patient.getByTestId("message-list")).containsText("Hei Aino, olen lääkäri. Miten voit?");
        patient.getByTestId("chat-input").fill("Kiitos, jo paremmin.");
        patient.getByTestId("chat-send").click();
        assertThat(panel.getByTestId("message-list")).containsText("Kiitos, jo paremmin.");
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("chatvisit-patient-360-chat.png")));
        Axe.assertNoViolations(patient, "patient, chatting in the visit");
        Axe.assertNoViolations(console, "console, the chat visit's conversation");

        // the physician closes it: the visit has ended, and the patient is asked for the visit's feedback
        panel.getByTestId("close-outcome").selectOption("resolved");
        panel.getByTestId("close-submit").click();
        assertThat(patient.getByTestId("visit-ended")).containsText("kerro halutessasi, miten käynti sujui");
        assertThat(patient.getByTestId("feedback")).containsText("Kuinka todennäköisesti suosittelisit palvelua");
        Axe.assertNoViolations(patient, "patient, asked for feedback after a chat visit");
        patient.getByTestId("feedback-score-8").check();
        patient.getByTestId("feedback-send").click();
        assertThat(patient.getByTestId("feedback-thanks")).hasText("Kiitos palautteestasi!");
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("chatvisit-patient-360-feedback.png")));
        var response = t.row("select event_kind, channel, score from feedback_response");
        org.assertj.core.api.Assertions.assertThat(List.of(response.getString(0), response.getString(1), response.getInteger(2)))
            .containsExactly("visit", "chat", 8);
        org.assertj.core.api.Assertions.assertThat(scriptErrors).as("script errors on the pages").isEmpty();
      }
    }
  }
}
