package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import fi.kanava.support.Axe;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.PatientPages;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("In a real browser, the supervisor page's live figures")
class BrowserSupervisorLiveTest {

  @Test
  @DisplayName("a patient's answer to the NPS question after the nurse closes shows on the open supervisor page without a reload; axe clean at 1280 and 360 px")
  void todays_nps_changes_live() throws java.io.IOException {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      f.account("live-esihenkilo", "supervisor");
      try (Pro nurse = c.professional("live-nurse", "nurse", "available");
          BrowserContext supContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(1280, 800));
          BrowserContext patientContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(360, 740))) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
        String base = "http://localhost:" + t.app.port();

        // the supervisor signs in on the page and sees the queue, nobody's answer yet
        Page sup = supContext.newPage();
        List<String> scriptErrors = new ArrayList<>();
        sup.onPageError(scriptErrors::add);
        sup.navigate(base + "/supervisor.html");
        sup.getByTestId("login-username").fill("live-esihenkilo");
        sup.getByTestId("login-password").fill(Fixtures.PASSWORD);
        sup.getByTestId("login-submit").click();
        Locator row = sup.getByTestId("live-table").locator("tr[data-queue=nurse-chat]");
        assertThat(row.getByTestId("live-available")).hasText("1");
        assertThat(row.getByTestId("live-responses")).hasText("0");
        assertThat(row.getByTestId("live-nps")).hasText("–");
        assertThat(sup.locator("#live-title")).isFocused();
        assertThat(sup.getByTestId("month-table")).isVisible();
        Axe.assertNoViolations(sup, "the supervisor page at 1280 px");
        sup.evaluate("() => { window.stillTheSamePage = true; }");

        // a patient chats, the nurse closes, the patient answers 9 on the phone
        Page patient = patientContext.newPage();
        PatientPages.answerAndQueue(patient, base, "nurse-chat", "Kuume");
        JsonObject offer = nurse.ws().await(fr -> "conversation.offer".equals(fr.getString("type")));
        String id = offer.getJsonObject("conversation").getString("id");
        nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
        assertThat(row.getByTestId("live-active")).hasText("1");
        nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", "resolved"));
        assertThat(row.getByTestId("live-active")).hasText("0");
        patient.getByTestId("feedback-score-9").check();
        patient.getByTestId("feedback-send").click();

        // the open page shows it, without a reload
        assertThat(row.getByTestId("live-responses")).hasText("1");
        assertThat(row.getByTestId("live-nps")).hasText("+100,0");
        org.assertj.core.api.Assertions.assertThat(sup.evaluate("() => window.stillTheSamePage === true")).isEqualTo(true);
        Axe.assertNoViolations(sup, "the supervisor page after a live change at 1280 px");
        sup.setViewportSize(360, 740);
        assertThat(row.getByTestId("live-nps")).isAttached();
        Axe.assertNoViolations(sup, "the supervisor page at 360 px");
        java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "screenshots"));
        sup.screenshot(new Page.ScreenshotOptions().setPath(java.nio.file.Path.of("target", "screenshots", "supervisor-360.png")).setFullPage(true));
        sup.setViewportSize(1280, 800);
        sup.screenshot(new Page.ScreenshotOptions().setPath(java.nio.file.Path.of("target", "screenshots", "supervisor-1280.png")).setFullPage(true));
        // the month's CSV downloads from a blob fetched with the Authorization header: no token in any URL
        List<String> urls = new ArrayList<>();
        sup.onRequest(request -> urls.add(request.url()));
        com.microsoft.playwright.Download csv = sup.waitForDownload(() -> sup.getByTestId("month-csv").click());
        org.assertj.core.api.Assertions.assertThat(csv.suggestedFilename()).matches("kanava-\\d{4}-\\d{2}\\.csv");
        org.assertj.core.api.Assertions.assertThat(urls).anyMatch(u -> u.contains("/api/reports/monthly.csv?month="))
            .noneMatch(u -> u.toLowerCase(java.util.Locale.ROOT).contains("token"));
        // the month's consultations, and the rows by unit: the organisation's units, the same total
        assertThat(sup.getByTestId("month-table").locator("tr.total").getByTestId("month-consultations")).hasText("0 (0 myöhässä)");
        sup.getByTestId("month-by").selectOption("unit");
        sup.getByTestId("month-show").click();
        assertThat(sup.getByTestId("month-table").locator("thead th").first()).hasText("Yksikkö");
        assertThat(sup.getByTestId("month-table").locator("tbody th[scope=row]").first()).hasText("Test unit");
        com.microsoft.playwright.Download byUnit = sup.waitForDownload(() -> sup.getByTestId("month-csv").click());
        org.assertj.core.api.Assertions.assertThat(byUnit.suggestedFilename()).matches("kanava-\\d{4}-\\d{2}-by-unit\\.csv");
        org.assertj.core.api.Assertions.assertThat(scriptErrors).isEmpty();
      }
    }
  }
}
