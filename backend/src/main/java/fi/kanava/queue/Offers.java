package fi.kanava.queue;

import fi.kanava.access.AccessPolicy.Actor;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.conversation.ChatMetrics;
import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.ConversationState;
import fi.kanava.conversation.ConversationStore;
import fi.kanava.conversation.Conversations;
import fi.kanava.conversation.SystemMessage;
import fi.kanava.infra.ApiError;
import fi.kanava.presence.Presence;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * A professional taking a waiting conversation (pick mode), accepting an offer, or declining one.
 * Taking and accepting are reads of the patient's data and are audited; declining returns the
 * conversation to the queue without setting the professional away, and routing does not offer it
 * to them again.
 */
public final class Offers {
  private final Clock clock;
  private final Conversations conversations;
  private final Routing routing;
  private final ChatMetrics metrics;

  public Offers(Clock clock, Conversations conversations, Routing routing, ChatMetrics metrics) {
    this.clock = clock;
    this.conversations = conversations;
    this.routing = routing;
    this.metrics = metrics;
  }

  /** What a take committed: the conversation as it was before, and the system message. */
  private record Taken(ConversationRecord before, JsonObject frame) {}

  /** Takes a waiting conversation (pick mode; allowed in auto mode too). Taking is accepting. */
  public Future<ConversationRecord> take(Actor actor, UUID id) {
    Instant now = clock.instant();
    UUID professional = actor.principal().id();
    return conversations.locked(actor, ConversationAction.READ, "take", id,
            c -> !c.state().canBecome(ConversationState.ACTIVE) ? ApiError.conflict("not_assigned", "The conversation is no longer waiting")
                // transferred to a named colleague: theirs to accept (transfer.accept), nobody else's to take
                : c.heldFor() != null ? ApiError.conflict("not_assigned", "The conversation waits for a named colleague") : null,
            (tx, c) -> Presence.ensure(tx, professional, now)
                .compose(status -> Routing.hasCapacity(tx, professional, false))
                .compose(room -> room
                    ? Routing.assign(tx, id, professional, now, true)
                    : Future.failedFuture(ApiError.conflict("capacity_reached", "You already have your maximum number of conversations")))
                .compose(v -> conversations.systemMessage(tx, id, SystemMessage.PROFESSIONAL_JOINED, now))
                .map(frame -> new Taken(c, frame)))
        .compose(result -> {
          ConversationRecord before = result.before();
          if (before.requeueCount() == 0) {
            metrics.queueWait(before.queueId(), before.urgency(), Duration.between(before.enqueuedAt(), now));
          }
          // the state first: a colleague previewing it stops watching before the joined message goes out
          return routing.announce(id, false).onSuccess(c -> conversations.published(id, result.frame()));
        });
  }

  /**
   * Accepts an auto-assignment offer; the read of the history that follows is audited. Someone who
   * may not even read the conversation is refused (and audited) before anything else.
   */
  public Future<ConversationRecord> accept(Actor actor, UUID id) {
    Instant now = clock.instant();
    UUID professional = actor.principal().id();
    // the policy is decided on the locked row and the read of the history that follows audited once (purpose accept)
    return conversations.locked(actor, ConversationAction.READ, "accept", id,
            c -> c.isActive() && professional.equals(c.assignedTo()) ? null
                : ApiError.conflict("not_assigned", "The conversation is not offered to you (any more)"),
            (tx, c) -> c.acceptedAt() != null
                ? Future.succeededFuture((JsonObject) null)
                : ConversationStore.accept(tx, id, professional, now)
                    .compose(v -> conversations.systemMessage(tx, id, SystemMessage.PROFESSIONAL_JOINED, now)))
        .compose(frame -> {
          if (frame != null) {
            conversations.published(id, frame);
          }
          return routing.announce(id, false);
        });
  }

  /**
   * Declines an offer: back to the queue, the professional keeps their status, and it is not
   * offered to them again. Someone who may not even read the conversation is refused (and audited).
   */
  public Future<Void> decline(fi.kanava.conversation.Author author, UUID id, String reason) {
    return conversations.entitled(author.actor(), id, ConversationAction.READ, "decline")
        .compose(v -> routing.requeue(id, "declined", new Routing.Decline(author, reason), null, null));
  }
}
