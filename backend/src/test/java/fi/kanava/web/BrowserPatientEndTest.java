package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Download;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import fi.kanava.support.Axe;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.PatientPages;
import fi.kanava.support.TestApp;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("In a real browser, the patient's end of a chat")
class BrowserPatientEndTest {
  /** Where the screenshots of the end screen and the confirmation go, to be looked at. */
  private static final Path SHOTS = Path.of("target", "screenshots");

  @Test
  @DisplayName("a patient on a phone writes while queued, keeps a draft over a reload, ends the chat, downloads the transcript and finds the end screen again after a reload")
  void writes_while_queued_ends_and_keeps_the_transcript() throws IOException {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      UUID nurse = f.account("end-nurse", "nurse");
      new ChatFixtures(t, f).createQueue(ChatFixtures.queue("nurse-chat", "auto").put("patientMayWriteWhileQueued", true), nurse);
      String base = "http://localhost:" + t.app.port();
      Files.createDirectories(SHOTS);

      try (BrowserContext nurseContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(1280, 900));
          BrowserContext patientContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(360, 740).setAcceptDownloads(true))) {
        Page patient = patientContext.newPage();
        List<String> scriptErrors = new ArrayList<>();
        patient.onPageError(scriptErrors::add);
        PatientPages.answerAndQueue(patient, base, "nurse-chat", "Kuume");

        // waiting, nobody available: the queue lets her write, and the page says the nurse reads it on joining
        assertThat(patient.locator("#waiting-write-hint")).isVisible();
        patient.getByTestId("chat-input").fill("Kuumetta on ollut neljä päivää.");
        patient.getByTestId("chat-send").click();
        assertThat(patient.getByTestId("message-list")).containsText("Kuumetta on ollut neljä päivää.");
        assertThat(patient.getByTestId("chat-input")).isInViewport();
        Axe.assertNoViolations(patient, "waiting with the message box");

        // the nurse signs in, accepts, and sees what was written while waiting
        Page console = nurseContext.newPage();
        console.onPageError(scriptErrors::add);
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("end-nurse");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        Locator accept = console.locator("[data-testid^='accept-']");
        accept.first().click();
        Locator panel = console.locator("[data-testid^='panel-']").first();
        assertThat(panel.getByTestId("message-list")).containsText("Kuumetta on ollut neljä päivää.");
        panel.getByTestId("chat-input").fill("Hei, olen hoitaja. Onko muita oireita?");
        panel.getByTestId("chat-send").click();
        panel.getByTestId("chat-input").fill("Sisäinen: kuume 4 pv");
        panel.locator(".note-toggle").check();
        panel.getByTestId("chat-send").click();
        assertThat(panel.getByTestId("message-list")).containsText("Sisäinen: kuume 4 pv");
        panel.locator(".note-toggle").uncheck();

        // chatting
        assertThat(patient.getByTestId("message-list")).containsText("Hei, olen hoitaja. Onko muita oireita?");
        patient.getByTestId("chat-input").fill("Vähän yskää.");
        patient.getByTestId("chat-send").click();
        assertThat(panel.getByTestId("message-list")).containsText("Vähän yskää.");
        Axe.assertNoViolations(patient, "chatting");

        // a draft survives a reload
        patient.getByTestId("chat-input").fill("Tämä on luonnos");
        patient.reload();
        assertThat(patient.getByTestId("message-list")).containsText("Vähän yskää.");
        assertThat(patient.getByTestId("chat-input")).hasValue("Tämä on luonnos");

        // the patient ends the chat, after an inline confirmation whose safe choice has the focus
        patient.getByTestId("end-chat").click();
        assertThat(patient.getByTestId("end-chat-cancel")).isFocused();
        assertThat(patient.getByTestId("end-chat-confirm")).isVisible();
        Axe.assertNoViolations(patient, "end confirmation");
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("patient-end-confirm-360.png")).setFullPage(true));
        patient.getByTestId("end-chat-cancel").click();
        assertThat(patient.getByTestId("end-chat")).isFocused();
        patient.setViewportSize(1280, 800);
        patient.getByTestId("end-chat").click();
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("patient-end-confirm-1280.png")).setFullPage(true));
        patient.setViewportSize(360, 740);
        patient.getByTestId("end-chat-confirm").click();

        // the end screen: the outcome in plain words, the transcript without the note, download and print
        assertThat(patient.getByTestId("end-outcome")).containsText("Lopetit keskustelun.");
        Locator transcript = patient.getByTestId("transcript-lines");
        assertThat(transcript).containsText("Kuumetta on ollut neljä päivää.");
        assertThat(transcript).containsText("Hei, olen hoitaja. Onko muita oireita?");
        assertThat(transcript).not().containsText("Sisäinen");
        assertThat(patient.getByTestId("chat-input")).isHidden();
        assertThat(patient.getByTestId("new-contact")).isVisible();
        Axe.assertNoViolations(patient, "end screen");
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("patient-end-screen-360.png")).setFullPage(true));

        Download download = patient.waitForDownload(() -> patient.getByTestId("transcript-download").click());
        String text = Files.readString(download.path(), StandardCharsets.UTF_8);
        org.assertj.core.api.Assertions.assertThat(download.suggestedFilename()).endsWith(".txt");
        org.assertj.core.api.Assertions.assertThat(text)
            .contains("Palvelu: Testijono nurse-chat")
            .contains("Ammattilainen: Test end-nurse")
            .contains("Sinä: Kuumetta on ollut neljä päivää.")
            .contains("Vähän yskää.")
            .contains("Hei, olen hoitaja. Onko muita oireita?")
            .contains("Lopetit keskustelun.")
            .doesNotContain("Sisäinen")
            .doesNotContain("Tämä on luonnos");

        // the nurse's console shows at once that the patient ended it
        assertThat(panel).containsText("Potilas lopetti keskustelun");

        // after a reload the end screen comes back, not the start page
        patient.reload();
        assertThat(patient.getByTestId("end-outcome")).containsText("Lopetit keskustelun.");
        assertThat(patient.getByTestId("transcript-lines")).containsText("Vähän yskää.");
        assertThat(patient.getByTestId("chat-input")).isHidden();

        patient.setViewportSize(1280, 800);
        Axe.assertNoViolations(patient, "end screen");
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("patient-end-screen-1280.png")).setFullPage(true));

        // a new contact starts again at the queue choice
        patient.getByTestId("new-contact").click();
        assertThat(patient.getByTestId("queue-option-nurse-chat")).isVisible();
        org.assertj.core.api.Assertions.assertThat(scriptErrors).as("script errors on the pages").isEmpty();
      }
    }
  }
}
