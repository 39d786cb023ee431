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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("In a real browser, the patient's side of a transfer")
class BrowserTransferConsentTest {
  /** Where the screenshots of the question and the decision go, to be looked at. */
  private static final Path SHOTS = Path.of("target", "screenshots");
  private static final String EARLY_PATIENT = "Kuumetta on ollut neljä päivää.";
  private static final String EARLY_NURSE = "Hei, olen hoitaja. Siirrän sinut lääkärille.";

  @Test
  @DisplayName("a patient on a phone is told where the chat moves, allows the history, reloads, sees the decision and takes it back")
  void the_patient_answers_the_consent_question_and_changes_the_answer_after_a_reload() throws IOException {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      Files.createDirectories(SHOTS);
      try (Pro nurse = c.professional("consent-nurse", "nurse", "available");
          Pro doctor = c.professional("consent-doctor", "physician", "available");
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(360, 740))) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse.id());
        c.createQueue(ChatFixtures.queue("doctor-chat", "pick"), doctor.id());
        String base = "http://localhost:" + t.app.port();

        Page patient = context.newPage();
        List<String> scriptErrors = new ArrayList<>();
        patient.onPageError(scriptErrors::add);
        PatientPages.answerAndQueue(patient, base, "nurse-chat", "Kuume");

        // nurse A (a socket) accepts and chats
        JsonObject offer = nurse.ws().await(fr -> "conversation.offer".equals(fr.getString("type")));
        String id = offer.getJsonObject("conversation").getString("id");
        nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
        nurse.ws().request(ChatFixtures.send(id, "n1", EARLY_NURSE));
        assertThat(patient.getByTestId("message-list")).containsText(EARLY_NURSE);
        patient.getByTestId("chat-input").fill(EARLY_PATIENT);
        patient.getByTestId("chat-send").click();
        nurse.ws().await(fr -> "message".equals(fr.getString("type")) && EARLY_PATIENT.equals(fr.getString("text")));

        // she transfers the conversation to the physicians' queue
        JsonObject requested = nurse.ws().request(new JsonObject().put("type", "transfer.request").put("conversationId", id)
            .put("toQueue", "doctor-chat").put("note", new JsonObject().put("situation", "Kuume 4 pv, lääkärin arvio")));
        org.assertj.core.api.Assertions.assertThat(requested.getString("type")).as(requested.encode()).isEqualTo("transfer.requested");

        // the patient is told, in Finnish, where the chat moves, and asked about the earlier messages
        Locator card = patient.getByTestId("transfer-consent");
        assertThat(card).isVisible();
        assertThat(patient.getByTestId("transfer-target")).containsText("Testijono doctor-chat");
        assertThat(card).containsText("Saako seuraava ammattilainen nähdä tämän keskustelun aiemmat viestit?");
        assertThat(patient.getByTestId("transfer-deadline")).containsText("Vastaa viimeistään klo");
        assertThat(card).containsText("Jos et vastaa siihen mennessä");
        assertThat(patient.getByTestId("message-list")).containsText("Keskustelu siirtyy toiseen palveluun.");
        // the question is announced through the page's live region
        assertThat(patient.locator("#transfer-status")).containsText("Saako seuraava ammattilainen");
        Axe.assertNoViolations(patient, "the consent question at 360 px");
        card.scrollIntoViewIfNeeded();
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("patient-transfer-question-360.png")));

        // Yes, by keyboard: the decision replaces the buttons and the way to change it has the focus
        patient.getByTestId("transfer-consent-yes").focus();
        patient.keyboard().press("Enter");
        assertThat(patient.getByTestId("transfer-decision")).containsText("Sallit seuraavan ammattilaisen nähdä aiemmat viestit");
        assertThat(patient.getByTestId("transfer-consent-change")).isFocused();
        assertThat(patient.locator("#transfer-status")).containsText("Sallit");

        // the receiver takes it from the queue and reads the earlier messages
        JsonObject taken = doctor.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
        org.assertj.core.api.Assertions.assertThat(taken.getString("type")).as(taken.encode()).isEqualTo("conversation.state");
        org.assertj.core.api.Assertions.assertThat(history(t, doctor, id)).contains(EARLY_PATIENT, EARLY_NURSE);

        // after a reload the decision is still shown, from the conversation's view
        patient.reload();
        assertThat(patient.getByTestId("transfer-decision")).containsText("Sallit seuraavan ammattilaisen nähdä aiemmat viestit");
        assertThat(patient.getByTestId("transfer-target")).containsText("Testijono doctor-chat");
        Axe.assertNoViolations(patient, "the decision at 360 px");
        patient.getByTestId("transfer-consent").scrollIntoViewIfNeeded();
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("patient-transfer-decision-360.png")));

        // she changes it to No
        patient.getByTestId("transfer-consent-change").click();
        assertThat(patient.getByTestId("transfer-consent-yes")).isFocused();
        Axe.assertNoViolations(patient, "changing the answer");
        patient.getByTestId("transfer-consent-no").click();
        assertThat(patient.getByTestId("transfer-decision")).containsText("Et sallinut seuraavan ammattilaisen nähdä aiempia viestejä");
        assertThat(patient.getByTestId("transfer-consent-change")).isFocused();
        patient.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("patient-transfer-refused-360.png")));

        // the history follows the decision: the receiver now reads only from the handover note on
        List<String> after = history(t, doctor, id);
        org.assertj.core.api.Assertions.assertThat(after).doesNotContain(EARLY_PATIENT, EARLY_NURSE);
        org.assertj.core.api.Assertions.assertThat(after).anyMatch(text -> text != null && text.startsWith("ISBAR"));
        org.assertj.core.api.Assertions.assertThat(t.row("select consent, consent_by from conversation_transfer where conversation_id = $1",
            java.util.UUID.fromString(id)).getString("consent")).isEqualTo("refused");
        org.assertj.core.api.Assertions.assertThat(scriptErrors).as("script errors on the page").isEmpty();
      }
    }
  }

  /** The texts the professional reads over REST. */
  private static List<String> history(TestApp t, Pro reader, String conversationId) {
    var response = t.get("/api/conversations/" + conversationId + "/messages", reader.token());
    org.assertj.core.api.Assertions.assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonArray().stream().map(JsonObject.class::cast).map(m -> m.getString("text")).toList();
  }
}
