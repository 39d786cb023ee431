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
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("In a real browser, the patient's feedback form at the end of a chat")
class BrowserFeedbackTest {
  /** Where the screenshots of the form go, to be looked at. */
  private static final Path SHOTS = Path.of("target", "screenshots");

  /** The patient queues on a phone, the nurse (a socket) accepts, they chat, the nurse closes; returns the conversation id. */
  private static String chatClosedByTheNurse(Page patient, String base, Pro nurse) {
    PatientPages.answerAndQueue(patient, base, "nurse-chat", "Kuume");
    JsonObject offer = nurse.ws().await(fr -> "conversation.offer".equals(fr.getString("type")));
    String id = offer.getJsonObject("conversation").getString("id");
    nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
    nurse.ws().request(ChatFixtures.send(id, "n1", "Hei, olen hoitaja. Miten voin auttaa?"));
    assertThat(patient.getByTestId("message-list")).containsText("Miten voin auttaa?");
    patient.getByTestId("chat-input").fill("Kuumetta on ollut kaksi päivää.");
    patient.getByTestId("chat-send").click();
    nurse.ws().await(fr -> "message".equals(fr.getString("type")) && "Kuumetta on ollut kaksi päivää.".equals(fr.getString("text")));
    JsonObject closed = nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id)
        .put("outcome", "resolved"));
    org.assertj.core.api.Assertions.assertThat(closed.getString("type")).as(closed.encode()).isEqualTo("conversation.closed");
    return id;
  }

  @Test
  @DisplayName("a patient on a phone answers by keyboard right when the nurse closes, is thanked, and is not asked again after a reload")
  void the_patient_answers_by_keyboard_and_is_not_asked_again() throws IOException {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      Files.createDirectories(SHOTS);
      try (Pro nurse = c.professional("fb-nurse", "nurse", "available");
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(360, 740))) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
        String base = "http://localhost:" + t.app.port();
        Page patient = context.newPage();
        List<String> scriptErrors = new ArrayList<>();
        patient.onPageError(scriptErrors::add);
        String id = chatClosedByTheNurse(patient, base, nurse);

        // the form appears in the end screen, with the THL question and the queue's five statements
        Locator form = patient.getByTestId("feedback");
        assertThat(form).isVisible();
        assertThat(patient.getByTestId("feedback-score")).containsText(
            "Kuinka todennäköisesti suosittelisit palvelua ystävillesi tai läheisillesi?");
        assertThat(patient.getByTestId("feedback-score")).containsText("0 = ei lainkaan todennäköisesti");
        assertThat(patient.getByTestId("feedback-statement-access")).containsText("Sain palvelua silloin kun tarvitsin");
        assertThat(patient.getByTestId("feedback-statement-usefulness")).isVisible();
        // the transcript and a new contact stay below
        assertThat(patient.getByTestId("transcript-lines")).containsText("Kuumetta on ollut kaksi päivää.");
        assertThat(patient.getByTestId("new-contact")).isVisible();
        // the eleven score targets fit the phone's width and are at least 44 px
        for (int n = 0; n <= 10; n++) {
          var box = patient.getByTestId("feedback-score-" + n).boundingBox();
          org.assertj.core.api.Assertions.assertThat(box.width).as("score %d width", n).isGreaterThanOrEqualTo(44);
          org.assertj.core.api.Assertions.assertThat(box.height).as("score %d height", n).isGreaterThanOrEqualTo(44);
          org.assertj.core.api.Assertions.assertThat(box.x + box.width).as("score %d right edge", n).isLessThanOrEqualTo(360);
        }
        org.assertj.core.api.Assertions.assertThat((Boolean) patient.evaluate("document.documentElement.scrollWidth <= 360"))
            .as("no sideways scrolling").isTrue();
        Axe.assertNoViolations(patient, "the empty feedback form");
        form.scrollIntoViewIfNeeded();
        form.screenshot(new Locator.ScreenshotOptions().setPath(SHOTS.resolve("patient-feedback-360.png")));
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("patient-feedback-page-360.png")).setFullPage(true));

        // sending without a score: a clear error at the question, and the focus goes there
        patient.getByTestId("feedback-send").click();
        assertThat(patient.getByTestId("feedback-score-error")).containsText("Valitse luku 0–10");
        assertThat(patient.getByTestId("feedback-score-0")).isFocused();
        Axe.assertNoViolations(patient, "the form with the missing-score error");
        form.screenshot(new Locator.ScreenshotOptions().setPath(SHOTS.resolve("patient-feedback-error-360.png")));

        // by keyboard: arrows to 9, Tab to the first statement and arrows to 5, then the text and Send
        for (int i = 0; i < 9; i++) {
          patient.keyboard().press("ArrowRight");
        }
        assertThat(patient.getByTestId("feedback-score-9")).isChecked();
        assertThat(patient.getByTestId("feedback-score-9")).isFocused();
        assertThat(patient.getByTestId("feedback-score-error")).isHidden();
        patient.keyboard().press("Tab");
        assertThat(patient.getByTestId("feedback-access-1")).isFocused();
        for (int i = 0; i < 4; i++) {
          patient.keyboard().press("ArrowRight");
        }
        assertThat(patient.getByTestId("feedback-access-5")).isChecked();
        patient.getByTestId("feedback-text").focus();
        patient.keyboard().type("Sain apua nopeasti.");
        assertThat(patient.getByTestId("feedback-counter")).containsText("19/2000");
        patient.setViewportSize(1280, 800);
        form.scrollIntoViewIfNeeded();
        form.screenshot(new Locator.ScreenshotOptions().setPath(SHOTS.resolve("patient-feedback-1280.png")));
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("patient-feedback-page-1280.png")).setFullPage(true));
        patient.setViewportSize(360, 740);
        patient.getByTestId("feedback-send").focus();
        patient.keyboard().press("Enter");

        // thanks replace the form, in the live region, with the focus on them
        assertThat(patient.getByTestId("feedback-thanks")).hasText("Kiitos palautteestasi!");
        assertThat(patient.getByTestId("feedback-thanks")).isFocused();
        assertThat(patient.locator("[data-testid=feedback] [role=status]")).containsText("Kiitos palautteestasi!");
        assertThat(patient.getByTestId("feedback-form")).hasCount(0);
        assertThat(patient.getByTestId("new-contact")).isVisible();
        Axe.assertNoViolations(patient, "after the thanks");
        patient.getByTestId("feedback").screenshot(new Locator.ScreenshotOptions().setPath(SHOTS.resolve("patient-feedback-thanks-360.png")));

        Row row = t.row("select score, statements, free_text, skipped from feedback_response where event_id = $1", UUID.fromString(id));
        org.assertj.core.api.Assertions.assertThat(row.getInteger("score")).isEqualTo(9);
        org.assertj.core.api.Assertions.assertThat(((JsonObject) row.getValue("statements")).getMap()).isEqualTo(Map.of("access", 5));
        org.assertj.core.api.Assertions.assertThat(row.getString("free_text")).isEqualTo("Sain apua nopeasti.");
        org.assertj.core.api.Assertions.assertThat(row.getBoolean("skipped")).isFalse();

        // a reload shows the end screen without the form
        patient.reload();
        assertThat(patient.getByTestId("transcript-lines")).containsText("Kuumetta on ollut kaksi päivää.");
        assertThat(patient.getByTestId("feedback-thanks")).isVisible();
        assertThat(patient.getByTestId("feedback-form")).hasCount(0);
        org.assertj.core.api.Assertions.assertThat(scriptErrors).as("script errors on the page").isEmpty();
      }
    }
  }

  @Test
  @DisplayName("skipping is one click, and an answer given elsewhere (feedback_duplicate) counts as answered")
  void skipping_is_one_click() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      try (Pro nurse = c.professional("fb-skip-nurse", "nurse", "available");
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(360, 740))) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
        String base = "http://localhost:" + t.app.port();
        Page patient = context.newPage();
        List<String> scriptErrors = new ArrayList<>();
        patient.onPageError(scriptErrors::add);
        String id = chatClosedByTheNurse(patient, base, nurse);

        patient.getByTestId("feedback-skip-top").click();
        assertThat(patient.getByTestId("feedback-thanks")).containsText("Palautetta ei lähetetty.");
        assertThat(patient.getByTestId("feedback-form")).hasCount(0);
        Row row = t.row("select skipped, score from feedback_response where event_id = $1", UUID.fromString(id));
        org.assertj.core.api.Assertions.assertThat(row.getBoolean("skipped")).isTrue();
        org.assertj.core.api.Assertions.assertThat(row.getValue("score")).isNull();

        // the tab forgets (another tab, a cleared storage): the form shows, and the server's duplicate counts as answered
        patient.evaluate("Object.keys(sessionStorage).filter((k) => k.startsWith('kanava.patient.feedback.'))"
            + ".forEach((k) => sessionStorage.removeItem(k))");
        patient.reload();
        patient.getByTestId("feedback-score-7").check();
        patient.getByTestId("feedback-send").click();
        assertThat(patient.getByTestId("feedback-thanks")).isVisible();
        assertThat(patient.getByTestId("feedback-error")).hasCount(0);
        org.assertj.core.api.Assertions.assertThat(t.row("select count(*) from feedback_response where event_id = $1",
            UUID.fromString(id)).getLong(0)).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThat(scriptErrors).as("script errors on the page").isEmpty();
      }
    }
  }
}
