package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import fi.kanava.support.Axe;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.PatientPages;
import fi.kanava.support.TestApp;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Video from a chat, in Chromium with a fake camera and microphone (support/Chromium): the nurse's console
 * at 1280 px and the patient's phone at 360 px, two real WebRTC stacks connected through the server's
 * rtc.* signalling only.
 */
@DisplayName("In a real browser, video from a chat")
class BrowserChatVideoTest {

  private static final String REMOTE_VIDEO_PLAYS =
      "() => [...document.querySelectorAll('[data-testid=call-video-remote]')].some((v) => v.videoWidth > 0)";

  @Test
  @DisplayName("the nurse calls from the chat, the patient accepts on a phone, mute and camera-off reach the other side, and hanging up returns both to the chat")
  void a_nurse_starts_a_video_call_in_the_chat_and_the_patient_accepts() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      UUID nurse = f.account("video-nurse", "nurse");
      new ChatFixtures(t, f).createQueue(ChatFixtures.queue("video-chat", "auto"), nurse);
      String base = "http://localhost:" + t.app.port();

      try (BrowserContext nurseContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(1280, 800));
          BrowserContext patientContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(360, 740))) {
        List<String> scriptErrors = new ArrayList<>();
        Page patient = patientContext.newPage();
        patient.onPageError(scriptErrors::add);
        PatientPages.answerAndQueue(patient, base, "video-chat", "Kuume");

        Page console = nurseContext.newPage();
        console.onPageError(scriptErrors::add);
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("video-nurse");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        console.locator("[data-testid^='accept-']").first().click();
        Locator panel = console.locator("[data-testid^='panel-']").first();
        assertThat(panel.getByTestId("chat-input")).isVisible();
        assertThat(patient.getByTestId("chat-input")).isVisible();

        // ringing: the nurse starts the call; the console says it calls until the patient answers
        panel.getByTestId("call-start").click();
        assertThat(panel.getByTestId("call-calling")).isVisible();
        assertThat(panel.getByTestId("call-calling")).containsText("Soitetaan");
        assertThat(panel.getByTestId("call-cancel")).isFocused();
        bothWidths(console, 1280, "console, calling the patient");

        // incoming: the patient is asked, in an alertdialog that has the focus; the first time she declines
        Locator incoming = patient.getByRole(AriaRole.ALERTDIALOG, new Page.GetByRoleOptions().setName("Saapuva videopuhelu"));
        assertThat(incoming).isVisible();
        assertThat(incoming).isFocused();
        incoming.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Hylkää")).click();
        assertThat(incoming).hasCount(0);
        assertThat(patient.getByTestId("call-notice")).hasText("Hylkäsit videopuhelun. Voit jatkaa chatissa.");
        assertThat(panel.getByTestId("call-notice")).hasText("Asiakas hylkäsi videopuhelun.");
        assertThat(panel.getByTestId("call-start")).isFocused();

        // the nurse calls again, and this time the patient answers
        panel.getByTestId("call-start").click();
        assertThat(panel.getByTestId("call-calling")).isVisible();
        assertThat(incoming).isVisible();
        assertThat(incoming).isFocused();
        bothWidths(patient, 360, "patient, an incoming video call");

        // connected: both ends show the other's picture (frames decoded from the other browser's fake camera)
        incoming.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Vastaa videopuheluun")).click();
        assertThat(patient.getByTestId("call-overlay")).isVisible();
        assertThat(panel.getByTestId("call-screen")).isVisible();
        assertThat(patient.getByTestId("call-status")).hasAttribute("data-phase", "active");
        assertThat(panel.getByTestId("call-status")).hasAttribute("data-phase", "active");
        assertThat(patient.getByTestId("call-status")).hasText("Yhteys muodostettu");
        patient.waitForFunction(REMOTE_VIDEO_PLAYS);
        console.waitForFunction(REMOTE_VIDEO_PLAYS);
        // the connection is announced, politely (the nurse's screen opened when the patient joined)
        assertThat(panel.getByTestId("call-announcement")).hasText("Yhteys muodostettu");
        assertThat(panel.getByTestId("call-announcement")).hasAttribute("aria-live", "polite");
        bothWidths(console, 1280, "console, in a connected call");
        bothWidths(patient, 360, "patient, in a connected call");
        // at 360 px the controls are on screen without scrolling
        assertThat(patient.getByTestId("call-hangup")).isInViewport();

        // the patient mutes: the nurse's tile of the patient says so
        Locator mute = patient.getByTestId("call-mute");
        assertThat(mute).hasAttribute("aria-pressed", "false");
        mute.click();
        assertThat(mute).hasAttribute("aria-pressed", "true");
        Locator patientTile = panel.locator("[data-testid^='call-tile-']:not([data-testid='call-tile-self'])");
        assertThat(patientTile).hasAttribute("data-audio", "off");
        assertThat(patientTile).containsText("mikrofoni mykistetty");

        // the nurse turns the camera off, with the keyboard: the patient's tile of the nurse says so
        panel.getByTestId("call-camera").focus();
        console.keyboard().press("Enter");
        assertThat(panel.getByTestId("call-camera")).hasAttribute("aria-pressed", "true");
        Locator nurseTile = patient.locator("[data-testid^='call-tile-']:not([data-testid='call-tile-self'])");
        assertThat(nurseTile).hasAttribute("data-video", "off");
        assertThat(nurseTile).containsText("kamera pois");

        // hanging up returns both to the chat, which goes on
        panel.getByTestId("call-hangup").click();
        assertThat(panel.getByTestId("call-screen")).hasCount(0);
        assertThat(panel.getByTestId("call-start")).isVisible();
        assertThat(patient.getByTestId("call-overlay")).hasCount(0);
        assertThat(patient.getByTestId("call-notice")).hasText("Videopuhelu päättyi.");
        assertThat(patient.getByTestId("chat-input")).isVisible();
        patient.getByTestId("chat-input").fill("Kiitos puhelusta.");
        patient.getByTestId("chat-send").click();
        assertThat(panel.getByTestId("message-list")).containsText("Kiitos puhelusta.");
        org.assertj.core.api.Assertions.assertThat(scriptErrors).as("script errors on the pages").isEmpty();
      }
    }
  }

  /** axe at the page's own width and at the other one (1280 and 360), then back. */
  private static void bothWidths(Page page, int own, String state) {
    int height = page.viewportSize().height;
    int other = own == 1280 ? 360 : 1280;
    Axe.assertNoViolations(page, state);
    page.setViewportSize(other, height);
    Axe.assertNoViolations(page, state);
    page.setViewportSize(own, height);
  }
}
