package fi.kanava.support;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.AriaRole;
import java.util.regex.Pattern;

/** What a patient does on the patient page in the browser tests (the queues of {@link ChatFixtures#queue}, in Finnish). */
public final class PatientPages {
  private PatientPages() {}

  /** Starts anonymously, picks the queue, answers no breathing difficulty and the topic, and submits. */
  public static void answerAndQueue(Page patient, String base, String queue, String topic) {
    patient.navigate(base + "/");
    patient.getByTestId("start-anonymous").click();
    patient.getByTestId("queue-option-" + queue).click();
    patient.getByRole(AriaRole.GROUP, new Page.GetByRoleOptions().setName(Pattern.compile("Hengenahdistusta"))).getByLabel("Ei").check();
    patient.getByRole(AriaRole.GROUP, new Page.GetByRoleOptions().setName(Pattern.compile("Aihe"))).getByLabel(topic).check();
    Locator municipality = patient.getByLabel("Kotikuntasi");
    if (municipality.count() > 0) {
      municipality.selectOption("Inari");
    }
    patient.getByTestId("questionnaire-submit").click();
  }
}
