package fi.kanava.chat;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * One socket's subscription to one conversation. Events are handled strictly one after another
 * (a chain of futures) so that messages reach the socket in sequence order: a message whose
 * predecessors have not been delivered yet (events from different senders can overtake each
 * other on the bus) first has the gap filled from the database; anything already delivered is
 * dropped. So a client gets every message exactly once, in order.
 */
final class ConversationWatch {
  final UUID conversationId;
  MessageConsumer<JsonObject> consumer;
  /** The highest sequence number delivered to the socket (or skipped, for notes a patient does not see). */
  long delivered;
  /** Last position frame sent, to push only changes. */
  JsonObject lastPosition;
  /** conversation.closed was written (a leave reply and the state event must not both send it). */
  boolean closedSent;
  private Future<Void> chain = Future.succeededFuture();

  ConversationWatch(UUID conversationId) {
    this.conversationId = conversationId;
  }

  /** Runs the step after every earlier one has finished (whatever their outcome). */
  Future<Void> then(java.util.function.Supplier<Future<Void>> step) {
    chain = chain.transform(ignored -> step.get());
    return chain;
  }

  void unregister() {
    if (consumer != null) {
      consumer.unregister();
    }
  }
}
