package fi.kanava.conversation;

import io.vertx.core.Future;

/** Where a waiting conversation stands in its queue; the queue feature provides it (so the core does not depend on queues). */
@FunctionalInterface
public interface QueuePlaces {
  /**
   * The position, and the estimated wait as a range (low to high seconds, with its centre as
   * {@code estimatedWaitSeconds}), or the reason there is no estimate ({@code nobody_available}, {@code no_history}).
   */
  record Place(int position, Long estimatedWaitSeconds, Long estimatedWaitLowSeconds, Long estimatedWaitHighSeconds,
      String noEstimateReason) {}

  Future<Place> placeOf(ConversationRecord c);
}
