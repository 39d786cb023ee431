package fi.kanava.feedback;

import java.util.List;

/**
 * The core statements of THL's national customer-feedback model, by the theme each measures; a
 * patient answers each on a scale of 1 (strongly disagree) to 5 (strongly agree). Their wording, in
 * every language, is in the web client's message bundles ({@code feedback.statement.<id>}); a queue
 * chooses which it asks ({@code feedbackStatements}, 2 to 5 of these, all by default).
 */
public final class FeedbackStatements {
  /** Access: I got the service when I needed it. */
  public static final String ACCESS = "access";
  /** Being met and involved: I was treated well and could take part in decisions. */
  public static final String INVOLVED = "involved";
  /** Safety: I felt safe using the service. */
  public static final String SAFETY = "safety";
  /** Information: I got understandable information. */
  public static final String INFORMATION = "information";
  /** Usefulness: the service helped me. */
  public static final String USEFULNESS = "usefulness";

  public static final List<String> ALL = List.of(ACCESS, INVOLVED, SAFETY, INFORMATION, USEFULNESS);

  private FeedbackStatements() {}
}
