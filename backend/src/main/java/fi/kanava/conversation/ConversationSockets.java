package fi.kanava.conversation;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.access.AccessPolicy.ConversationFacts;
import fi.kanava.access.AccessPolicy.Decision;
import fi.kanava.infra.ApiError;
import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketSession;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conversation feature on the socket: registers its frames and keeps, per socket, the
 * conversations it watches. A patient's socket listens on the conversation's patient address, a
 * professional's on its staff address. Access follows the facts, live: each state event carries
 * the conversation's access facts, and a professional's socket whose principal is no longer
 * entitled stops watching at once and is told so ({@code conversation.revoked}); its later frames
 * about the conversation are refused and audited.
 *
 * <p>A socket gets every stored message once, in sequence order, and never drops a new message as
 * one it already has: a message whose number it has delivered for another message (the store lost
 * commits and the number was given out again), a resume from a number the store does not have,
 * or the store's own report of lost messages makes the socket resynchronise from the store
 * ({@code conversation.resync}, every message, {@code conversation.synced}); see docs/protocol.md,
 * "Sequence numbers, resync and retries".
 */
public final class ConversationSockets {
  private static final Logger log = LoggerFactory.getLogger(ConversationSockets.class);
  private final Conversations conversations;
  private final AccessGuard guard;
  private final ChatMetrics metrics;

  public ConversationSockets(Conversations conversations, AccessGuard guard, ChatMetrics metrics) {
    this.conversations = conversations;
    this.guard = guard;
    this.metrics = metrics;
  }

  public void register(FrameRegistry registry) {
    registry.onReady(this::ready);
    registry.onRefused(this::refused);
    registry.register("conversation.open", ConversationFrames.Open.class, Senders.ANYONE, this::open);
    registry.register("conversation.leave", ConversationFrames.Leave.class, Senders.ANYONE, (s, f) -> {
      state(s).unwatch(f.conversationId());
      return Future.succeededFuture(FrameResult.ACCEPTED);
    });
    registry.register("message.send", ConversationFrames.Send.class, Senders.ANYONE,
        (s, f) -> conversations.send(state(s).author, f).map(FrameResult::reply));
    registry.register("typing", ConversationFrames.Typing.class, Senders.ANYONE, (s, f) -> participating(s, f.conversationId(), "typing")
        .map(v -> {
          ConversationEvents.signal(s.vertx().eventBus(), f.conversationId(), ConversationEvents.TYPING, ServerFrames.toJson(
              new ConversationEvents.Typing(f.conversationId().toString(), s.principal().kind().code(), f.typing())), s.id());
          return FrameResult.ACCEPTED;
        }));
    registry.register("read", ConversationFrames.Read.class, Senders.ANYONE, (s, f) -> participating(s, f.conversationId(), "read")
        .compose(v -> conversations.read(s.principal(), f.conversationId(), f.seq()))
        .map(frame -> {
          ConversationEvents.signal(s.vertx().eventBus(), f.conversationId(), ConversationEvents.READ, frame, s.id());
          return FrameResult.ACCEPTED;
        }));
    registry.register("conversation.close", ConversationFrames.Close.class, Senders.PROFESSIONALS, (s, f) ->
        conversations.close(s.principal(), f).map(c -> {
          closed(s, c.id(), c.outcome(), f.ref());
          return FrameResult.ACCEPTED;
        }));
    // a retry is answered again, so the reply is not left to closed(), which tells a socket once
    registry.register("conversation.end", ConversationFrames.End.class, Senders.PATIENTS, (s, f) ->
        conversations.end(s.principal(), f.conversationId()).map(c -> {
          Watch w = state(s).watching.get(c.id());
          if (w != null) {
            w.closedSent = true;
          }
          s.reply(new ClosedFrame(c.id().toString(), c.outcome()), f.ref());
          return FrameResult.ACCEPTED;
        }));
  }

  /** Loads the principal's author (name, role, served queues) before the socket's first frame. */
  private Future<Void> ready(SocketSession s) {
    return conversations.actor(s.principal()).map(actor -> {
      Watches w = state(s);
      w.author = new Author(actor, s.profile().name(), s.profile().role());
      s.onClose(w::unwatchAll);
      return null;
    });
  }

  /**
   * A frame naming a conversation that the sender's role may not send at all (a patient's {@code
   * conversation.take}, a professional's {@code queue.leave}) is an attempt on that conversation:
   * audited as a denial about its patient, like the policy's refusals. A refused frame that names
   * no conversation ({@code presence}, {@code queues.watch}, {@code queue.enter}) could reach no
   * one's patient data whatever it carried, and is not audited.
   */
  private Future<Void> refused(SocketSession s, String type, ClientFrame frame) {
    // (a consultation opened without a patient's case names none)
    if (!(frame instanceof ConversationFrames.AboutConversation about) || about.conversationId() == null) {
      return Future.succeededFuture();
    }
    UUID id = about.conversationId();
    return conversations.load(id).map(c -> c.facts().patientId())
        .recover(e -> e instanceof ApiError api && api.status() == 404 ? Future.succeededFuture(null) : Future.failedFuture(e))
        .compose(patientId -> guard.refusedFrame(s.principal(), type, id, patientId));
  }

  private Future<FrameResult> open(SocketSession s, ConversationFrames.Open f) {
    String purpose = f.afterSeq() > 0 ? "resume" : "open";
    return freshActor(s).compose(actor -> conversations.authorized(actor, f.conversationId(), ConversationAction.READ, purpose))
        .compose(c -> watch(s, c, f.afterSeq(), f.afterId(), f.ref(), "conversation"))
        .map(FrameResult.ACCEPTED);
  }

  /**
   * Typing and read receipts come only from participants: a socket that does not watch the
   * conversation, or whose principal is not (or no longer) a participant, is refused, and the
   * refusal is audited.
   */
  private Future<Void> participating(SocketSession s, UUID id, String purpose) {
    Watches watches = state(s);
    Watch w = watches.watching.get(id);
    if (w == null) {
      return conversations.authorized(watches.author.actor(), id, ConversationAction.PARTICIPATE, purpose)
          .compose(c -> Future.failedFuture(ApiError.conflict("not_watching", "Open the conversation first")));
    }
    Decision decision = guard.decide(watches.author.actor(), ConversationAction.PARTICIPATE, w.facts);
    return decision.allowed() ? Future.succeededFuture()
        : guard.settle(watches.author.actor(), ConversationAction.PARTICIPATE, id, w.facts, purpose, decision);
  }

  // --- watching, for this feature and the others that start it (queue entry, take, accept) ------------------

  /**
   * The socket's actor with the queues they serve as they are now (membership may have changed
   * since the socket opened), and kept for the checks that follow.
   */
  public Future<fi.kanava.access.AccessPolicy.Actor> freshActor(SocketSession s) {
    return conversations.actor(s.principal()).map(actor -> {
      Watches w = state(s);
      w.author = new Author(actor, w.author.name(), w.author.role());
      return actor;
    });
  }

  /** The author a socket's principal writes as (loaded when the socket became ready). */
  public Author author(SocketSession s) {
    return state(s).author;
  }

  /**
   * Starts watching, after the caller has checked and audited access: the reply frame ({@code
   * replyType}) with the principal's view, the messages after {@code afterSeq}, {@code
   * conversation.synced}, then live events.
   */
  public Future<Void> watch(SocketSession s, ConversationRecord c, long afterSeq, String ref, String replyType) {
    return watch(s, c, afterSeq, null, ref, replyType);
  }

  /** As above, for a client resuming from the message {@code afterId} at {@code afterSeq} (null: not said). */
  private Future<Void> watch(SocketSession s, ConversationRecord c, long afterSeq, UUID afterId, String ref, String replyType) {
    if (s.isClosed()) {
      return Future.succeededFuture(); // gone while the caller was checking: subscribe nothing
    }
    Watches watches = state(s);
    watches.unwatch(c.id());
    Watch w = new Watch(c.id(), c.facts());
    w.delivered = afterSeq;
    watches.watching.put(c.id(), w);
    // what the patient sees for the patient and for partner staff reading the conversation a referral was made in
    String address = guard.readsInternal(s.principal(), c.facts()) ? ConversationEvents.forStaff(c.id()) : ConversationEvents.forPatient(c.id());
    w.consumer = s.subscribe(address, (JsonObject body) -> w.then(() -> onEvent(s, w, body)));
    return w.then(() -> w.consumer.completion()
        // the caller's check read the facts before this subscription existed: a colleague may have taken the
        // conversation in between, and that state event is gone. Read the facts again now that every later
        // change reaches this watch, and decide on them.
        .compose(v -> conversations.load(c.id()))
        .compose(now -> {
          w.facts = now.facts();
          Decision decision = guard.decide(watches.author.actor(), ConversationAction.READ, w.facts);
          if (decision.allowed()) {
            return conversations.view(s.principal(), now).map(view -> {
              s.reply(new ViewReply(replyType, view), ref);
              return now.lastSeq();
            });
          }
          watches.watching.remove(c.id(), w);
          w.unregister();
          return guard.settle(watches.author.actor(), ConversationAction.READ, c.id(), w.facts, "watch", decision).map(v -> (Long) null);
        })
        .compose(stored -> stored == null ? Future.succeededFuture() : catchUp(s, w, stored, afterSeq, afterId)))
        .onFailure(e -> {
          // a failed start leaves nothing subscribed
          watches.watching.remove(c.id(), w);
          w.unregister();
        });
  }

  /**
   * What a starting watch sends after its reply: the messages after {@code afterSeq} and {@code
   * conversation.synced}. A client that resumes from a number the store does not have, past its
   * counter ({@code stored}) or at a message with another id than {@code afterId}, holds messages
   * the store lost: it is resynchronised instead, and a counter behind the client is raised.
   */
  private Future<Void> catchUp(SocketSession s, Watch w, long stored, long afterSeq, UUID afterId) {
    UUID id = w.conversationId;
    if (afterSeq > stored) {
      metrics.sequenceRegression(SequenceGuard.RESUME);
      return conversations.resumedPast(id, stored, afterSeq, s.id()).compose(v -> resync(s, w));
    }
    if (afterId == null) {
      return conversations.messagesBetween(s.principal(), w.facts, id, afterSeq, Long.MAX_VALUE).map(messages -> synced(s, w, messages));
    }
    return conversations.messagesBetween(s.principal(), w.facts, id, afterSeq - 1, Long.MAX_VALUE).compose(messages -> {
      JsonObject held = messages.isEmpty() ? null : messages.get(0);
      if (held != null && held.getLong("seq") == afterSeq && afterId.toString().equals(held.getString("id"))) {
        w.recent.add(afterSeq, afterId);
        return Future.succeededFuture(synced(s, w, messages.subList(1, messages.size())));
      }
      metrics.sequenceRegression(SequenceGuard.RESUME);
      log.warn("Socket {} resumed conversation {} from sequence number {} holding a message the store does not have there;"
          + " resynchronising it", s.id(), id, afterSeq);
      return resync(s, w);
    });
  }

  /** Sends stored messages in order, then {@code conversation.synced}; remembers what was sent. */
  private Void synced(SocketSession s, Watch w, List<JsonObject> messages) {
    if (w.consumer == null) {
      return null; // stopped watching meanwhile
    }
    for (JsonObject m : messages) {
      s.send(m);
      w.sent(m.getLong("seq"), m.getString("id"));
    }
    conversations.delivered(w.conversationId, w.delivered);
    s.send(new Synced(w.conversationId.toString(), w.delivered));
    return null;
  }

  /**
   * Resynchronises the socket from the store: {@code conversation.resync}, every stored message,
   * {@code conversation.synced}. The client keeps the messages that come again (by id) and learns
   * that those it held and that do not come are not in the store.
   */
  private Future<Void> resync(SocketSession s, Watch w) {
    return conversations.messagesBetween(s.principal(), w.facts, w.conversationId, 0, Long.MAX_VALUE).map(messages -> {
      if (w.consumer == null) {
        return null;
      }
      s.send(new Resync(w.conversationId.toString(), 0));
      w.delivered = 0;
      w.recent.clear();
      return synced(s, w, messages);
    });
  }

  /** Tells the socket the conversation closed (once, whether from the close reply or the state event). */
  public void closed(SocketSession s, UUID conversationId, String outcome, String ref) {
    Watch w = state(s).watching.get(conversationId);
    if (w != null && w.closedSent) {
      return;
    }
    if (w != null) {
      w.closedSent = true;
    }
    s.reply(new ClosedFrame(conversationId.toString(), outcome), ref);
  }

  private Future<Void> onEvent(SocketSession s, Watch w, JsonObject event) {
    String kind = event.getString("event");
    if (ConversationEvents.MESSAGE.equals(kind)) {
      return deliver(s, w, event);
    }
    if (ConversationEvents.STATE.equals(kind)) {
      return stateChanged(s, w, event);
    }
    if (ConversationEvents.POSITION.equals(kind)) {
      JsonObject position = event.getJsonObject("frame");
      if (!position.equals(w.lastPosition)) {
        w.lastPosition = position;
        s.send(position);
      }
      return Future.succeededFuture();
    }
    if (ConversationEvents.RESYNC.equals(kind)) {
      return s.id().equals(event.getString("origin")) ? Future.succeededFuture() : resync(s, w);
    }
    if (!s.id().equals(event.getString("origin"))) {
      s.send(event.getJsonObject("frame"));
    }
    return Future.succeededFuture();
  }

  private Future<Void> stateChanged(SocketSession s, Watch w, JsonObject event) {
    JsonObject frame = event.getJsonObject("view");
    if (event.containsKey("facts")) {
      w.facts = ConversationEvents.factsFromJson(event.getJsonObject("facts"));
      Decision decision = guard.decide(state(s).author.actor(), ConversationAction.READ, w.facts);
      if (!decision.allowed()) {
        // taken by a colleague, transferred away, closed to a previewer: the subscription ends now
        state(s).unwatch(w.conversationId);
        s.send(new Revoked(w.conversationId.toString(), decision.reason(), Revoked.cause(w.facts)));
        return Future.succeededFuture();
      }
    }
    JsonObject view = frame.getJsonObject("conversation");
    if (!event.containsKey("facts")) {
      // the patient's side carries no access facts; its state is what typing and read receipts are checked against
      ConversationFacts f = w.facts;
      w.facts = new ConversationFacts(f.patientId(), f.queueId(), ConversationState.fromCode(view.getString("state")),
          f.assignedProfessionalId(), f.transferRecipientIds(), f.consultantIds(), f.consentedPartnerOrganisationIds(), f.heldFor(),
          f.historyCuts(), f.readerIds(), f.referralThread());
    }
    s.send(frame);
    if (ConversationState.CLOSED.code().equals(view.getString("state"))) {
      closed(s, w.conversationId, view.getString("outcome"), null);
    }
    return Future.succeededFuture();
  }

  /**
   * Writes a message event in order: fills a gap from the database first; drops a repeat of what
   * was delivered (same number, same id); resynchronises when the number was delivered for
   * another message (the store gave it out again).
   */
  private Future<Void> deliver(SocketSession s, Watch w, JsonObject event) {
    long seq = event.getLong("seq");
    UUID id = UUID.fromString(event.getString("id"));
    if (seq <= w.delivered) {
      if (w.recent.holds(seq, id)) {
        return Future.succeededFuture();
      }
      metrics.sequenceRegression(SequenceGuard.SOCKET);
      log.warn("Socket {} watching conversation {} got sequence number {} for a message it has not sent, having delivered up to {}:"
          + " the number was given out again; resynchronising the socket", s.id(), w.conversationId, seq, w.delivered);
      return resync(s, w);
    }
    boolean patient = s.principal().isPatient();
    Future<Void> gap = seq == w.delivered + 1 ? Future.succeededFuture()
        : conversations.messagesBetween(s.principal(), w.facts, w.conversationId, w.delivered, seq).map(missing -> {
          if (w.consumer != null) {
            for (JsonObject m : missing) {
              s.send(m);
              w.sent(m.getLong("seq"), m.getString("id"));
            }
          }
          return null;
        });
    return gap.map(v -> {
      if (w.consumer == null) {
        return null; // stopped watching meanwhile
      }
      w.sent(seq, id);
      s.sendEncoded(event.getString("encoded"));
      conversations.delivered(w.conversationId, seq);
      metrics.delivered(event.getLong("committedAt"));
      return null;
    });
  }

  private static Watches state(SocketSession s) {
    return s.local(Watches.class, Watches::new);
  }

  /** One socket's watched conversations and its author. */
  private static final class Watches {
    final Map<UUID, Watch> watching = new HashMap<>();
    Author author;

    void unwatch(UUID conversationId) {
      Watch w = watching.remove(conversationId);
      if (w != null) {
        w.unregister();
      }
    }

    void unwatchAll() {
      watching.values().forEach(Watch::unregister);
      watching.clear();
    }
  }

  /**
   * One socket's subscription to one conversation. Events are handled strictly one after another
   * (a chain of futures) so that messages reach the socket in sequence order: a message whose
   * predecessors have not been delivered yet first has the gap filled from the database; a repeat
   * of what was delivered is dropped, and another message with a delivered number resynchronises
   * the socket. So a client gets every stored message exactly once, in order.
   */
  private static final class Watch {
    final UUID conversationId;
    fi.kanava.ws.NodeFanout.Subscription consumer;
    /** The latest access facts: what typing and read receipts are checked against, and what ends the watch. */
    ConversationFacts facts;
    /** The highest sequence number delivered to the socket. */
    long delivered;
    /** The ids of the last messages sent, by number: how a repeat is told from a number given out again. */
    final RecentIds recent = new RecentIds();
    JsonObject lastPosition;
    boolean closedSent;
    private Future<Void> chain = Future.succeededFuture();

    Watch(UUID conversationId, ConversationFacts facts) {
      this.conversationId = conversationId;
      this.facts = facts;
    }

    /** A stored message went to the socket. */
    void sent(long seq, UUID id) {
      delivered = Math.max(delivered, seq);
      recent.add(seq, id);
    }

    void sent(long seq, String id) {
      sent(seq, UUID.fromString(id));
    }

    /** Runs the step after every earlier one has finished; once the watch has ended, later steps send nothing. */
    Future<Void> then(Supplier<Future<Void>> step) {
      chain = chain.transform(ignored -> consumer == null ? Future.succeededFuture() : step.get());
      return chain;
    }

    void unregister() {
      if (consumer != null) {
        consumer.unregister();
        consumer = null;
      }
    }
  }

  /**
   * The ids of the last {@value #SIZE} messages sent to a socket, by sequence number, in a ring of
   * primitives (a few hundred bytes per watch). A repeat of a delivered message comes, if ever,
   * within moments of its delivery (an event committed just before the watch read the history).
   */
  static final class RecentIds {
    static final int SIZE = 32;
    private final long[] seqs = new long[SIZE];
    private final long[] high = new long[SIZE];
    private final long[] low = new long[SIZE];
    private int next;

    void add(long seq, UUID id) {
      seqs[next] = seq;
      high[next] = id.getMostSignificantBits();
      low[next] = id.getLeastSignificantBits();
      next = (next + 1) % SIZE;
    }

    /** Whether the message {@code id} was sent with the number {@code seq}. */
    boolean holds(long seq, UUID id) {
      for (int i = 0; i < SIZE; i++) {
        if (seqs[i] == seq && seq != 0 && high[i] == id.getMostSignificantBits() && low[i] == id.getLeastSignificantBits()) {
          return true;
        }
      }
      return false;
    }

    void clear() {
      Arrays.fill(seqs, 0);
      next = 0;
    }
  }

  /** The reply that starts a watch: {@code conversation}, {@code queue.entered} or {@code conversation.state}, with the view. */
  public record ViewReply(String type, Object conversation) implements ServerFrame {}

  public record Synced(String conversationId, long lastSeq) implements ServerFrame {
    @Override
    public String type() {
      return "conversation.synced";
    }
  }

  /**
   * The messages the client holds after {@code afterSeq} may not be what the store has (a number
   * was given out again, or the store lost messages): the store's messages after {@code afterSeq}
   * follow, then {@code conversation.synced}. Keep those; a held message that does not come again
   * (matched by id) is not in the store.
   */
  public record Resync(String conversationId, long afterSeq) implements ServerFrame {
    @Override
    public String type() {
      return "conversation.resync";
    }
  }

  public record ClosedFrame(String conversationId, String outcome) implements ServerFrame {
    @Override
    public String type() {
      return "conversation.closed";
    }
  }

  /**
   * The socket no longer watches the conversation: its principal lost access. {@code reason} is the
   * policy's code (for logs and support); {@code cause} says what happened in words a console can
   * show: {@code taken} (someone else has it now), {@code closed}, or {@code access_ended}.
   */
  public record Revoked(String conversationId, String reason, String cause) implements ServerFrame {
    @Override
    public String type() {
      return "conversation.revoked";
    }

    static String cause(ConversationFacts facts) {
      if (facts.state() == ConversationState.CLOSED) {
        return "closed";
      }
      return facts.assignedProfessionalId().isPresent() ? "taken" : "access_ended";
    }
  }
}
