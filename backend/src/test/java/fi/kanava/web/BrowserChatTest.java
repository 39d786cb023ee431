package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.options.Cookie;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import fi.kanava.support.Axe;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.PatientPages;
import fi.kanava.support.TestApp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("In a real browser")
class BrowserChatTest {

  @Test
  void a_patient_page_and_a_nurse_console_exchange_messages() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      UUID nurse = f.account("browser-nurse", "nurse");
      new ChatFixtures(t, f).createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse);
      String base = "http://localhost:" + t.app.port();
      Browser.NewContextOptions finnish = new Browser.NewContextOptions().setLocale("fi-FI").setViewportSize(390, 844);

      try (BrowserContext nurseContext = chromium.browser.newContext(finnish.setViewportSize(1280, 900));
          BrowserContext patientContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(390, 844))) {
        // the patient, on a phone-sized screen, starts anonymously, answers and queues before any nurse is available
        Page patient = patientContext.newPage();
        // a script error (a module that fails to load, a CSP refusal of the UI library) fails the walk
        List<String> scriptErrors = new ArrayList<>();
        patient.onPageError(scriptErrors::add);
        PatientPages.answerAndQueue(patient, base, "nurse-chat", "Kuume");

        // nobody can serve her yet: the page says there is no estimate, and why, instead of a guess
        assertThat(patient.locator("#waiting-estimate")).hasText(
            "Odotusaikaa ei voi arvioida: juuri nyt ei ole vapaana ketään, joka voisi palvella sinua. Paikkasi jonossa säilyy.");
        Axe.assertNoViolations(patient, "waiting, no estimate");

        // the nurse signs in to the console (available by default)
        Page console = nurseContext.newPage();
        console.onPageError(scriptErrors::add);
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("browser-nurse");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        assertThat(console.getByTestId("presence")).isVisible();
        assertNoTokenForScripts(console, nurseContext, "kanava_refresh_console");

        // the nurse is offered the conversation; until she accepts, the patient is told a nurse was found and cannot write
        Locator accept = console.locator("[data-testid^='accept-']");
        assertThat(accept.first()).isVisible();
        assertThat(patient.getByTestId("waiting-position")).hasText("Hoitaja on löytynyt ja liittyy keskusteluun hetken kuluttua.");
        assertThat(patient.getByTestId("chat-input")).isHidden();
        accept.first().click();
        Locator panel = console.locator("[data-testid^='panel-']").first();
        assertThat(panel).isVisible();
        assertThat(panel).containsText("Kuume");
        panel.getByTestId("chat-input").fill("Hei, olen hoitaja. Miten voin auttaa?");
        panel.getByTestId("chat-send").click();

        // the patient sees it and answers
        assertThat(patient.getByTestId("message-list")).containsText("Hei, olen hoitaja. Miten voin auttaa?");
        patient.getByTestId("chat-input").fill("Minulla on ollut kuumetta neljä päivää.");
        patient.getByTestId("chat-send").click();
        assertThat(panel.getByTestId("message-list")).containsText("Minulla on ollut kuumetta neljä päivää.");
        assertNoTokenForScripts(patient, patientContext, "kanava_refresh_patient");
        Axe.assertNoViolations(patient, "chatting with messages");

        // a reload keeps no token anywhere a script could read it: each page gets a new access token with its cookie
        patient.reload();
        assertThat(patient.getByTestId("message-list")).containsText("Hei, olen hoitaja. Miten voin auttaa?");
        assertNoTokenForScripts(patient, patientContext, "kanava_refresh_patient");
        console.reload();
        assertThat(panel.getByTestId("message-list")).containsText("Minulla on ollut kuumetta neljä päivää.");
        assertNoTokenForScripts(console, nurseContext, "kanava_refresh_console");

        // the network goes: the page says so at once, and what is written meanwhile arrives once when it is back
        patientContext.setOffline(true);
        assertThat(patient.getByTestId("connection-status")).hasAttribute("data-state", "offline");
        assertThat(patient.getByTestId("connection-status")).hasText("Ei yhteyttä – yritetään pian uudelleen");
        patient.getByTestId("chat-input").fill("Kirjoitettu ilman verkkoa.");
        patient.getByTestId("chat-send").click();
        patientContext.setOffline(false);
        assertThat(panel.getByText("Kirjoitettu ilman verkkoa.")).hasCount(1);
        assertThat(patient.getByTestId("connection-status")).hasAttribute("data-state", "online");
        assertThat(patient.getByTestId("message-list").getByText("Kirjoitettu ilman verkkoa.")).hasCount(1);

        // the indicator (a Preact component) follows a change of language, and back
        patient.locator("#language").selectOption("en");
        assertThat(patient.getByTestId("connection-status")).hasText("Connected");
        patient.locator("#language").selectOption("fi");
        assertThat(patient.getByTestId("connection-status")).hasText("Yhteys toimii");

        // the text is shown as text, never as HTML
        patient.getByTestId("chat-input").fill("<b>lihavoitu</b>");
        patient.getByTestId("chat-send").click();
        assertThat(panel.getByTestId("message-list")).containsText("<b>lihavoitu</b>");
        assertThat(panel.getByTestId("message-list").locator("b")).hasCount(0);

        // the nurse closes with an outcome and the patient is told
        panel.getByTestId("close-outcome").selectOption("resolved");
        panel.getByTestId("close-submit").click();
        assertThat(patient.getByTestId("new-contact")).isVisible();
        Axe.assertNoViolations(patient, "closed");
        org.assertj.core.api.Assertions.assertThat(scriptErrors).as("script errors on the pages").isEmpty();
      }
    }
  }

  @Test
  void the_patient_start_page_is_readable_in_finnish_before_any_script_runs() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      String base = "http://localhost:" + t.app.port();
      // no script at all: what a slow line shows while the modules are still on their way
      try (BrowserContext noScript = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
          .setJavaScriptEnabled(false).setViewportSize(390, 844))) {
        Page page = noScript.newPage();
        page.navigate(base + "/");
        assertThat(page.locator(".emergency-hint")).isVisible();
        assertThat(page.locator(".emergency-hint")).hasText("Hätätilanteessa soita 112.");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Tervetuloa"))).isVisible();
        assertThat(page.getByLabel("Kieli")).isVisible();
        // the start button is there with its text, but cannot be clicked until the script handles it
        assertThat(page.getByTestId("start-anonymous")).hasText("Jatka nimettömänä");
        assertThat(page.getByTestId("start-anonymous")).isDisabled();
        assertThat(page).hasTitle("Kanava – sairaanhoitajan chat");

        // every text written into the page is the Finnish bundle's text for its key, so the two cannot drift apart
        io.vertx.core.json.JsonObject finnish = new io.vertx.core.json.JsonObject(
            noScript.request().get(base + "/i18n/fi.json").text());
        Locator keyed = page.locator("[data-i18n]");
        int written = 0;
        for (int i = 0; i < keyed.count(); i++) {
          String text = keyed.nth(i).textContent();
          if (text.isEmpty()) continue;
          String key = keyed.nth(i).getAttribute("data-i18n");
          org.assertj.core.api.Assertions.assertThat(text).as("the HTML's text for %s", key).isEqualTo(finnish.getString(key));
          written++;
        }
        org.assertj.core.api.Assertions.assertThat(written).as("texts written into the HTML").isGreaterThanOrEqualTo(8);
      }
      // with the script, the button works and the page follows the browser's language
      try (BrowserContext english = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB"))) {
        Page page = english.newPage();
        page.navigate(base + "/");
        assertThat(page.getByTestId("start-anonymous")).isEnabled();
        assertThat(page.getByTestId("start-anonymous")).hasText("Continue anonymously");
        assertThat(page.locator(".emergency-hint")).not().hasText("Hätätilanteessa soita 112.");
      }
    }
  }

  @Test
  void a_nurse_declines_one_offer_and_lets_another_lapse_and_the_console_says_so() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      UUID nurse = f.account("decline-nurse", "nurse");
      ChatFixtures c = new ChatFixtures(t, f);
      c.createQueue(ChatFixtures.queue("decline-chat", "auto"), nurse);
      String base = "http://localhost:" + t.app.port();

      try (BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB")
              .setViewportSize(1280, 800));
          Patient first = c.anonymousPatient();
          Patient second = c.anonymousPatient()) {
        Page console = context.newPage();
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("decline-nurse");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        assertThat(console.getByTestId("presence")).hasValue("available");

        // an offer arrives; the nurse declines it with a reason: it goes back to the queue, she stays available
        String declined = first.ws().request(ChatFixtures.enter("decline-chat")).getJsonObject("conversation").getString("id");
        assertThat(console.getByTestId("offer-" + declined)).isVisible();
        console.getByTestId("decline-" + declined).click();
        assertThat(console.getByTestId("decline-reason-" + declined)).isFocused();
        Axe.assertNoViolations(console, "console, an offer's decline form");
        console.getByTestId("decline-reason-" + declined).fill("Outside my competence");
        console.getByTestId("decline-confirm-" + declined).click();
        assertThat(console.getByTestId("offer-" + declined)).hasCount(0);
        assertThat(console.getByTestId("take-" + declined)).isVisible();
        // its triage can be read from the waiting list (read-only), and closed again back to Open
        console.getByTestId("open-" + declined).click();
        assertThat(console.locator("#preview-title")).isFocused();
        Axe.assertNoViolations(console, "console, a waiting conversation's triage preview");
        console.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Close").setExact(true)).click();
        assertThat(console.getByTestId("open-" + declined)).isFocused();
        assertThat(console.getByTestId("presence")).hasValue("available");
        assertThat(console.getByTestId("lapse-notice")).isHidden();

        // the next patient is offered to her (the declined one is not), and she lets the offer lapse
        String lapsed = second.ws().request(ChatFixtures.enter("decline-chat")).getJsonObject("conversation").getString("id");
        assertThat(console.getByTestId("offer-" + lapsed)).isVisible();
        t.clock.advance(Duration.ofMinutes(1).plusSeconds(1));
        TestApp.await(t.app.services().sweeper().sweep());
        assertThat(console.getByTestId("lapse-notice")).isVisible();
        assertThat(console.getByTestId("lapse-notice")).containsText("Away");
        Axe.assertNoViolations(console, "console, the lapse notice");
        assertThat(console.getByTestId("presence")).hasValue("away");
        assertThat(console.getByTestId("offer-" + lapsed)).hasCount(0);

        // a reload does not bring back a stale 'available' (nor leave a token where scripts can read it)
        console.reload();
        assertThat(console.getByTestId("lapse-notice")).isVisible();
        assertNoTokenForScripts(console, context, "kanava_refresh_console");
        assertThat(console.getByTestId("presence")).hasValue("away");

        // back at the desk: available again, and offered the conversation that lapsed
        console.getByTestId("lapse-available").click();
        assertThat(console.getByTestId("lapse-notice")).isHidden();
        assertThat(console.getByTestId("presence")).hasValue("available");
        assertThat(console.getByTestId("offer-" + lapsed)).isVisible();
        assertThat(console.getByTestId("offer-" + declined)).hasCount(0);
      }
    }
  }

  /**
   * Neither web storage nor {@code document.cookie} holds a token: no JWT, and not the refresh
   * token, which is in the page's HttpOnly cookie only.
   */
  @Test
  @DisplayName("a console window closed for too many sockets says it is open elsewhere, leaves the other alone, and comes back when used")
  void a_window_closed_for_too_many_sockets_waits_to_be_used_again() {
    try (Chromium chromium = Chromium.launch();
        TestApp t = TestApp.startBesideBrowser(java.util.Map.of("abuse.sockets-per-principal", "1"))) {
      Fixtures f = new Fixtures(t).organisations();
      f.account("two-windows", "nurse");
      String base = "http://localhost:" + t.app.port();
      try (BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB")
          .setViewportSize(1280, 800))) {
        Page older = context.newPage();
        signIn(older, base, "two-windows");
        Locator olderState = older.getByTestId("connection-status");
        assertThat(olderState).hasAttribute("data-state", "online");

        Page newer = context.newPage();
        signIn(newer, base, "two-windows");
        assertThat(newer.getByTestId("connection-status")).hasAttribute("data-state", "online");
        assertThat(olderState).hasAttribute("data-state", "elsewhere");
        // the state says it all: no error alert that would outlast the reconnection
        assertThat(older.locator("#alert")).isHidden();

        // used again, the older window takes the place back, and the newer one waits in turn
        older.bringToFront();
        older.evaluate("() => window.dispatchEvent(new Event('focus'))");
        assertThat(olderState).hasAttribute("data-state", "online");
        assertThat(newer.getByTestId("connection-status")).hasAttribute("data-state", "elsewhere");
        assertThat(olderState).hasAttribute("data-state", "online");
        assertThat(older.locator("#alert")).isHidden();
      }
    }
  }

  private static void signIn(Page page, String base, String username) {
    page.navigate(base + "/console");
    page.getByTestId("login-username").fill(username);
    page.getByTestId("login-password").fill(Fixtures.PASSWORD);
    page.getByTestId("login-submit").click();
    assertThat(page.getByTestId("presence")).isVisible();
  }

  private static void assertNoTokenForScripts(Page page, BrowserContext context, String cookieName) {
    String readable = (String) page.evaluate("() => JSON.stringify({session: Object.assign({}, sessionStorage),"
        + " local: Object.assign({}, localStorage), cookie: document.cookie})");
    org.assertj.core.api.Assertions.assertThat(readable).as("what the page's scripts can read").doesNotContain("eyJ");
    List<Cookie> refresh = context.cookies().stream().filter(c -> c.name.equals(cookieName)).toList();
    org.assertj.core.api.Assertions.assertThat(refresh).as("the refresh cookie").hasSize(1);
    org.assertj.core.api.Assertions.assertThat(refresh.get(0).httpOnly).isTrue();
    org.assertj.core.api.Assertions.assertThat(refresh.get(0).secure).isTrue();
    org.assertj.core.api.Assertions.assertThat(readable).as("what the page's scripts can read").doesNotContain(refresh.get(0).value);
  }
}
