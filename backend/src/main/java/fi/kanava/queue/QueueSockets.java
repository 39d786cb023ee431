package fi.kanava.queue;

import fi.kanava.conversation.ConversationFrames.AboutConversation;
import fi.kanava.conversation.ConversationSockets;
import fi.kanava.conversation.Urgency;
import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.NodeFanout;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketFrames.Fields;
import fi.kanava.ws.SocketSession;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Queues on the socket: a patient enters and leaves; a professional watches the waiting lists of
 * their queues, takes (pick mode), accepts or declines an offer. Offers still open are sent again
 * (and audited again) when a professional's socket becomes ready.
 */
public final class QueueSockets {
  private final Queues queues;
  private final QueueEntry entry;
  private final Offers offers;
  private final Routing routing;
  private final WaitingLists waiting;
  private final ConversationSockets watching;

  public QueueSockets(Queues queues, QueueEntry entry, Offers offers, Routing routing, WaitingLists waiting, ConversationSockets watching) {
    this.queues = queues;
    this.entry = entry;
    this.offers = offers;
    this.routing = routing;
    this.waiting = waiting;
    this.watching = watching;
  }

  public record Enter(String ref, String queueId, String language, String municipality, Map<String, Object> answers)
      implements ClientFrame {
    public Enter {
      ref = Fields.ref(ref);
      queueId = Fields.required(queueId, "queueId");
      language = Fields.required(language, "language");
      municipality = municipality == null || municipality.isBlank() ? null : municipality.strip();
      answers = answers == null ? Map.of() : answers;
    }
  }

  public record Leave(String ref, UUID conversationId) implements ClientFrame, AboutConversation {
    public Leave {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
    }
  }

  public record Take(String ref, UUID conversationId) implements ClientFrame, AboutConversation {
    public Take {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
    }
  }

  public record Accept(String ref, UUID conversationId) implements ClientFrame, AboutConversation {
    public Accept {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
    }
  }

  /** {@code offer.decline}: an optional reason (at most 200 characters) is kept as an internal note for the next professional. */
  public record Decline(String ref, UUID conversationId, String reason) implements ClientFrame, AboutConversation {
    public Decline {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
      reason = reason == null || reason.isBlank() ? null : reason.strip();
      if (reason != null && reason.length() > 200) {
        throw Fields.malformed("'reason' is longer than 200 characters");
      }
    }
  }

  public record WatchQueues(String ref) implements ClientFrame {
    public WatchQueues {
      ref = Fields.ref(ref);
    }
  }

  public void register(FrameRegistry registry) {
    registry.onReady(this::ready);
    registry.register("queue.enter", Enter.class, Senders.PATIENTS, (s, f) -> entry.enter(s.principal(), s.clientAddress(), f).compose(entered -> {
      if (entered.emergency()) {
        s.reply(new Emergency(Urgency.IMMEDIATE.code(), entered.conversation().id().toString()), f.ref());
        return Future.succeededFuture(FrameResult.ACCEPTED);
      }
      return watching.watch(s, entered.conversation(), 0, f.ref(), "queue.entered").map(FrameResult.ACCEPTED);
    }));
    registry.register("queue.leave", Leave.class, Senders.PATIENTS, (s, f) -> entry.leave(s.principal(), f.conversationId()).map(c -> {
      watching.closed(s, c.id(), c.outcome(), f.ref());
      return FrameResult.ACCEPTED;
    }));
    registry.register("queues.watch", WatchQueues.class, Senders.PROFESSIONALS, (s, f) -> watchQueues(s, f.ref()).map(FrameResult.ACCEPTED));
    registry.register("conversation.take", Take.class, Senders.PROFESSIONALS, (s, f) ->
        watching.freshActor(s).compose(actor -> offers.take(actor, f.conversationId()))
            .compose(c -> watching.watch(s, c, 0, f.ref(), "conversation.state")).map(FrameResult.ACCEPTED));
    registry.register("conversation.accept", Accept.class, Senders.PROFESSIONALS, (s, f) ->
        watching.freshActor(s).compose(actor -> offers.accept(actor, f.conversationId()))
            .compose(c -> watching.watch(s, c, 0, f.ref(), "conversation.state")).map(FrameResult.ACCEPTED));
    registry.register("offer.decline", Decline.class, Senders.PROFESSIONALS, (s, f) ->
        watching.freshActor(s).compose(actor -> offers.decline(watching.author(s), f.conversationId(), f.reason()))
            .map(v -> FrameResult.reply(new Declined(f.conversationId().toString()))));
  }

  /** A professional's socket: the offers still open for them, again. */
  private Future<Void> ready(SocketSession s) {
    if (!Senders.PROFESSIONALS.admits().test(s.principal())) {
      return Future.succeededFuture();
    }
    return routing.pendingOffers(watching.author(s).actor()).map(list -> {
      list.forEach(s::send);
      return null;
    });
  }

  private Future<Void> watchQueues(SocketSession s, String ref) {
    Map<String, NodeFanout.Subscription> watches = s.local(QueueWatches.class, () -> {
      QueueWatches created = new QueueWatches();
      s.onClose(() -> created.values().forEach(NodeFanout.Subscription::unregister));
      return created;
    });
    return queues.patientQueuesServedBy(s.principal().id()).compose(queueIds -> {
      if (s.isClosed()) {
        return Future.succeededFuture(); // gone meanwhile: subscribe nothing
      }
      Future<Void> all = Future.succeededFuture();
      for (String queueId : queueIds) {
        NodeFanout.Subscription watch = watches.computeIfAbsent(queueId,
            q -> s.subscribe(fi.kanava.conversation.ConversationEvents.queue(q), (String encoded) -> s.sendEncoded(encoded)));
        // the snapshot is read once later lists, from any node, reach this socket
        all = all.compose(v -> watch.completion()).compose(v -> waiting.snapshot(queueId).map(list -> {
          s.reply(WaitingLists.waitingListFrame(list), ref);
          return null;
        }));
      }
      if (queueIds.isEmpty()) {
        s.reply(new NoQueues(List.of()), ref);
      }
      return all;
    });
  }

  /** One socket's queue subscriptions. */
  private static final class QueueWatches extends HashMap<String, NodeFanout.Subscription> {}

  public record Emergency(String urgency, String conversationId) implements ServerFrame {
    @Override
    public String type() {
      return "emergency";
    }
  }

  /** The reply to {@code queues.watch} from someone who serves no queue. */
  public record NoQueues(List<String> queueIds) implements ServerFrame {
    @Override
    public String type() {
      return "queues";
    }
  }

  public record Declined(String conversationId) implements ServerFrame {
    @Override
    public String type() {
      return "offer.declined";
    }
  }
}
