package fi.kanava.conversation;

import io.vertx.core.Future;

/** Where a waiting conversation stands in its queue; the queue feature provides it (so the core does not depend on queues). */
@FunctionalInterface
public interface QueuePlaces {
  record Place(int position, Long estimatedWaitSeconds) {}

  Future<Place> placeOf(ConversationRecord c);
}
