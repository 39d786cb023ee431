package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.PatientPages;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Offers, the nurse joining and new messages are signalled to someone looking at another tab: the
 * title, a sound (which can be turned off) and a desktop notification. The page's visibility and
 * focus are set by the test (a stubbed Page Visibility API), and {@code window.Notification} is
 * replaced by a recorder whose permission starts "default", so the page must ask for it from a click.
 */
@DisplayName("Signals to someone looking elsewhere")
class BrowserAttentionTest {

  /** Stubs visibility, focus and notifications; {@code __setVisibility('hidden')} sends visibilitychange. */
  private static String stubs(String permission) {
    return """
        (() => {
          // a page may be loaded while hidden (a reload in a background tab): the test says so beforehand
          let state = sessionStorage.getItem('__startHidden') ? 'hidden' : 'visible';
          Object.defineProperty(Document.prototype, 'visibilityState', { get: () => state, configurable: true });
          Object.defineProperty(Document.prototype, 'hidden', { get: () => state === 'hidden', configurable: true });
          Document.prototype.hasFocus = () => state === 'visible';
          window.__setVisibility = (s) => {
            state = s;
            document.dispatchEvent(new Event('visibilitychange'));
            if (s === 'visible') window.dispatchEvent(new Event('focus'));
          };
          window.__notifications = [];
          window.__permissionAsked = 0;
          let permission = '%s';
          window.Notification = class {
            constructor(title, options) { window.__notifications.push({ title, body: (options || {}).body || '' }); }
            static get permission() { return permission; }
            static requestPermission() { window.__permissionAsked++; permission = 'granted'; return Promise.resolve(permission); }
            close() {}
          };
        })();
        """.formatted(permission);
  }

  private static JsonArray notifications(Page page) {
    return new JsonArray((String) page.evaluate("() => JSON.stringify(window.__notifications)"));
  }

  @Test
  void an_offer_changes_the_console_title_and_raises_a_notification_and_the_sound_choice_is_remembered() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      var nurse = f.account("attention-nurse", "nurse");
      ChatFixtures c = new ChatFixtures(t, f);
      c.createQueue(ChatFixtures.queue("attention-chat", "auto"), nurse);
      String base = "http://localhost:" + t.app.port();

      try (BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB")
              .setViewportSize(1280, 800));
          Patient patient = c.anonymousPatient()) {
        context.grantPermissions(List.of("notifications"), new BrowserContext.GrantPermissionsOptions().setOrigin(base));
        context.addInitScript(stubs("default"));
        Page console = context.newPage();
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("attention-nurse");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        assertThat(console.getByTestId("presence")).hasValue("available");

        // nothing is asked on load: only the button asks, and then says notifications are on
        assertThat(console.evaluate("() => window.__permissionAsked")).isEqualTo(0);
        // sound, notifications and language are in the header's settings disclosure
        console.getByTestId("header-menu").locator("summary").click();
        Locator enable = console.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Turn on notifications"));
        enable.focus();
        console.keyboard().press("Enter");
        assertThat(console.getByTestId("attention-notifications")).hasText("Notifications are on.");
        assertThat(enable).isHidden();
        assertThat(console.evaluate("() => window.__permissionAsked")).isEqualTo(1);

        // the nurse looks at another tab; an offer arrives: title and notification, with no patient data
        console.evaluate("() => window.__setVisibility('hidden')");
        String id = patient.ws().request(ChatFixtures.enter("attention-chat")).getJsonObject("conversation").getString("id");
        assertThat(console.getByTestId("offer-" + id)).isVisible();
        assertThat(console).hasTitle("(1) New contact – Kanava – professional console");
        JsonArray raised = notifications(console);
        assertThat(raised.size()).isEqualTo(1);
        assertThat(raised.getJsonObject(0).getString("title")).isEqualTo("New contact");
        assertThat(raised.getJsonObject(0).getString("body")).isEqualTo("A conversation is offered to you. Accept it in the console.");

        // back at the console: the title is the console's own again
        console.evaluate("() => window.__setVisibility('visible')");
        assertThat(console).hasTitle("Kanava – professional console");

        // sound is on by default; turned off (by keyboard) it stays off after a reload
        Locator sound = console.getByLabel("Sound alerts");
        assertThat(sound).isChecked();
        sound.focus();
        console.keyboard().press("Space");
        assertThat(sound).not().isChecked();
        console.reload();
        assertThat(console.getByLabel("Sound alerts")).not().isChecked();
        assertThat(console.evaluate("() => localStorage.getItem('kanava.console.sound')")).isEqualTo("off");
        // the offer found again after the reload is not signalled again
        assertThat(console.getByTestId("offer-" + id)).isVisible();
        assertThat(console).hasTitle("Kanava – professional console");
      }
    }
  }

  @Test
  void the_patient_looking_elsewhere_is_told_when_the_nurse_joins_and_writes_without_the_message_text() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      String base = "http://localhost:" + t.app.port();
      try (Pro nurse = c.professional("joining-nurse", "nurse", "available");
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(390, 844))) {
        c.createQueue(ChatFixtures.queue("joining-chat", "auto"), nurse.id());
        context.grantPermissions(List.of("notifications"), new BrowserContext.GrantPermissionsOptions().setOrigin(base));
        context.addInitScript(stubs("granted"));
        Page patient = context.newPage();
        PatientPages.answerAndQueue(patient, base, "joining-chat", "Kuume");
        assertThat(patient.getByTestId("waiting-position")).hasText("Hoitaja on löytynyt ja liittyy keskusteluun hetken kuluttua.");
        // permission was given earlier: the button is not offered, the state is said
        assertThat(patient.getByTestId("attention-notifications")).hasText("Ilmoitukset ovat käytössä.");
        assertThat(patient.getByTestId("attention-enable-notifications")).isHidden();
        assertThat(patient).hasTitle("Kanava – sairaanhoitajan chat");

        // the patient switches to another app; the nurse accepts and writes
        patient.evaluate("() => window.__setVisibility('hidden')");
        String id = nurse.ws().awaitType("conversation.offer").getJsonObject("conversation").getString("id");
        nurse.ws().request(new JsonObject().put("type", "conversation.accept").put("conversationId", id));
        assertThat(patient).hasTitle("(1) Hoitaja liittyi keskusteluun – Kanava – sairaanhoitajan chat");
        nurse.ws().request(ChatFixtures.send(id, "attention-1", "Kerro lisää kuumeestasi"));
        assertThat(patient).hasTitle("(2) Uusi viesti hoitajalta – Kanava – sairaanhoitajan chat");
        JsonArray raised = notifications(patient);
        assertThat(raised.size()).isEqualTo(2);
        assertThat(raised.getJsonObject(0).getString("title")).isEqualTo("Hoitaja liittyi keskusteluun");
        assertThat(raised.getJsonObject(1).getString("title")).isEqualTo("Uusi viesti hoitajalta");
        assertThat(raised.encode()).doesNotContain("kuumeestasi");

        // looking again, the title is the page's own, and a message read in front of her signals nothing
        patient.evaluate("() => window.__setVisibility('visible')");
        assertThat(patient).hasTitle("Kanava – sairaanhoitajan chat");
        nurse.ws().request(ChatFixtures.send(id, "attention-2", "Onko sinulla kipuja?"));
        assertThat(patient.getByTestId("message-list")).containsText("Onko sinulla kipuja?");
        assertThat(patient).hasTitle("Kanava – sairaanhoitajan chat");
        assertThat(notifications(patient).size()).isEqualTo(2);

        // reloaded in a background tab: the history that comes back is not news, a live message is
        patient.evaluate("() => sessionStorage.setItem('__startHidden', '1')");
        patient.reload();
        assertThat(patient.getByTestId("message-list")).containsText("Onko sinulla kipuja?");
        nurse.ws().request(ChatFixtures.send(id, "attention-3", "Kuume mitattu?"));
        assertThat(patient).hasTitle("(1) Uusi viesti hoitajalta – Kanava – sairaanhoitajan chat");
        assertThat(notifications(patient).size()).as("only the live message, not the history").isEqualTo(1);
      }
    }
  }
}
