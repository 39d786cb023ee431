package fi.kanava.web;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.FilePayload;
import fi.kanava.support.Axe;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.Chromium;
import fi.kanava.support.Fixtures;
import fi.kanava.support.PatientPages;
import fi.kanava.support.TestApp;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("In a real browser, photos")
class BrowserPhotoTest {

  private static byte[] photo() throws Exception {
    BufferedImage image = new BufferedImage(600, 300, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(new Color(200, 80, 60));
    g.fillRect(0, 0, 600, 300);
    g.setColor(Color.WHITE);
    g.fillOval(200, 50, 200, 200);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "jpeg", out);
    return out.toByteArray();
  }

  @Test
  void a_patient_attaches_a_photo_and_the_nurse_sees_its_thumbnail_and_opens_it() throws Exception {
    try (Chromium chromium = Chromium.launch(); TestApp t = TestApp.startBesideBrowser()) {
      Fixtures f = new Fixtures(t).organisations();
      UUID nurse = f.account("photo-browser-nurse", "nurse");
      new ChatFixtures(t, f).createQueue(ChatFixtures.queue("nurse-chat", "auto"), nurse);
      String base = "http://localhost:" + t.app.port();

      try (BrowserContext nurseContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(1280, 900));
          BrowserContext patientContext = chromium.browser.newContext(new Browser.NewContextOptions().setLocale("fi-FI")
              .setViewportSize(360, 740))) {
        List<String> scriptErrors = new ArrayList<>();
        Page patient = patientContext.newPage();
        patient.onPageError(scriptErrors::add);
        PatientPages.answerAndQueue(patient, base, "nurse-chat", "Kuume");

        Page console = nurseContext.newPage();
        console.onPageError(scriptErrors::add);
        console.navigate(base + "/console");
        console.getByTestId("login-username").fill("photo-browser-nurse");
        console.getByTestId("login-password").fill(Fixtures.PASSWORD);
        console.getByTestId("login-submit").click();
        Locator accept = console.locator("[data-testid^='accept-']");
        assertThat(accept.first()).isVisible();
        accept.first().click();
        Locator panel = console.locator("[data-testid^='panel-']").first();
        assertThat(panel).isVisible();
        panel.getByTestId("chat-input").fill("Voitko lähettää kuvan haavasta?");
        panel.getByTestId("chat-send").click();
        assertThat(patient.getByTestId("message-list")).containsText("Voitko lähettää kuvan haavasta?");

        // a text file is refused in words, and nothing is sent
        patient.getByLabel("Liitä kuva").setInputFiles(new FilePayload("haava.jpg", "image/jpeg", "ei kuva".getBytes()));
        assertThat(patient.getByTestId("photo-status")).hasText("Tiedosto ei ole kuva. Valitse JPEG- tai PNG-kuva.");

        patient.getByLabel("Liitä kuva").setInputFiles(new FilePayload("haava.jpg", "image/jpeg", photo()));
        assertThat(patient.getByTestId("photo-status")).hasText("Kuva lähetetty.");
        Locator own = patient.getByTestId("message-list").getByTestId("message-photo");
        assertThat(own).isVisible();

        // the nurse sees the thumbnail, fetched with the token in the header, and opens the full image with the keyboard
        Locator thumbnail = panel.getByTestId("message-list").getByTestId("message-photo");
        assertThat(thumbnail).isVisible();
        Locator img = thumbnail.locator("img");
        assertThat(img).hasAttribute("alt", java.util.regex.Pattern.compile("^Kuvan lähetti .+"));
        assertThat(img).hasAttribute("src", java.util.regex.Pattern.compile("^blob:"));
        console.waitForFunction("el => el.complete && el.naturalWidth === 320", img.elementHandle());
        Axe.assertNoViolations(console, "console with a photo in the thread");
        Axe.assertNoViolations(patient, "patient with a photo in the thread, 360 px");

        thumbnail.focus();
        console.keyboard().press("Enter");
        Locator dialog = console.getByTestId("photo-dialog");
        assertThat(dialog).isVisible();
        Locator full = dialog.locator("img");
        assertThat(full).hasAttribute("src", java.util.regex.Pattern.compile("^blob:"));
        console.waitForFunction("el => el.complete && el.naturalWidth === 600", full.elementHandle());
        Axe.assertNoViolations(console, "the photo at full size");
        dialog.getByTestId("photo-close").click();
        assertThat(dialog).hasCount(0);
        assertThat(thumbnail).isFocused();

        // every view went through the guard and was audited
        assertThat(t.rows("select count(*) as n from audit_event where action = 'attachment.view' and outcome = 'allowed'")
            .get(0).getLong("n")).isGreaterThanOrEqualTo(3L);
        assertThat(scriptErrors).isEmpty();
      }
    }
  }
}
