package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import fi.kanava.support.Axe;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.PatientPages;
import fi.kanava.support.TestApp;
import java.io.IOException;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 end to end, in Chromium: nurse A (console) transfers a patient (patient page on a phone)
 * to physician B's queue; the patient allows the earlier messages; B takes the conversation and reads
 * them, and consults colleague C by name from it; C accepts, reads the case (read-only), answers in
 * the consultation's thread; B reads the answer there; C closes with the answer. The patient page is
 * never reloaded and keeps working. Axe clean at the main states, at 1280 and 360 px.
 */
@DisplayName("Browser: a nurse transfers a patient to a physician, who consults a colleague; the patient never starts over")
class BrowserTransferConsultTest {
  private static final String EARLY_PATIENT = "Kuumetta on ollut neljä päivää.";
  private static final String EARLY_NURSE = "Hei, olen hoitaja. Siirrän sinut lääkärille.";
  private static final String SITUATION = "Kuume 4 pv, ihottuma; pyydän arviota";
  private static final String THREAD_ANSWER = "Todennäköisesti virusihottuma; CRP ja kontrolli huomenna.";
  private static final String CLOSING_ANSWER = "Virusihottuma; CRP, kontrolli 1 vrk.";
  private static final String NO_CASE = "Rokotusohjelman poikkeama, yleinen kysymys";
  /** Where the screenshots of the thread and the case go, to be looked at. */
  private static final Path SHOTS = Path.of("target", "screenshots");
  /** The console's visibility as the test says (as in BrowserAttentionTest): "looking at another tab". */
  private static final String VISIBILITY = """
      (() => {
        let state = 'visible';
        Object.defineProperty(Document.prototype, 'visibilityState', { get: () => state, configurable: true });
        Object.defineProperty(Document.prototype, 'hidden', { get: () => state === 'hidden', configurable: true });
        Document.prototype.hasFocus = () => state === 'visible';
        window.__setVisibility = (s) => {
          state = s;
          document.dispatchEvent(new Event('visibilitychange'));
          if (s === 'visible') window.dispatchEvent(new Event('focus'));
        };
      })();
      """;

  @Test
  @DisplayName("transfer with consent, history shown, consultation by name answered in its thread and closed; the patient page never reloads")
  void transfer_then_consult_end_to_end() throws IOException {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      UUID nurseA = f.account("e2e-nurse", "nurse");
      UUID doctorB = f.account("e2e-doctor", "physician");
      UUID colleagueC = f.account("e2e-colleague", "physician");
      ChatFixtures c = new ChatFixtures(t, f);
      c.createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurseA);
      c.createQueue(ChatFixtures.queue("doctor-chat", "pick"), doctorB);
      c.createQueue(ChatFixtures.queue("on-duty", "pick"), colleagueC);
      TestApp.await(t.app.services().consultations().makeConsultQueue("on-duty", Duration.ofMinutes(60)));
      String base = "http://localhost:" + t.app.port();
      List<String> scriptErrors = new ArrayList<>();
      Files.createDirectories(SHOTS);

      try (BrowserContext patientContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(360, 740));
          BrowserContext contextA = console(chromium);
          BrowserContext contextB = console(chromium);
          BrowserContext contextC = console(chromium)) {
        // the patient queues on a phone
        Page patient = patientContext.newPage();
        patient.onPageError(scriptErrors::add);
        PatientPages.answerAndQueue(patient, base, "nurse-chat", "Kuume");
        AtomicInteger navigations = new AtomicInteger();
        patient.onFrameNavigated(frame -> {
          if (frame == patient.mainFrame()) navigations.incrementAndGet();
        });

        // nurse A accepts the offer in her console and they chat
        Page a = signIn(contextA, base, "e2e-nurse", scriptErrors);
        String id = t.row("select id from conversation where queue_id = 'nurse-chat'").getUUID(0).toString();
        a.getByTestId("accept-" + id).click();
        Locator panelA = a.getByTestId("panel-" + id);
        panelA.getByTestId("chat-input").fill(EARLY_NURSE);
        panelA.getByTestId("chat-send").click();
        assertThat(patient.getByTestId("message-list")).containsText(EARLY_NURSE);
        patient.getByTestId("chat-input").fill(EARLY_PATIENT);
        patient.getByTestId("chat-send").click();
        assertThat(panelA.getByTestId("message-list")).containsText(EARLY_PATIENT);

        // A transfers the patient to the physicians' queue with an ISBAR note
        Locator paneA = panelA.getByTestId("context-pane");
        paneA.getByTestId("transfer-open").click();
        paneA.getByTestId("transfer-target").selectOption("doctor-chat");
        paneA.getByTestId("transfer-situation").fill("Kuume 4 pv, lääkärin arvio");
        paneA.getByTestId("transfer-submit").click();
        assertThat(a.getByTestId("panel-" + id)).hasCount(0);

        // the patient is asked in the chat and allows the earlier messages
        assertThat(patient.getByTestId("transfer-consent")).isVisible();
        Axe.assertNoViolations(patient, "the patient's consent question at 360 px");
        patient.getByTestId("transfer-consent-yes").click();
        assertThat(patient.getByTestId("transfer-decision")).containsText("Sallit");

        // physician B takes it from the queue and sees the earlier history
        Page b = signIn(contextB, base, "e2e-doctor", scriptErrors);
        b.getByTestId("take-" + id).click();
        Locator panelB = b.getByTestId("panel-" + id);
        assertThat(panelB.getByTestId("message-list")).containsText(EARLY_PATIENT);
        assertThat(panelB.getByTestId("message-list")).containsText(EARLY_NURSE);
        assertThat(panelB.getByTestId("context-pane")).containsText("the patient allowed them to be shown");

        // C is signed in, looking at another tab
        contextC.addInitScript(VISIBILITY);
        Page cPage = signIn(contextC, base, "e2e-colleague", scriptErrors);
        cPage.evaluate("() => window.__setVisibility('hidden')");

        // B consults colleague C by name from the conversation, with the expert search
        Locator paneB = panelB.getByTestId("context-pane");
        paneB.getByTestId("consult-open").click();
        paneB.getByTestId("consult-kind-colleague").check();
        paneB.getByTestId("expert-query").fill("e2e-colleague");
        paneB.getByTestId("expert-" + colleagueC).check();
        paneB.getByTestId("consult-urgency-urgent").check();
        paneB.getByTestId("consult-situation").fill(SITUATION);
        Axe.assertNoViolations(b, "B's consult form with the expert search at 1280 px");
        paneB.getByTestId("consult-submit").click();
        assertThat(paneB.getByTestId("consult-sent")).hasText("The consultation was sent.");
        Row consultation = t.row("select id, thread_conversation_id, to_account_id from consultation where case_conversation_id = $1",
            UUID.fromString(id));
        assertThat(consultation.getUUID("to_account_id")).isEqualTo(colleagueC);
        String thread = consultation.getUUID("thread_conversation_id").toString();
        // the thread is in B's list, next to the patient's conversation
        assertThat(b.getByTestId("row-" + thread)).containsText("Consultation: To Test e2e-colleague");

        // the urgent consultation alerts C as an offer does; C looks and sees it waiting, urgent, and accepts
        assertThat(cPage).hasTitle("(1) Urgent consultation – Kanava – professional console");
        cPage.evaluate("() => window.__setVisibility('visible')");
        assertThat(cPage).hasTitle("Kanava – professional console");
        Locator waiting = cPage.locator("[data-testid=consult-waiting]", new Page.LocatorOptions().setHasText(SITUATION));
        assertThat(waiting.getByTestId("consult-due")).hasText("Answer now");
        Axe.assertNoViolations(cPage, "C's consultations waiting at 1280 px");
        waiting.getByTestId("consult-accept").click();
        Locator threadC = cPage.getByTestId("panel-" + thread);
        assertThat(threadC.getByTestId("consult-thread-label")).hasText("Professionals only – the patient does not see this");
        assertThat(threadC.getByTestId("consult-thread-isbar")).containsText(SITUATION);
        assertThat(threadC.getByTestId("message-list")).containsText(SITUATION); // the ISBAR note, the thread's first message

        // C reads the case, read-only, with the history the patient allowed
        threadC.getByTestId("context-pane").getByTestId("consult-read-case").click();
        Locator caseC = cPage.getByTestId("panel-" + id);
        assertThat(caseC.getByTestId("consult-case-readonly")).isVisible();
        assertThat(caseC.getByTestId("message-list")).containsText(EARLY_PATIENT);
        assertThat(caseC.getByTestId("chat-input")).isHidden();
        Axe.assertNoViolations(cPage, "C reading the case at 1280 px");
        cPage.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("consult-case-readonly-1280.png")));

        // C answers in the thread; B gets it live
        cPage.getByTestId("row-" + thread).click();
        threadC.getByTestId("chat-input").fill(THREAD_ANSWER);
        threadC.getByTestId("chat-send").click();
        assertThat(b.getByTestId("row-" + thread).getByTestId("row-unread")).isVisible();
        b.getByTestId("row-" + thread).click();
        Locator threadB = b.getByTestId("panel-" + thread);
        assertThat(threadB.getByTestId("message-list")).containsText(THREAD_ANSWER);
        Axe.assertNoViolations(b, "B reading the consultation thread at 1280 px");
        b.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("consult-thread-requester-1280.png")));

        // C joins the patient's conversation from the case: the patient is told who joined, and C can write there
        cPage.getByTestId("row-" + id).click();
        caseC.getByTestId("consult-case-join").click();
        assertThat(caseC.getByTestId("consult-case-readonly")).hasCount(0);
        assertThat(caseC.getByTestId("chat-input")).isVisible();
        assertThat(patient.getByTestId("message-list"))
            .containsText("Konsultoiva ammattilainen Test e2e-colleague (lääkäri) liittyi keskusteluun.");
        cPage.getByTestId("row-" + thread).click();

        // on a phone, one pane at a time: the thread, then its context
        cPage.setViewportSize(360, 740);
        assertThat(threadC.getByTestId("chat-input")).isVisible();
        assertThat(threadC.getByTestId("context-pane")).isHidden();
        Axe.assertNoViolations(cPage, "C's consultation thread at 360 px");
        cPage.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("consult-thread-consultant-360.png")));
        threadC.getByTestId("show-context").click();
        Locator contextC2 = threadC.getByTestId("context-pane");
        assertThat(contextC2).isVisible();

        // C closes with the answer; B's thread shows it and is closed
        contextC2.getByTestId("consult-answer").fill(CLOSING_ANSWER);
        contextC2.getByTestId("consult-close").click();
        assertThat(threadB.getByTestId("consult-thread-answer")).containsText(CLOSING_ANSWER);
        assertThat(threadB.getByTestId("chat-input")).isHidden();
        assertThat(t.row("select answer, state from consultation where id = $1", consultation.getUUID("id")).getString("answer"))
            .isEqualTo(CLOSING_ANSWER);
        Axe.assertNoViolations(cPage, "C's closed consultation at 360 px");

        // the patient never reloaded, and the chat with B goes on
        b.getByTestId("row-" + id).click();
        panelB.getByTestId("chat-input").fill("Hei, olen lääkäri.");
        panelB.getByTestId("chat-send").click();
        assertThat(patient.getByTestId("message-list")).containsText("Hei, olen lääkäri.");
        patient.getByTestId("chat-input").fill("Kiitos!");
        patient.getByTestId("chat-send").click();
        assertThat(panelB.getByTestId("message-list")).containsText("Kiitos!");
        assertThat(navigations.get()).as("navigations of the patient page").isZero();

        // a consultation about no conversation: A asks the on-duty consult queue from "New consultation"
        a.getByTestId("consult-new").click();
        Locator form = a.getByTestId("consultations").getByTestId("consult-form");
        form.getByTestId("consult-queue").selectOption("on-duty");
        form.getByTestId("consult-situation").fill(NO_CASE);
        Axe.assertNoViolations(a, "A's new consultation without a conversation at 1280 px");
        form.getByTestId("consult-submit").click();
        assertThat(form).hasCount(0); // sent: the form goes, the thread opens
        String noCaseThread = t.row("select thread_conversation_id from consultation where case_conversation_id is null")
            .getUUID(0).toString();
        Locator threadA = a.getByTestId("panel-" + noCaseThread);
        assertThat(threadA.getByTestId("chat-input")).isFocused(); // the new thread is where one writes next
        assertThat(threadA.getByTestId("consult-thread-isbar")).containsText(NO_CASE);
        assertThat(threadA.getByTestId("context-pane")).containsText("Not linked to a patient conversation");
        // C (a member of the consult queue) sees it with the queue's response target in words
        cPage.setViewportSize(1280, 800);
        Locator queued = cPage.locator("[data-testid=consult-waiting]", new Page.LocatorOptions().setHasText(NO_CASE));
        assertThat(queued.getByTestId("consult-target")).hasText("Response target: 60 minutes");
        assertThat(queued.getByTestId("consult-due")).containsText("Due");
        Axe.assertNoViolations(patient, "the patient's chat after it all at 360 px");
        assertThat(scriptErrors).as("script errors").isEmpty();
      }
    }
  }

  private static BrowserContext console(Chromium chromium) {
    return chromium.browser.newContext(new Browser.NewContextOptions().setLocale("en-GB").setViewportSize(1280, 800));
  }

  private static Page signIn(BrowserContext context, String base, String username, List<String> scriptErrors) {
    Page page = context.newPage();
    page.onPageError(scriptErrors::add);
    page.navigate(base + "/console");
    page.getByTestId("login-username").fill(username);
    page.getByTestId("login-password").fill(Fixtures.PASSWORD);
    page.getByTestId("login-submit").click();
    assertThat(page.getByTestId("presence")).hasValue("available");
    return page;
  }
}
