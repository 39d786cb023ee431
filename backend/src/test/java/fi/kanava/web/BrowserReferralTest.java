package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import fi.kanava.auth.Accounts;
import fi.kanava.auth.Organisations;
import fi.kanava.support.Axe;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.PatientPages;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
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
 * Partner referrals in Chromium: a nurse refers the client of an accepted chat to a partner from
 * the context pane (a missing choice is said inline; axe clean with the form filled at 1280 px), the
 * patient (a socket) is told; the partner's counsellor signs in to the console, sees the client
 * under "Referred clients", opens the conversation, writes to the client, records an outcome and a
 * visit note (axe clean at 1280 and 360 px).
 */
@DisplayName("Browser: a nurse refers a client to a partner, and the partner's counsellor works the referral in the console")
class BrowserReferralTest {
  private static final Path SHOTS = Path.of("target", "screenshots");
  private static final String PARTNER = "exercise";
  private static final String REASON = "Liikuntaneuvonta, tavoitteena arkiliikunta";

  @Test
  @DisplayName("refer through the form; the counsellor sees only that client, messages them, records an outcome and a note")
  void a_nurse_refers_and_the_counsellor_follows_up() throws Exception {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      TestApp.await(t.app.services().organisations().create(Fixtures.decode(new JsonObject().put("id", PARTNER)
          .put("name", "Liikuntaneuvonta").put("kind", "partner").put("partnerOf", Fixtures.ORG), Organisations.NewOrganisation.class)));
      UUID counsellor = UUID.fromString(TestApp.await(t.app.services().accounts().create(Fixtures.decode(new JsonObject()
          .put("username", "counsellor").put("password", Fixtures.PASSWORD).put("displayName", "Leo Liikuntaneuvoja").put("role", "partner")
          .put("organisationId", PARTNER).put("languages", new JsonArray(List.of("fi"))), Accounts.NewAccount.class))).getString("id"));
      f.account("area-admin", "admin");
      var seat = t.post("/api/admin/organisations/" + PARTNER + "/seats/" + counsellor, f.accessToken("area-admin"), null);
      assertThat(seat.statusCode()).as(seat.bodyAsString()).isEqualTo(200);
      UUID nurse = f.account("referring-nurse", "nurse");
      ChatFixtures c = new ChatFixtures(t, f);
      c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse);
      Files.createDirectories(SHOTS);
      try (Patient patient = c.anonymousPatient();
          BrowserContext nurseContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB").setViewportSize(1280, 800));
          BrowserContext partnerContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB").setViewportSize(1280, 800))) {
        String base = "http://localhost:" + t.app.port();
        List<String> scriptErrors = new ArrayList<>();
        Page console = nurseContext.newPage();
        console.onPageError(scriptErrors::add);
        signIn(console, base, "referring-nurse");
        assertThat(console.getByTestId("presence")).hasValue("available");

        String id = patient.ws().request(ChatFixtures.enter("nurse-chat")).getJsonObject("conversation").getString("id");
        console.getByTestId("accept-" + id).click();
        Locator pane = console.getByTestId("panel-" + id).getByTestId("context-pane");
        // the form opens inline from its button, like the transfer form; the focus goes to its first field
        assertThat(pane.getByTestId("referral-form")).isHidden();
        pane.getByTestId("referral-open").click();
        assertThat(pane.getByTestId("referral-open")).hasAttribute("aria-expanded", "true");
        Locator form = pane.getByTestId("referral-form");
        assertThat(form.getByTestId("referral-partner")).isFocused();
        assertThat(form.getByTestId("referral-partner").locator("option[value=" + PARTNER + "]")).hasCount(1);

        // a missing choice is said inline and the focus goes to it
        form.getByTestId("referral-submit").click();
        assertThat(form.locator(".field-error")).hasText("Choose a partner organisation.");
        assertThat(form.getByTestId("referral-partner")).isFocused();
        form.getByTestId("referral-partner").selectOption(PARTNER);
        form.getByTestId("referral-consent").selectOption("phone");
        form.getByTestId("referral-reason").fill(REASON);
        Axe.assertNoViolations(console, "the referral form filled in at 1280 px");
        form.scrollIntoViewIfNeeded();
        console.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-referral-form-1280.png")));
        form.getByTestId("referral-submit").click();
        assertThat(pane.getByTestId("referral-done")).hasText("The client was referred to Liikuntaneuvonta.");

        // the patient is told in the chat, with the organisation's name
        JsonObject told = patient.ws().await(fr -> "message".equals(fr.getString("type")) && "referred_to_partner".equals(fr.getString("code")));
        assertThat(told.getString("argument")).isEqualTo("Liikuntaneuvonta");
        // the nurse's own chat shows it too, translated
        assertThat(console.getByTestId("panel-" + id)).containsText("You were referred to Liikuntaneuvonta. They may contact you.");

        JsonObject said = patient.ws().request(ChatFixtures.send(id, "client-source-1", "Haluaisin liikkua enemmän"));
        assertThat(said.getString("type")).as(said.encode()).isEqualTo("message.ack");

        // the counsellor: "Referred clients" instead of the queues
        Page partner = partnerContext.newPage();
        partner.onPageError(scriptErrors::add);
        signIn(partner, base, "counsellor");
        Locator list = partner.getByTestId("referred-clients");
        assertThat(list).containsText(REASON);
        assertThat(list.locator("li")).hasCount(1);
        assertThat(partner.locator("#queues")).hasCount(0);
        list.locator("button.referral-open").click();
        // the referral's own thread opens: that is where the counsellor writes to the client
        String thread = t.row("select thread_conversation_id from referral where conversation_id = $1", UUID.fromString(id)).getUUID(0).toString();
        Locator partnerPanel = partner.getByTestId("panel-" + thread);
        Locator detail = partnerPanel.getByTestId("partner-referral");
        assertThat(detail).containsText(REASON);
        assertThat(detail).containsText("by phone");
        assertThat(partnerPanel.getByTestId("context-pane").getByTestId("close-submit")).hasCount(0);
        // what was said to the client in the nurse's chat, read-only
        detail.getByTestId("referral-source-toggle").click();
        assertThat(detail.getByTestId("referral-source")).containsText("Haluaisin liikkua enemmän");

        // they write to the client in the shared conversation pane; the client's socket watches the thread
        JsonObject watching = patient.ws().request(new JsonObject().put("type", "conversation.open").put("conversationId", thread));
        assertThat(watching.getString("type")).as(watching.encode()).isEqualTo("conversation");
        Locator input = partnerPanel.getByTestId("chat-input");
        input.fill("Hei, soitan sinulle huomenna liikuntaneuvonnasta.");
        partner.keyboard().press("Enter");
        JsonObject message = patient.ws().await(fr -> "message".equals(fr.getString("type")) && fr.getString("text") != null
            && fr.getString("text").startsWith("Hei, soitan sinulle"));
        assertThat(message.getJsonObject("sender").getString("name")).isEqualTo("Leo Liikuntaneuvoja");

        // an outcome and a visit note
        detail.getByTestId("referral-outcome").selectOption("contacted");
        detail.getByTestId("referral-outcome-save").click();
        assertThat(detail.getByTestId("referral-outcome-now")).containsText("contacted");
        assertThat(detail.getByTestId("referral-outcome").locator("option[value=contacted]")).hasCount(0);
        detail.getByTestId("referral-note").fill("Ensitapaaminen sovittu maanantaille.");
        detail.getByTestId("referral-note-save").click();
        assertThat(detail.getByTestId("referral-notes")).containsText("Ensitapaaminen sovittu maanantaille.");
        Axe.assertNoViolations(partner, "the partner's referral view at 1280 px");
        partner.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-partner-referral-1280.png")));
        partner.setViewportSize(360, 740);
        partnerPanel.getByTestId("show-context").click();
        assertThat(detail).isVisible();
        Axe.assertNoViolations(partner, "the partner's referral view at 360 px");
        partner.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("console-partner-referral-360.png")));

        assertThat(t.row("select outcome from referral where conversation_id = $1", UUID.fromString(id)).getString(0)).isEqualTo("contacted");
        assertThat(scriptErrors).isEmpty();
      }
    }
  }

  @Test
  @DisplayName("the patient page shows the counsellor's message on the referral thread after the nurse closed the chat, without a reload")
  void the_client_gets_the_counsellors_message_after_the_chat_closed() throws Exception {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      TestApp.await(t.app.services().organisations().create(Fixtures.decode(new JsonObject().put("id", PARTNER)
          .put("name", "Liikuntaneuvonta").put("kind", "partner").put("partnerOf", Fixtures.ORG), Organisations.NewOrganisation.class)));
      UUID counsellor = UUID.fromString(TestApp.await(t.app.services().accounts().create(Fixtures.decode(new JsonObject()
          .put("username", "counsellor").put("password", Fixtures.PASSWORD).put("displayName", "Leo Liikuntaneuvoja").put("role", "partner")
          .put("organisationId", PARTNER).put("languages", new JsonArray(List.of("fi"))), Accounts.NewAccount.class))).getString("id"));
      f.account("area-admin", "admin");
      assertThat(t.post("/api/admin/organisations/" + PARTNER + "/seats/" + counsellor, f.accessToken("area-admin"), null).statusCode())
          .isEqualTo(200);
      ChatFixtures c = new ChatFixtures(t, f);
      Files.createDirectories(SHOTS);
      try (Pro nurse = c.professional("thread-nurse", "nurse", "available");
          BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI").setViewportSize(1280, 800))) {
        c.createQueue(ChatFixtures.queue("thread-chat", "pick"), nurse.id());
        String base = "http://localhost:" + t.app.port();
        List<String> scriptErrors = new ArrayList<>();
        Page page = context.newPage();
        page.onPageError(scriptErrors::add);
        PatientPages.answerAndQueue(page, base, "thread-chat", "Muu");
        assertThat(page.locator("#waiting")).isVisible();
        String id = t.row("select id from conversation where queue_id = $1", "thread-chat").getUUID(0).toString();
        JsonObject taken = nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
        assertThat(taken.getString("type")).as(taken.encode()).isEqualTo("conversation.state");
        assertThat(page.getByTestId("chat-input")).isVisible();

        var referred = t.post("/api/referrals", nurse.token(), new JsonObject().put("conversationId", id).put("partnerOrganisationId", PARTNER)
            .put("consent", new JsonObject().put("method", "chat")).put("reason", REASON));
        assertThat(referred.statusCode()).as(referred.bodyAsString()).isEqualTo(201);
        String thread = referred.bodyAsJsonObject().getString("threadConversationId");
        JsonObject closed = nurse.ws().request(new JsonObject().put("type", "conversation.close").put("conversationId", id)
            .put("outcome", "referred").put("detail", "Liikuntaneuvonta"));
        assertThat(closed.getString("type")).as(closed.encode()).isEqualTo("conversation.closed");

        // the end screen of the nurse's chat, and beside it the thread where the partner will write
        assertThat(page.getByTestId("end-title")).isVisible();
        Locator threadView = page.getByTestId("referral-thread");
        assertThat(threadView).hasCount(1);
        assertThat(threadView.locator("h3")).hasText("Viestit: Liikuntaneuvonta");
        assertThat(threadView.getByTestId("referral-thread-status")).hasText("Liikuntaneuvonta ottaa sinuun yhteyttä täällä.");

        // days later (for the server) the counsellor writes; the page shows it without a reload
        try (WsClient ws = WsClient.connect(t, f.accessToken("counsellor"))) {
          assertThat(ws.request(new JsonObject().put("type", "conversation.open").put("conversationId", thread)).getString("type"))
              .isEqualTo("conversation");
          JsonObject ack = ws.request(ChatFixtures.send(thread, "counsellor-1", "Hei! Soitanko huomenna kello 10?"));
          assertThat(ack.getString("type")).as(ack.encode()).isEqualTo("message.ack");
          assertThat(threadView).containsText("Hei! Soitanko huomenna kello 10?");
          // and the client answers in the thread
          threadView.getByTestId("chat-input").fill("Sopii hyvin");
          threadView.getByTestId("chat-input").press("Enter");
          ws.await(fr -> "message".equals(fr.getString("type")) && "Sopii hyvin".equals(fr.getString("text")));
        }
        Axe.assertNoViolations(page, "the end screen with the referral thread at 1280 px");
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("patient-referral-thread-1280.png")));
        page.setViewportSize(360, 740);
        Axe.assertNoViolations(page, "the end screen with the referral thread at 360 px");
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("patient-referral-thread-360.png")).setFullPage(true));
        assertThat(scriptErrors).isEmpty();
      }
    }
  }

  private static void signIn(Page page, String base, String username) {
    page.navigate(base + "/console");
    page.getByTestId("login-username").fill(username);
    page.getByTestId("login-password").fill(Fixtures.PASSWORD);
    page.getByTestId("login-submit").click();
  }
}
