package fi.kanava.queue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The position and estimated wait shown to a patient. Routing passes over a conversation that no
 * available professional can serve, so those behind it do not wait for it; what a patient waits for
 * is the conversations ahead of them that need the same professionals. The rule kept here is the
 * simple one: the same language. The position is one more than the conversations ahead (routing
 * order: urgency, then time waited) in the patient's language, and the estimate is that position
 * divided by the queue's recent rate of assignments in that language (assignments in the last
 * {@link #WINDOW}). With no assignment in the window there is no basis for an estimate and it is
 * unknown (null): the honest answer for a language nobody has been serving lately.
 *
 * <p>Professionals who speak several languages are shared between their lines, so a patient may
 * also wait behind others in another language (and the rate of a small language is noisy); the
 * estimate is an approximation shown as such, never a promise.
 */
public final class WaitEstimate {
  public static final Duration WINDOW = Duration.ofHours(1);

  private WaitEstimate() {}

  /**
   * The positions of a waiting list given the languages of its conversations in routing order: each
   * is one more than the number of conversations before it in the same language.
   */
  public static List<Integer> positions(List<String> languagesInRoutingOrder) {
    Map<String, Integer> seen = new HashMap<>();
    List<Integer> out = new ArrayList<>(languagesInRoutingOrder.size());
    for (String language : languagesInRoutingOrder) {
      out.add(seen.merge(language, 1, Integer::sum));
    }
    return out;
  }

  /** The estimated wait in seconds at a position, given the assignments in the window in the same language; null if unknown. */
  public static Long seconds(int position, long assignmentsInWindow) {
    if (position <= 0 || assignmentsInWindow <= 0) {
      return null;
    }
    return (long) Math.ceil((double) position * WINDOW.toSeconds() / assignmentsInWindow);
  }
}
