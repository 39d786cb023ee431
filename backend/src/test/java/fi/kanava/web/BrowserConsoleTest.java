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
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The three-pane console in Chromium: one nurse handles three, then four patients at once (the patients
 * are real WebSocket clients), switching by click and by keyboard shortcut. axe runs at 1280×800 with an
 * offer showing, three and four chats open and a closed one found again, and at 360×740 on the list,
 * the conversation and the details pane. Screenshots go to target/screenshots.
 */
@DisplayName("Browser: one nurse handles four patients in the three-pane console")
class BrowserConsoleTest {
  private static final Path SHOTS = Path.of("target", "screenshots");

  private static String enter(Patient patient, String queue, Map<String, Object> answers) {
    return patient.ws().request(ChatFixtures.enter(queue, answers)).getJsonObject("conversation").getString("id");
  }

  /** The patient receives the nurse's message, in their own conversation. */
  private static void receives(Patient patient, String conversationId, String text) {
    JsonObject message = patient.ws().await(fr -> "message".equals(fr.getString("type")) && text.equals(fr.getString("text")));
    assertThat(message.getString("conversationId")).isEqualTo(conversationId);
  }

  private static void write(Page console, String conversationId, String text) {
    Locator input = console.getByTestId("panel-" + conversationId).getByTestId("chat-input");
    assertThat(input).isFocused();
    input.pressSequentially(text);
    console.keyboard().press("Enter");
  }

  @Test
  @DisplayName("three offers one at a time by urgency, three then four chats on one 1280x800 screen, switching by click and Alt keys, unread counts, one closed and found again; no axe violations at 1280 and 360 px")
  void one_nurse_four_patients() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      UUID nurse = f.account("three-pane-nurse", "nurse");
      ChatFixtures c = new ChatFixtures(t, f);
      c.createQueue(ChatFixtures.queue("three-chat", "auto"), nurse);
      String base = "http://localhost:" + t.app.port();

      try (BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB")
              .setViewportSize(1280, 800));
          Patient a = c.anonymousPatient();
          Patient b = c.anonymousPatient();
          Patient urgent = c.anonymousPatient();
          Patient d = c.anonymousPatient();
          Patient late = c.anonymousPatient()) {
        Page console = context.newPage();
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("three-pane-nurse");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        assertThat(console.getByTestId("presence")).hasValue("available");

        // three patients enter; the offers are shown one at a time, the most urgent first, then the longest waiting
        // (the test clock stands still: a second between them makes "longest waiting" mean something)
        String idA = enter(a, "three-chat", Map.of("breathing", false, "topic", "other"));
        t.clock.advance(Duration.ofSeconds(1));
        String idB = enter(b, "three-chat", Map.of("breathing", false, "topic", "fever"));
        t.clock.advance(Duration.ofSeconds(1));
        String idC = enter(urgent, "three-chat", Map.of("breathing", false, "topic", "fever"));
        assertThat(console.getByTestId("offers-more")).hasText("+ 2 more offered, shown one at a time");
        assertThat(console.getByTestId("offer-" + idB)).isVisible();
        Axe.assertNoViolations(console, "console with an offer shown and two more counted");
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-1280-offer.png")));
        assertThat(console.getByTestId("offer-" + idA)).isHidden();
        assertThat(console.getByTestId("offer-" + idC)).isHidden();
        console.getByTestId("accept-" + idB).click();
        assertThat(console.getByTestId("offer-" + idC)).isVisible();
        assertThat(console.getByTestId("offers-more")).hasText("+ 1 more offered, shown one at a time");
        console.getByTestId("accept-" + idC).click();
        assertThat(console.getByTestId("offer-" + idA)).isVisible();
        assertThat(console.getByTestId("offers-more")).isHidden();
        console.getByTestId("accept-" + idA).click();
        assertThat(console.locator("#offers")).isHidden();

        // three rows with urgency as text and the topic; the last accepted is open
        Locator open = console.getByTestId("conversation-rows-open");
        assertThat(open.locator("li")).hasCount(3);
        assertThat(console.getByTestId("row-" + idB)).containsText("Kuume");
        assertThat(console.getByTestId("row-" + idB)).containsText("Same day");
        assertThat(console.getByTestId("row-" + idA)).containsText("Muu");
        assertThat(console.getByTestId("panel-" + idA)).isVisible();
        assertThat(console.getByTestId("panel-" + idB)).isHidden();

        // by click: C, and the context pane shows C's triage
        console.getByTestId("row-" + idC).click();
        assertThat(console.getByTestId("panel-" + idC)).isVisible();
        assertThat(console.getByTestId("panel-" + idA)).isHidden();
        assertThat(console.getByTestId("panel-" + idC).getByTestId("context-pane")).containsText("Kuume");
        write(console, idC, "Hello C");
        receives(urgent, idC, "Hello C");

        // by keyboard, from the composer: Alt+1 is the first row (B), Alt+ArrowDown the next ones
        console.keyboard().press("Alt+1");
        assertThat(console.getByTestId("panel-" + idB)).isVisible();
        write(console, idB, "Hello B");
        receives(b, idB, "Hello B");
        console.keyboard().press("Alt+ArrowDown");
        assertThat(console.getByTestId("panel-" + idC)).isVisible();
        console.keyboard().press("Alt+ArrowDown");
        assertThat(console.getByTestId("panel-" + idA)).isVisible();
        write(console, idA, "Hello A");
        receives(a, idA, "Hello A");
        assertThat(console.getByTestId("row-" + idA).getByTestId("row-preview")).hasText("You: Hello A");

        // a patient not in view writes: their row counts it and previews it; opening it clears the count
        b.ws().request(ChatFixtures.send(idB, "b-1", "A question from B"));
        assertThat(console.getByTestId("row-" + idB).getByTestId("row-unread")).hasText("1 new");
        assertThat(console.getByTestId("row-" + idB).getByTestId("row-preview")).hasText("A question from B");
        assertThat(console.getByTestId("row-" + idB).getByTestId("row-activity")).containsText("waiting");
        assertThat(console.getByTestId("row-" + idA).getByTestId("row-unread")).hasCount(0);
        assertThat(console).hasTitle("(1) Kanava – professional console");

        // canned phrases: searched and inserted from the keyboard at the cursor
        console.getByTestId("panel-" + idA).getByTestId("phrase-search").fill("miten");
        console.keyboard().press("Enter");
        assertThat(console.getByTestId("panel-" + idA).getByTestId("chat-input")).hasValue("Hei, miten voin auttaa?");
        console.getByTestId("panel-" + idA).getByTestId("chat-input").fill("");

        console.keyboard().press("Alt+ArrowUp");
        assertThat(console.getByTestId("panel-" + idC)).isVisible();
        console.keyboard().press("Alt+1");
        assertThat(console.getByTestId("panel-" + idB)).isVisible();
        assertThat(console.getByTestId("row-" + idB).getByTestId("row-unread")).hasCount(0);
        assertThat(console).hasTitle("Kanava – professional console");
        assertThat(console.getByTestId("panel-" + idB).getByTestId("message-list")).containsText("A question from B");

        Axe.assertNoViolations(console, "console with three chats");
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-1280-three-chats.png")));

        // a fourth patient: on the same 1280x800 screen, with no page scroll, every row can be reached
        // and the open conversation has its message box and Send in view, with room for the messages
        String idD = enter(d, "three-chat", Map.of("breathing", false, "topic", "other"));
        console.getByTestId("accept-" + idD).click();
        assertThat(console.locator("#offers")).isHidden();
        assertThat(open.locator("li")).hasCount(4);
        write(console, idD, "Hello D");
        receives(d, idD, "Hello D");
        for (String id : new String[] {idA, idB, idC, idD}) {
          assertThat(console.getByTestId("row-" + id)).isInViewport();
        }
        Locator panelD = console.getByTestId("panel-" + idD);
        assertThat(panelD.getByTestId("chat-input")).isInViewport();
        assertThat(panelD.getByTestId("chat-send")).isInViewport();
        assertThat(panelD.getByTestId("context-pane").getByTestId("close-submit")).isInViewport();
        assertThat(console.evaluate("() => document.scrollingElement.scrollHeight <= window.innerHeight")).isEqualTo(true);
        assertThat(panelD.getByTestId("message-list").boundingBox().height).as("message area height").isGreaterThan(400);
        Axe.assertNoViolations(console, "console with four chats");
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-1280-four-chats.png")));
        console.keyboard().press("Alt+1");
        assertThat(console.getByTestId("panel-" + idB)).isVisible();

        // B is closed with a referral: it leaves the open list and is found under closed, read-only
        Locator contextB = console.getByTestId("panel-" + idB).getByTestId("context-pane");
        assertThat(contextB).containsText("The detail is shown to the patient.");
        contextB.getByTestId("close-outcome").selectOption("referred");
        contextB.getByTestId("close-detail").fill("Health station, Inari");
        contextB.getByTestId("close-submit").click();
        assertThat(console.getByTestId("panel-" + idB)).containsText("Closed: ");
        assertThat(open.locator("li")).hasCount(3);
        assertThat(open.getByTestId("row-" + idB)).hasCount(0);
        console.getByTestId("list-closed").click();
        Locator closed = console.getByTestId("conversation-rows-closed");
        assertThat(closed.getByTestId("row-" + idB)).containsText("closed at");
        console.getByTestId("list-open").click();
        console.getByTestId("row-" + idA).click();
        console.getByTestId("list-closed").click();
        closed.getByTestId("row-" + idB).click();
        assertThat(console.getByTestId("panel-" + idB).getByTestId("message-list")).containsText("A question from B");
        assertThat(console.getByTestId("panel-" + idB).getByTestId("chat-input")).isHidden();
        Axe.assertNoViolations(console, "console, a closed conversation found again");
        // dismissed from view, it stays in the closed list (no new fetch needed)
        console.getByTestId("panel-" + idB).getByRole(com.microsoft.playwright.options.AriaRole.BUTTON,
            new Locator.GetByRoleOptions().setName("Remove from view")).click();
        assertThat(closed.getByTestId("row-" + idB)).containsText("closed at");
        console.getByTestId("list-open").click();
        console.getByTestId("row-" + idA).click();

        // a phone: one pane at a time; the message box and send button stay in view
        console.setViewportSize(360, 740);
        console.getByTestId("panel-" + idA).getByTestId("back-to-list").click();
        assertThat(console.getByTestId("row-" + idA)).isVisible();
        assertThat(console.getByTestId("panel-" + idB).getByTestId("message-list")).isHidden();
        Axe.assertNoViolations(console, "console list pane on a phone");
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-360-list.png")));
        console.getByTestId("row-" + idC).click();
        Locator panelC = console.getByTestId("panel-" + idC);
        assertThat(panelC.getByTestId("chat-input")).isInViewport();
        assertThat(panelC.getByTestId("chat-send")).isInViewport();
        assertThat(console.getByTestId("row-" + idC)).not().isVisible();
        Axe.assertNoViolations(console, "console conversation pane on a phone");
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-360-conversation.png")));
        // an offer while a conversation fills the phone: the list (and the offer card) is out of view, so a
        // button above the conversation says so and goes back to the list
        assertThat(console.getByTestId("offer-reminder")).hasCount(0);
        String idLate = enter(late, "three-chat", Map.of("breathing", false, "topic", "other"));
        assertThat(console.getByTestId("offer-reminder")).isInViewport();
        assertThat(panelC.getByTestId("chat-input")).isInViewport();
        Axe.assertNoViolations(console, "console conversation pane on a phone, an offer waiting");
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-360-offer-reminder.png")));
        console.getByTestId("offer-reminder").click();
        assertThat(console.getByTestId("accept-" + idLate)).isVisible();
        assertThat(console.getByTestId("offer-reminder")).hasCount(0);
        console.getByTestId("row-" + idC).click();
        panelC.getByTestId("show-context").click();
        assertThat(panelC.getByTestId("context-pane")).isVisible();
        assertThat(panelC.getByTestId("chat-input")).isHidden();
        Axe.assertNoViolations(console, "console details pane on a phone");
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-360-details.png")));
        panelC.getByTestId("back-to-conversation").click();
        assertThat(panelC.getByTestId("chat-input")).isFocused();
      }
    }
  }
}
