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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The console's side of transfers in Chromium: nurse A transfers an accepted chat to the physicians'
 * queue with an ISBAR note through the form in the context pane (axe clean with the form open at
 * 1280×800 and 360×740); the patient (a socket) is told; physician B (a socket) takes it, reads the
 * note and declines with a reason, and the conversation comes back to A with the reason shown. Then
 * B transfers another chat to A by name: A sees it among the offers with the note, a decline needs a
 * reason, and A accepts it.
 */
@DisplayName("Browser: a nurse transfers a chat from the console with an ISBAR note, and gets transfers back and by name")
class BrowserTransferConsoleTest {
  private static final Path SHOTS = Path.of("target", "screenshots");
  private static final String SITUATION = "Kuume 4 pv, lääkärin arvio tarpeen";
  private static final String RECOMMENDATION = "Soita potilaalle tänään";

  @Test
  @DisplayName("transfer through the form, the patient told, the receiver reads the note and declines, the chat returns with the reason; a named transfer is accepted")
  void a_nurse_transfers_a_chat_to_the_physicians_queue() throws Exception {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      UUID nurse = f.account("transfer-nurse", "nurse");
      ChatFixtures c = new ChatFixtures(t, f);
      Files.createDirectories(SHOTS);
      try (Pro doctor = c.professional("transfer-doctor", "physician", "available");
          Patient patient = c.anonymousPatient();
          Patient second = c.anonymousPatient();
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB")
              .setViewportSize(1280, 800))) {
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse);
        c.createQueue(ChatFixtures.queue("doctor-chat", "pick"), doctor.id());
        String base = "http://localhost:" + t.app.port();
        Page console = context.newPage();
        List<String> scriptErrors = new ArrayList<>();
        console.onPageError(scriptErrors::add);
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("transfer-nurse");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        assertThat(console.getByTestId("presence")).hasValue("available");

        String id = patient.ws().request(ChatFixtures.enter("nurse-chat")).getJsonObject("conversation").getString("id");
        console.getByTestId("accept-" + id).click();
        Locator panel = console.getByTestId("panel-" + id);
        assertThat(panel.getByTestId("chat-input")).isFocused();

        // the form opens inline; the focus goes to its first field
        Locator pane = panel.getByTestId("context-pane");
        pane.getByTestId("transfer-open").click();
        assertThat(pane.getByTestId("transfer-open")).hasAttribute("aria-expanded", "true");
        assertThat(pane.getByTestId("transfer-target")).isFocused();
        // the conversation's own queue is not offered as a target
        assertThat(pane.getByTestId("transfer-target").locator("option[value=nurse-chat]")).hasCount(0);

        // missing parts are said inline, and the focus goes to them
        pane.getByTestId("transfer-submit").click();
        assertThat(pane.getByTestId("transfer-error")).hasText("Choose the queue to transfer the conversation to.");
        assertThat(pane.getByTestId("transfer-target")).isFocused();
        pane.getByTestId("transfer-target").selectOption("doctor-chat");
        pane.getByTestId("transfer-submit").click();
        assertThat(pane.getByTestId("transfer-error")).containsText("Write the situation");
        assertThat(pane.getByTestId("transfer-situation")).isFocused();
        assertThat(pane.getByTestId("transfer-situation")).hasAttribute("aria-invalid", "true");
        assertThat(pane.getByTestId("transfer-situation")).hasAttribute("maxlength", "1000");
        assertThat(pane.getByTestId("transfer-background")).hasAttribute("maxlength", "900");

        pane.getByTestId("transfer-situation").fill(SITUATION);
        assertThat(pane.getByTestId("transfer-error")).isHidden();
        pane.getByTestId("transfer-recommendation").fill(RECOMMENDATION);
        Axe.assertNoViolations(console, "the transfer form open at 1280 px");
        pane.getByTestId("transfer-form").scrollIntoViewIfNeeded();
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-transfer-form-1280.png")));
        pane.getByTestId("transfer-form").screenshot(new Locator.ScreenshotOptions().setPath(SHOTS.resolve("console-transfer-form-only-1280.png")));

        // on a phone the form is in the details pane
        console.setViewportSize(360, 740);
        panel.getByTestId("show-context").click();
        assertThat(pane.getByTestId("transfer-form")).isVisible();
        Axe.assertNoViolations(console, "the transfer form open at 360 px");
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-transfer-form-360.png")));
        console.setViewportSize(1280, 800);

        // sent: the conversation leaves the open list, and that is announced
        pane.getByTestId("transfer-submit").click();
        assertThat(console.getByTestId("panel-" + id)).hasCount(0);
        assertThat(console.getByTestId("row-" + id)).hasCount(0);
        assertThat(console.locator("#announcer")).containsText("was transferred to");

        // the patient is told where it moves
        JsonObject started = patient.ws().await(fr -> "transfer.started".equals(fr.getString("type")));
        assertThat(started.getJsonObject("target").getString("queueId")).isEqualTo("doctor-chat");

        // the physician takes it from the queue and reads the handover note
        JsonObject taken = doctor.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
        assertThat(taken.getString("type")).as(taken.encode()).isEqualTo("conversation.state");
        var messages = t.get("/api/conversations/" + id + "/messages", doctor.token());
        assertThat(messages.statusCode()).as(messages.bodyAsString()).isEqualTo(200);
        List<String> texts = messages.bodyAsJsonArray().stream().map(JsonObject.class::cast).map(m -> m.getString("text")).toList();
        assertThat(texts).anyMatch(text -> text != null && text.startsWith("ISBAR") && text.contains(SITUATION) && text.contains(RECOMMENDATION));

        // ... and declines: it comes back to the nurse with the reason
        doctor.ws().send(new JsonObject().put("type", "transfer.decline").put("conversationId", id).put("reason", "Kuuluu päivystykseen"));
        Locator returned = console.getByTestId("panel-" + id).getByTestId("transfer-returned");
        assertThat(returned).containsText("The receiver declined the transfer");
        assertThat(returned).containsText("Kuuluu päivystykseen");
        assertThat(console.getByTestId("panel-" + id).getByTestId("chat-input")).isEnabled();

        // a named transfer to the nurse: shown among the offers with its note
        String id2 = second.ws().request(ChatFixtures.enter("doctor-chat")).getJsonObject("conversation").getString("id");
        doctor.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id2));
        JsonObject named = doctor.ws().request(new JsonObject().put("type", "transfer.request").put("conversationId", id2)
            .put("toProfessional", nurse.toString()).put("note", new JsonObject().put("situation", "Haavan hoito-ohjeet")));
        assertThat(named.getString("type")).as(named.encode()).isEqualTo("transfer.requested");
        Locator card = console.getByTestId("transfer-offer-" + id2);
        assertThat(card).containsText("Haavan hoito-ohjeet");
        assertThat(card).containsText("physician");
        card.getByTestId("transfer-decline-" + id2).click();
        assertThat(card.getByTestId("transfer-decline-reason-" + id2)).isFocused();
        card.getByTestId("transfer-decline-confirm-" + id2).click();
        assertThat(card).containsText("Write a reason");
        Axe.assertNoViolations(console, "a named transfer offered, its decline form open");
        card.getByTestId("transfer-accept-" + id2).click();
        assertThat(console.getByTestId("transfer-offer-" + id2)).hasCount(0);
        assertThat(console.getByTestId("panel-" + id2)).isVisible();
        assertThat(console.getByTestId("panel-" + id2).getByTestId("chat-input")).isEnabled();
        // the patient has not answered the consent question yet, and the context pane says so
        Locator details = console.getByTestId("panel-" + id2).getByTestId("context-pane");
        assertThat(details.locator("dt", new Locator.LocatorOptions().setHasText("Earlier messages:"))).hasCount(1);
        assertThat(details.locator("dd", new Locator.LocatorOptions().setHasText("the patient has not yet answered whether they may be shown")))
            .hasCount(1);
        assertThat(scriptErrors).as("script errors on the page").isEmpty();
      }
    }
  }
}
