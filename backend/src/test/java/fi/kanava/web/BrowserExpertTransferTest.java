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
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The expert registry in the console, in Chromium: a nurse with an accepted chat opens the transfer
 * form, chooses "a named colleague" and searches for a specialty; the result count is announced,
 * availability is in words, she herself is listed but disabled; she picks the physician with the
 * keyboard alone, and the search is axe clean at 1280 and 360 px. She transfers by name; while the
 * physician (a socket) has not accepted, the list pane says the transfer waits for them; when they
 * accept, that is announced and the note goes away.
 */
@DisplayName("Browser: a nurse finds a physician by specialty and transfers a chat to them by name")
class BrowserExpertTransferTest {
  private static final Path SHOTS = Path.of("target", "screenshots");

  private static JsonObject expertise(String... specialties) {
    return new JsonObject().put("specialties", new JsonArray(List.of(specialties))).put("skills", new JsonArray())
        .put("languages", new JsonArray(List.of("fi", "sv")));
  }

  @Test
  @DisplayName("search by specialty, keyboard-only choice, transfer by name, waiting shown to the sender until the physician accepts")
  void a_nurse_transfers_to_a_physician_found_by_specialty() throws Exception {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      UUID nurse = f.account("expert-nurse", "nurse");
      ChatFixtures c = new ChatFixtures(t, f);
      Files.createDirectories(SHOTS);
      try (Pro doctor = c.professional("diabetes-doctor", "physician", "available");
          Pro colleague = c.professional("diabetes-nurse", "nurse", "away");
          Pro other = c.professional("wound-nurse", "nurse", "available");
          Patient patient = c.anonymousPatient();
          Patient second = c.anonymousPatient();
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB")
              .setViewportSize(1280, 800))) {
        assertThat(t.send(HttpMethod.PUT, "/api/me/expertise", doctor.token(), expertise("Diabetes", "internal medicine")).statusCode())
            .isEqualTo(200);
        assertThat(t.send(HttpMethod.PUT, "/api/me/expertise", colleague.token(), expertise("diabetes")).statusCode()).isEqualTo(200);
        assertThat(t.send(HttpMethod.PUT, "/api/me/expertise", other.token(), expertise("wound care")).statusCode()).isEqualTo(200);
        c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse);
        c.createQueue(ChatFixtures.queue("wound-chat", "auto"), other.id());
        c.createQueue(ChatFixtures.queue("nurse-pick", "pick"), nurse);
        String base = "http://localhost:" + t.app.port();
        Page console = context.newPage();
        List<String> scriptErrors = new ArrayList<>();
        console.onPageError(scriptErrors::add);
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("expert-nurse");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        assertThat(console.getByTestId("presence")).hasValue("available");

        String id = patient.ws().request(ChatFixtures.enter("nurse-chat")).getJsonObject("conversation").getString("id");
        console.getByTestId("accept-" + id).click();
        Locator panel = console.getByTestId("panel-" + id);
        assertThat(panel.getByTestId("chat-input")).isFocused();
        Locator pane = panel.getByTestId("context-pane");
        pane.getByTestId("transfer-open").click();
        assertThat(pane.getByTestId("transfer-target")).isFocused();

        // keyboard only: back to the choice of target, then the arrow picks "a named colleague"
        console.keyboard().press("Shift+Tab");
        assertThat(pane.getByTestId("transfer-kind-queue")).isFocused();
        console.keyboard().press("ArrowRight");
        assertThat(pane.getByTestId("transfer-kind-colleague")).isChecked();
        Locator search = pane.getByTestId("expert-search");
        assertThat(search).isVisible();
        // everyone of the organisation first (herself listed, disabled), the count announced
        assertThat(search.getByTestId("expert-" + nurse)).isDisabled();
        console.keyboard().press("Tab");
        assertThat(search.getByTestId("expert-query")).isFocused();
        console.keyboard().type("DIABETES");
        assertThat(search.getByTestId("expert-status")).hasText("Colleagues found: 2.");
        Locator results = search.getByTestId("expert-results");
        // available first: the physician, then the colleague who is away; availability in words
        assertThat(results.locator("li").nth(0)).containsText("Test diabetes-doctor");
        assertThat(results.locator("li").nth(0)).containsText("physician");
        assertThat(results.locator("li").nth(0)).containsText("diabetes, internal medicine");
        assertThat(results.locator("li").nth(0)).containsText("Available");
        assertThat(results.locator("li").nth(0)).containsText("Swedish");
        assertThat(results.locator("li").nth(0)).containsText("Conversations 0/4");
        assertThat(results.locator("li").nth(1)).containsText("Test diabetes-nurse");
        assertThat(results.locator("li").nth(1)).containsText("Away");
        assertThat(results).not().containsText("wound");

        // Tab past the language and "available now" filters into the results; arrows choose
        console.keyboard().press("Tab");
        assertThat(search.getByTestId("expert-language")).isFocused();
        console.keyboard().press("Tab");
        assertThat(search.getByTestId("expert-available")).isFocused();
        console.keyboard().press("Tab");
        assertThat(search.getByTestId("expert-" + doctor.id())).isFocused();
        console.keyboard().press("ArrowDown");
        assertThat(search.getByTestId("expert-" + colleague.id())).isChecked();
        console.keyboard().press("ArrowUp");
        assertThat(search.getByTestId("expert-" + doctor.id())).isChecked();
        assertThat(search.getByTestId("expert-" + colleague.id())).not().isChecked();

        Axe.assertNoViolations(console, "the expert search open in the transfer form at 1280 px");
        search.screenshot(new Locator.ScreenshotOptions().setPath(SHOTS.resolve("console-expert-search-1280.png")));
        console.setViewportSize(360, 740);
        panel.getByTestId("show-context").click();
        assertThat(search).isVisible();
        Axe.assertNoViolations(console, "the expert search open in the transfer form at 360 px");
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-expert-search-360.png")));
        console.setViewportSize(1280, 800);

        pane.getByTestId("transfer-situation").fill("Diabeetikko, verensokeri koholla, lääkärin arvio");
        pane.getByTestId("transfer-submit").click();
        assertThat(console.getByTestId("panel-" + id)).hasCount(0);
        assertThat(console.locator("#announcer")).containsText("was transferred to Test diabetes-doctor");

        // the sender sees where it waits
        Locator waiting = console.getByTestId("sent-transfer-" + id);
        assertThat(waiting).containsText("Test diabetes-doctor");
        assertThat(waiting).containsText("waiting to be accepted");
        Axe.assertNoViolations(console, "a named transfer waiting for the colleague");

        // the physician is offered it by name and accepts; the sender is told
        JsonObject offer = doctor.ws().awaitType("transfer.offer");
        assertThat(offer.getString("conversationId")).isEqualTo(id);
        JsonObject accepted = doctor.ws().request(new JsonObject().put("type", "transfer.accept").put("conversationId", id));
        assertThat(accepted.getString("type")).as(accepted.encode()).isEqualTo("transfer.accepted");
        assertThat(console.getByTestId("sent-transfer-" + id)).hasCount(0);
        assertThat(console.locator("#announcer")).containsText("Test diabetes-doctor, physician accepted the transfer");
        assertThat(t.row("select assigned_to from conversation where id = $1", UUID.fromString(id)).getUUID("assigned_to"))
            .isEqualTo(doctor.id());

        // return to sender: a colleague transfers a chat to a queue the nurse serves; she takes it and hands it back
        String id2 = second.ws().request(ChatFixtures.enter("wound-chat")).getJsonObject("conversation").getString("id");
        other.ws().await(fr -> "conversation.offer".equals(fr.getString("type")));
        assertThat(other.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id2)).getString("type"))
            .isEqualTo("conversation.state");
        JsonObject toQueue = other.ws().request(new JsonObject().put("type", "transfer.request").put("conversationId", id2)
            .put("toQueue", "nurse-pick").put("note", new JsonObject().put("situation", "Haava ei parane")));
        assertThat(toQueue.getString("type")).as(toQueue.encode()).isEqualTo("transfer.requested");
        console.getByTestId("take-" + id2).click();
        Locator pane2 = console.getByTestId("panel-" + id2).getByTestId("context-pane");
        pane2.getByTestId("return-open").click();
        assertThat(pane2.getByTestId("return-reason")).isFocused();
        pane2.getByTestId("return-submit").click();
        assertThat(pane2.getByTestId("return-error")).hasText("Write a reason (up to 500 characters).");
        pane2.getByTestId("return-reason").fill("Kuuluu haavahoitajalle");
        Axe.assertNoViolations(console, "return to sender open");
        pane2.getByTestId("return-submit").click();
        assertThat(console.getByTestId("panel-" + id2)).hasCount(0);
        assertThat(console.locator("#announcer")).containsText("returned to whoever transferred it");
        JsonObject back = other.ws().await(fr -> "transfer.returned".equals(fr.getString("type")));
        assertThat(back.getString("conversationId")).isEqualTo(id2);
        assertThat(back.getString("reason")).isEqualTo("Kuuluu haavahoitajalle");
        assertThat(t.row("select assigned_to from conversation where id = $1", UUID.fromString(id2)).getUUID("assigned_to"))
            .isEqualTo(other.id());
        assertThat(scriptErrors).as("script errors on the page").isEmpty();
      }
    }
  }
}
