package fi.kanava.queue;

import java.time.Duration;

/**
 * The estimated wait shown to a patient: their position divided by the queue's recent assignment
 * rate (assignments in the last {@link #WINDOW}). With no assignment in the window there is no
 * basis for an estimate and it is unknown (null).
 */
public final class WaitEstimate {
  public static final Duration WINDOW = Duration.ofHours(1);

  private WaitEstimate() {}

  public static Long seconds(int position, long assignmentsInWindow) {
    if (position <= 0 || assignmentsInWindow <= 0) {
      return null;
    }
    return (long) Math.ceil((double) position * WINDOW.toSeconds() / assignmentsInWindow);
  }
}
