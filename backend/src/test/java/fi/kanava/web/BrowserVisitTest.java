package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import fi.kanava.support.Axe;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A remote visit end to end in Chromium with a fake camera and microphone (support/Chromium): the physician
 * books it in the console's Visits view (1280 px), the patient opens the one-time join link on a phone
 * (360 px), checks the devices and the network and waits; the physician sees them waiting with the check's
 * result, tells them of a delay, admits them, and both reach a connected call (the other's picture decoded).
 * The used link cannot be opened again. Both hang up; the patient is asked for feedback in the same window,
 * still after reloading the page, and answers. axe runs in every state at 1280 and 360 px.
 */
@DisplayName("In a real browser, a remote visit from booking to the call")
class BrowserVisitTest {
  private static final Path SHOTS = Path.of("target", "screenshots");
  private static final String REMOTE_VIDEO_PLAYS =
      "() => [...document.querySelectorAll('[data-testid=call-video-remote]')].some((v) => v.videoWidth > 0)";
  private static final String PREVIEW_PLAYS = "() => document.querySelector('[data-testid=visit-preview]')?.videoWidth > 0";

  @Test
  @DisplayName("booked in the console, joined by link at 360 px after device and network checks, a late notice, admitted, connected; the link works once")
  void a_visit_from_booking_to_a_connected_call() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      // the server's clock reads the browsers' time, so that "today" and the visit's time mean the same on both
      t.clock.advance(Duration.between(t.clock.instant(), Instant.now()));
      Fixtures f = new Fixtures(t).organisations();
      f.account("visit-doctor", "physician");
      String base = "http://localhost:" + t.app.port();

      try (BrowserContext proContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB")
              .setTimezoneId("Europe/Helsinki").setViewportSize(1280, 800));
          BrowserContext patientContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setTimezoneId("Europe/Helsinki").setViewportSize(360, 740));
          BrowserContext laterContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setTimezoneId("Europe/Helsinki").setViewportSize(360, 740))) {
        List<String> scriptErrors = new ArrayList<>();

        // the physician books a visit for a new patient reached only by the link
        Page console = proContext.newPage();
        console.onPageError(scriptErrors::add);
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("visit-doctor");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        console.getByTestId("visits-tab").click();
        assertThat(console.getByTestId("visits-view")).isVisible();
        assertThat(console.getByTestId("visits-none")).isVisible();
        bothWidths(console, 1280, "console, an empty day of visits");
        console.getByTestId("visit-book-open").click();
        console.getByTestId("visit-book-patient").fill("Aino Virtanen");
        bothWidths(console, 1280, "console, the book form");
        console.getByTestId("visit-book-submit").click();
        Locator row = console.locator("[data-testid^='visit-row-']");
        assertThat(row).hasCount(1);
        assertThat(row).containsText("Aino Virtanen");
        assertThat(row).containsText("Booked");
        Locator link = console.getByTestId("visit-join-link");
        assertThat(link).hasValue(Pattern.compile("/visit\\.html#code="));
        String joinLink = link.inputValue();
        bothWidths(console, 1280, "console, the booked visit with its join link");

        // the patient opens the link on a phone: the code leaves the address bar at once
        Page patient = patientContext.newPage();
        patient.onPageError(scriptErrors::add);
        patient.navigate(joinLink.replaceFirst("^https?://[^/]+", base));
        assertThat(patient.getByTestId("visit-devices")).isVisible();
        org.assertj.core.api.Assertions.assertThat(patient.url()).doesNotContain("code").doesNotContain("#");
        patient.waitForFunction(PREVIEW_PLAYS);
        // the fake microphone beeps about once a second: the level is read from what it hears
        assertThat(patient.getByTestId("visit-heard")).hasText("Mikrofonisi toimii: ääni kuului.",
            new com.microsoft.playwright.assertions.LocatorAssertions.HasTextOptions().setTimeout(15000));
        bothWidths(patient, 360, "patient, the device check");
        patient.getByTestId("visit-devices-done").click();

        // the network check: a real test call to the server's peer
        Locator result = patient.getByTestId("visit-net-result");
        assertThat(result).hasAttribute("data-result", Pattern.compile("connected|relayed"), new com.microsoft.playwright.assertions.LocatorAssertions
            .HasAttributeOptions().setTimeout(30000));
        bothWidths(patient, 360, "patient, the network check's result");
        patient.getByTestId("visit-net-done").click();

        // the waiting room; the physician sees the patient waiting, with the check's result in words
        assertThat(patient.getByTestId("visit-waiting")).containsText("Ammattilainen päästää sinut sisään.");
        assertThat(patient.getByTestId("visit-facts")).containsText("Test visit-doctor");
        bothWidths(patient, 360, "patient, the waiting room");
        Locator waiting = console.getByTestId("visit-row-waiting");
        assertThat(waiting).containsText("Aino Virtanen");
        assertThat(waiting).containsText(Pattern.compile("Network check: Connection (good|works through a relay server)"));
        assertThat(console.getByTestId("visit-waiting-room")).isVisible();
        bothWidths(console, 1280, "console, a patient waiting");

        // running late: the waiting patient is told, politely
        console.getByTestId("visit-late-minutes").fill("10");
        console.getByTestId("visit-late-send").click();
        assertThat(patient.getByTestId("visit-late")).hasText("Ammattilainen on myöhässä noin 10 minuuttia.");
        bothWidths(patient, 360, "patient, waiting with a late notice");

        // admitted: both in a connected call, each decoding the other's camera
        console.getByTestId("visit-admit").click();
        assertThat(patient.getByTestId("visit-call")).isVisible();
        console.getByTestId("visit-join-call").click();
        assertThat(console.getByTestId("call-screen")).isVisible();
        assertThat(patient.getByTestId("call-screen")).isVisible();
        assertThat(patient.getByTestId("call-status")).hasAttribute("data-phase", "active");
        assertThat(console.getByTestId("call-status")).hasAttribute("data-phase", "active");
        patient.waitForFunction(REMOTE_VIDEO_PLAYS);
        console.waitForFunction(REMOTE_VIDEO_PLAYS);
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("visit-patient-360-call.png")));
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("visit-console-1280-call.png")));
        bothWidths(patient, 360, "patient, in the visit's call");
        bothWidths(console, 1280, "console, in the visit's call");

        // the link was used: opened again, it says so, and gives nothing away
        Page again = laterContext.newPage();
        again.onPageError(scriptErrors::add);
        again.navigate(joinLink.replaceFirst("^https?://[^/]+", base));
        assertThat(again.getByTestId("visit-invalid")).containsText("Tämä linkki on vanhentunut tai sitä on jo käytetty");
        bothWidths(again, 360, "patient, a used link");

        // the visit ends (both hang up): the patient is asked for feedback in the same window, at 360 px
        console.getByTestId("call-hangup").click();
        patient.getByTestId("call-hangup").click();
        assertThat(patient.getByTestId("visit-ended")).containsText("kerro halutessasi, miten käynti sujui");
        assertThat(patient.getByTestId("feedback")).containsText("Kuinka todennäköisesti suosittelisit palvelua");
        bothWidths(patient, 360, "patient, asked for feedback after the visit");
        // a reload (the phone locked, the tab was discarded) comes back to the end and the same question, not the device check
        patient.reload();
        assertThat(patient.getByTestId("visit-ended")).containsText("kerro halutessasi, miten käynti sujui");
        assertThat(patient.getByTestId("feedback")).containsText("Kuinka todennäköisesti suosittelisit palvelua");
        patient.getByTestId("feedback-score-9").check();
        patient.getByTestId("feedback-text").fill("Selkeä käynti.");
        patient.getByTestId("feedback-send").click();
        assertThat(patient.getByTestId("feedback-thanks")).hasText("Kiitos palautteestasi!");
        // the end text no longer asks for what was just given
        assertThat(patient.getByTestId("visit-ended")).not().containsText("kerro halutessasi");
        assertThat(patient.getByTestId("visit-ended")).containsText("Voit sulkea tämän sivun.");
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("visit-patient-360-feedback.png")));
        bothWidths(patient, 360, "patient, feedback after the visit sent");
        var response = t.row("select event_kind, channel, score, free_text from feedback_response");
        org.assertj.core.api.Assertions.assertThat(List.of(response.getString(0), response.getString(1), response.getInteger(2),
            response.getString(3))).containsExactly("visit", "video", 9, "Selkeä käynti.");
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
