package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

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
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * "Invite a colleague" in a chat call, in the nurse's console in Chromium (fake camera and
 * microphone); the patient and the consulted doctor are real sockets (their media is RtcMeshTest's).
 */
@DisplayName("In a real browser, a colleague invited into a chat call")
class BrowserChatInviteTest {

  @Test
  @DisplayName("the nurse in a call opens Invite a colleague, picks the consulted doctor from the registry and invites them; the doctor rings")
  void the_nurse_invites_the_consulted_doctor_into_the_call() {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      UUID nurse = f.account("invite-nurse", "nurse");
      c.createQueue(ChatFixtures.queue("invite-chat", "auto"), nurse);
      String base = "http://localhost:" + t.app.port();

      try (BrowserContext context = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI").setViewportSize(1280, 800));
          Patient patient = c.anonymousPatient();
          ChatFixtures.Pro doctor = c.professional("invite-doctor", "physician", "available")) {
        List<String> scriptErrors = new ArrayList<>();
        Page console = context.newPage();
        console.onPageError(scriptErrors::add);
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("invite-nurse");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        String conversationId = patient.ws().request(ChatFixtures.enter("invite-chat")).getJsonObject("conversation").getString("id");
        console.locator("[data-testid^='accept-']").first().click();
        Locator panel = console.locator("[data-testid^='panel-']").first();
        assertThat(panel.getByTestId("chat-input")).isVisible();

        // the nurse consults the doctor about this chat (over a socket of her own), and the doctor accepts: he may read it
        try (WsClient nurseWs = WsClient.connect(t, f.accessToken("invite-nurse"))) {
          JsonObject opened = nurseWs.request(new JsonObject().put("type", "consult.open").put("toAccountId", doctor.id().toString())
              .put("urgency", "urgent").put("isbar", new JsonObject().put("situation", "Ihottuma, katsotko videolla?"))
              .put("caseConversationId", conversationId));
          doctor.ws().request(new JsonObject().put("type", "consult.accept").put("consultationId",
              opened.getJsonObject("consultation").getString("id")));
        }

        // the call: the nurse starts it, the patient's socket answers
        panel.getByTestId("call-start").click();
        String callId = patient.ws().awaitType("rtc.incoming").getString("callId");
        patient.ws().request(new JsonObject().put("type", "rtc.join").put("callId", callId));
        Locator open = panel.getByTestId("invite-colleague-open");
        assertThat(open).isVisible();
        assertThat(open).hasAttribute("aria-expanded", "false");

        open.click();
        assertThat(open).hasAttribute("aria-expanded", "true");
        Locator send = panel.getByTestId("invite-colleague-send");
        assertThat(send).isDisabled();
        panel.getByTestId("expert-" + doctor.id()).check();
        Axe.assertNoViolations(console, "console, inviting a colleague into the call");
        send.click();
        assertThat(panel.getByTestId("invite-colleague-notice")).hasText("Test invite-doctor kutsuttiin puheluun.");
        assertThat(open).isFocused();
        assertThat(open).hasAttribute("aria-expanded", "false");
        JsonObject rings = doctor.ws().awaitType("rtc.incoming");
        org.assertj.core.api.Assertions.assertThat(rings.getString("callId")).isEqualTo(callId);
        org.assertj.core.api.Assertions.assertThat(rings.getJsonObject("from").getString("name")).isEqualTo("Test invite-nurse");

        // opened again: the nurse herself cannot be picked; Escape closes it and gives the focus back
        open.click();
        assertThat(panel.getByTestId("expert-" + nurse)).isDisabled();
        console.keyboard().press("Escape");
        assertThat(open).isFocused();
        org.assertj.core.api.Assertions.assertThat(scriptErrors).isEmpty();
      }
    }
  }
}
