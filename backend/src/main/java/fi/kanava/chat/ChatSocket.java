package fi.kanava.chat;

import fi.kanava.auth.AccessPolicy.ConversationAction;
import fi.kanava.auth.Principal;
import fi.kanava.infra.ApiError;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection: authenticates (handshake or first frame), decodes each frame once,
 * applies the rate limit and hands the typed frame to the services. It watches conversations on
 * the event bus and writes what it receives in sequence order. Errors go back as error frames and
 * the connection stays usable, except for authentication failures.
 */
final class ChatSocket {
  private static final Logger log = LoggerFactory.getLogger(ChatSocket.class);
  static final short CLOSE_UNAUTHENTICATED = 4401;

  private final ServerWebSocket ws;
  private final ChatService chat;
  private final String id = UUID.randomUUID().toString();
  private final RateLimiter limiter;
  private final Map<UUID, ConversationWatch> watches = new HashMap<>();
  private final Map<String, MessageConsumer<String>> queueWatches = new HashMap<>();
  private Principal principal;
  /** The principal as an author of messages (name, role, queues served), loaded once at ready. */
  private Conversations.Author author;
  private MessageConsumer<JsonObject> professionalConsumer;
  private long authTimer = -1;
  private long expiryTimer = -1;
  private boolean closed;

  ChatSocket(ServerWebSocket ws, ChatService chat) {
    this.ws = ws;
    this.chat = chat;
    this.limiter = new RateLimiter(chat.config().ws().rateLimitPerSecond(), chat.config().ws().rateLimitBurst(), System::nanoTime);
  }

  /** Starts the connection, already authenticated during the handshake or (principal null) waiting for an auth frame. */
  void start(Principal authenticated, Instant expiresAt) {
    chat.metrics().connectionOpened();
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> error(Frames.malformed("Frames are JSON text"), null));
    ws.closeHandler(v -> onClose());
    ws.exceptionHandler(e -> log.debug("WebSocket {} failed: {}", id, e.getMessage()));
    if (authenticated != null) {
      ready(authenticated, expiresAt);
    } else {
      authTimer = chat.vertx().setTimer(chat.config().ws().authTimeout().toMillis(), t -> {
        if (principal == null) {
          fail(ApiError.unauthenticated("unauthenticated", "Authenticate within " + chat.config().ws().authTimeout().toSeconds() + " seconds"));
        }
      });
    }
  }

  private void onText(String text) {
    if (closed) {
      return;
    }
    if (text.length() > chat.config().ws().maxFrameBytes() / 4 && text.getBytes(StandardCharsets.UTF_8).length > chat.config().ws().maxFrameBytes()) {
      error(ApiError.badRequest("frame_too_large", "Frames are at most " + chat.config().ws().maxFrameBytes() + " bytes"), null);
      return;
    }
    if (!limiter.tryAcquire()) {
      error(new ApiError(429, "rate_limited", "Too many frames; slow down"), null);
      return;
    }
    ClientFrame frame;
    try {
      frame = Frames.decode(text);
    } catch (Frames.DecodeError e) {
      error(e.error(), e.ref());
      return;
    }
    // not before `ready`: until then the author (who the messages are from) is not known yet
    if (author == null && !(frame instanceof ClientFrame.Auth)) {
      fail(ApiError.unauthenticated("unauthenticated", "Send an auth frame first"));
      return;
    }
    Future<?> handled;
    try {
      handled = handle(frame);
    } catch (ApiError e) {
      handled = Future.failedFuture(e);
    }
    handled.onFailure(e -> {
      if (e instanceof ApiError api) {
        error(api, frame.ref());
      } else {
        log.error("Frame {} failed on socket {}", frame.getClass().getSimpleName(), id, e);
        error(ApiError.internal(), frame.ref());
      }
    });
  }

  private Future<?> handle(ClientFrame frame) {
    if (frame instanceof ClientFrame.Auth auth) {
      return reauthenticate(auth);
    }
    if (frame instanceof ClientFrame.Ping ping) {
      write(Frames.frame("pong"), ping.ref());
      return Future.succeededFuture();
    }
    if (frame instanceof ClientFrame.Send send) {
      return chat.conversations().send(author, send).onSuccess(ack -> write(ack, send.ref()));
    }
    if (frame instanceof ClientFrame.Open open) {
      return chat.conversations().authorized(principal, open.conversationId(), ConversationAction.READ, "open")
          .compose(c -> watch(c, open.afterSeq(), open.ref(), "conversation"));
    }
    if (frame instanceof ClientFrame.Leave leave) {
      ConversationWatch watch = watches.remove(leave.conversationId());
      if (watch != null) {
        watch.unregister();
      }
      return Future.succeededFuture();
    }
    if (frame instanceof ClientFrame.Typing typing) {
      requireWatching(typing.conversationId());
      ChatEvents.signal(chat.vertx().eventBus(), typing.conversationId(), ChatEvents.TYPING, Frames.frame("typing")
          .put("conversationId", typing.conversationId().toString()).put("who", principal.kind().code()).put("typing", typing.typing()), id);
      return Future.succeededFuture();
    }
    if (frame instanceof ClientFrame.Read read) {
      requireWatching(read.conversationId());
      return chat.conversations().read(principal, read.conversationId(), read.seq())
          .onSuccess(f -> ChatEvents.signal(chat.vertx().eventBus(), read.conversationId(), ChatEvents.READ, f, id));
    }
    if (principal.isPatient()) {
      return handlePatient(frame);
    }
    return handleProfessional(frame);
  }

  private Future<?> handlePatient(ClientFrame frame) {
    if (frame instanceof ClientFrame.QueueEnter enter) {
      return chat.conversations().enter(principal, enter).compose(entered -> {
        if (entered.emergency()) {
          write(Frames.frame("emergency").put("urgency", Urgency.IMMEDIATE.code()).put("conversationId", entered.conversation().id().toString()),
              enter.ref());
          return Future.succeededFuture();
        }
        return watch(entered.conversation(), 0, enter.ref(), "queue.entered");
      });
    }
    if (frame instanceof ClientFrame.QueueLeave leave) {
      return chat.conversations().leave(principal, leave.conversationId()).onSuccess(c -> sendClosed(c.id(), c.outcome(), leave.ref()));
    }
    return Future.failedFuture(ApiError.forbidden("That frame is for professionals"));
  }

  private Future<?> handleProfessional(ClientFrame frame) {
    if (frame instanceof ClientFrame.Presence presence) {
      return chat.routing().setStatus(principal.id(), presence.status()).onSuccess(reply -> write(reply, presence.ref()));
    }
    if (frame instanceof ClientFrame.QueuesWatch watch) {
      return watchQueues(watch.ref());
    }
    if (frame instanceof ClientFrame.Take take) {
      return chat.conversations().take(principal, take.conversationId())
          .compose(c -> watch(c, 0, take.ref(), "conversation.state"));
    }
    if (frame instanceof ClientFrame.Accept accept) {
      return chat.conversations().accept(principal, accept.conversationId())
          .compose(c -> watch(c, 0, accept.ref(), "conversation.state"));
    }
    if (frame instanceof ClientFrame.Close close) {
      return chat.conversations().close(principal, close).onSuccess(c -> sendClosed(c.id(), c.outcome(), close.ref()));
    }
    return Future.failedFuture(ApiError.forbidden("That frame is for patients"));
  }

  // --- authentication ----------------------------------------------------------------------------------

  private Future<?> reauthenticate(ClientFrame.Auth auth) {
    return chat.authenticator().authenticate("Bearer " + auth.token()).compose(p -> {
      if (principal == null) {
        chat.vertx().cancelTimer(authTimer);
        return ready(p, chat.tokenExpiry(auth.token()));
      }
      if (!p.id().equals(principal.id())) {
        return Future.failedFuture(ApiError.forbidden("The token is for someone else"));
      }
      Instant expiresAt = chat.tokenExpiry(auth.token());
      scheduleExpiry(expiresAt);
      write(Frames.frame("auth.ok").put("expiresAt", expiresAt.toString()), auth.ref());
      return Future.succeededFuture();
    }).recover(e -> {
      if (principal == null) {
        fail(e instanceof ApiError api ? api : ApiError.unauthenticated("invalid_token", "The access token is not valid"));
        return Future.succeededFuture();
      }
      return Future.failedFuture(e);
    });
  }

  private Future<Void> ready(Principal p, Instant expiresAt) {
    this.principal = p;
    scheduleExpiry(expiresAt);
    return chat.conversations().author(p).compose(a -> {
      author = a;
      JsonObject you = new JsonObject().put("kind", p.kind().code()).put("id", p.id().toString()).put("name", a.name());
      if (!p.isPatient()) {
        you.put("role", a.role());
      }
      write(Frames.frame("ready").put("v", 1).put("you", you), null);
      if (p.isPatient()) {
        return Future.succeededFuture();
      }
      chat.professionalConnected(p.id());
      professionalConsumer = chat.vertx().eventBus().consumer(ChatEvents.professional(p.id()), msg -> write(msg.body(), null));
      return chat.routing().seen(p.id())
          .compose(v -> chat.routing().pendingOffers(p.id()))
          .map(offers -> {
            offers.forEach(offer -> write(offer, null));
            return null;
          });
    });
  }

  private void scheduleExpiry(Instant expiresAt) {
    if (expiryTimer >= 0) {
      chat.vertx().cancelTimer(expiryTimer);
    }
    long delay = Math.max(1, Duration.between(chat.clock().instant(), expiresAt).toMillis());
    expiryTimer = chat.vertx().setTimer(delay, t -> fail(ApiError.unauthenticated("token_expired", "The access token expired; refresh and reconnect")));
  }

  // --- watching conversations -------------------------------------------------------------------------------

  /** Starts watching: the reply frame with the view, the messages after {@code afterSeq}, then live events. */
  private Future<Void> watch(ConversationRecord c, long afterSeq, String ref, String replyType) {
    ConversationWatch old = watches.remove(c.id());
    if (old != null) {
      old.unregister();
    }
    ConversationWatch w = new ConversationWatch(c.id());
    w.delivered = afterSeq;
    watches.put(c.id(), w);
    EventBus bus = chat.vertx().eventBus();
    w.consumer = bus.consumer(ChatEvents.conversation(c.id()), msg -> w.then(() -> onEvent(w, msg.body())));
    return w.then(() -> w.consumer.completion()
        .compose(v -> chat.conversations().view(principal, c))
        .compose(view -> {
          write(Frames.frame(replyType).put("conversation", view), ref);
          return chat.conversations().messagesBetween(c.id(), afterSeq, Long.MAX_VALUE, !principal.isPatient());
        })
        .map(messages -> {
          for (JsonObject m : messages) {
            write(m, null);
            w.delivered = Math.max(w.delivered, m.getLong("seq"));
          }
          write(Frames.frame("conversation.synced").put("conversationId", c.id().toString()).put("lastSeq", w.delivered), null);
          return null;
        }));
  }

  private Future<Void> onEvent(ConversationWatch w, JsonObject event) {
    String kind = event.getString("event");
    if (ChatEvents.MESSAGE.equals(kind)) {
      return deliver(w, event);
    }
    if (ChatEvents.STATE.equals(kind)) {
      JsonObject view = event.getJsonObject("view");
      if (principal.isPatient()) {
        view = ConversationRecord.forPatient(view);
      }
      write(Frames.frame("conversation.state").put("conversation", view), null);
      if (ConversationRecord.CLOSED.equals(view.getString("state"))) {
        sendClosed(w.conversationId, view.getString("outcome"), null);
      }
      return Future.succeededFuture();
    }
    if (ChatEvents.POSITION.equals(kind)) {
      JsonObject position = event.getJsonObject("frame");
      if (principal.isPatient() && !position.equals(w.lastPosition)) {
        w.lastPosition = position;
        write(position, null);
      }
      return Future.succeededFuture();
    }
    if (!id.equals(event.getString("origin"))) {
      write(event.getJsonObject("frame"), null);
    }
    return Future.succeededFuture();
  }

  /** Writes a message event in order: fills a gap from the database first, drops what was delivered. */
  private Future<Void> deliver(ConversationWatch w, JsonObject event) {
    long seq = event.getLong("seq");
    if (seq <= w.delivered) {
      return Future.succeededFuture();
    }
    Future<Void> gap = seq == w.delivered + 1 ? Future.succeededFuture()
        : chat.conversations().messagesBetween(w.conversationId, w.delivered, seq, !principal.isPatient()).map(missing -> {
          missing.forEach(m -> write(m, null));
          return null;
        });
    return gap.map(v -> {
      w.delivered = seq;
      if (!(principal.isPatient() && event.getBoolean("professionalsOnly", false))) {
        writeEncoded(event.getString("encoded"));
        chat.metrics().delivered(event.getLong("committedAt"));
      }
      return null;
    });
  }

  private Future<Void> watchQueues(String ref) {
    return Queues.servedBy(chat.pool(), principal.id()).compose(queueIds -> {
      Future<Void> all = Future.succeededFuture();
      for (String queueId : queueIds) {
        queueWatches.computeIfAbsent(queueId, q -> chat.vertx().eventBus().<String>consumer(ChatEvents.queue(q),
            msg -> writeEncoded(msg.body())));
        all = all.compose(v -> chat.waiting().snapshot(queueId).map(list -> {
          write(Frames.waitingList(list), ref);
          return null;
        }));
      }
      if (queueIds.isEmpty()) {
        write(Frames.frame("queues").put("queueIds", new JsonArray()), ref);
      }
      return all;
    });
  }

  private void requireWatching(UUID conversationId) {
    if (!watches.containsKey(conversationId)) {
      throw ApiError.forbidden("Open the conversation first");
    }
  }

  private void sendClosed(UUID conversationId, String outcome, String ref) {
    ConversationWatch w = watches.get(conversationId);
    if (w != null && w.closedSent) {
      return;
    }
    if (w != null) {
      w.closedSent = true;
    }
    write(Frames.frame("conversation.closed").put("conversationId", conversationId.toString()).put("outcome", outcome), ref);
  }

  // --- writing and closing ----------------------------------------------------------------------------------

  private void write(JsonObject frame, String ref) {
    if (!closed) {
      writeEncoded((ref == null ? frame : frame.copy().put("ref", ref)).encode());
    }
  }

  /** Writes a frame already encoded (a message event's, encoded once for all sockets). */
  private void writeEncoded(String frame) {
    if (!closed) {
      ws.writeTextMessage(frame);
    }
  }

  private void error(ApiError error, String ref) {
    chat.metrics().socketError(error.code());
    write(Frames.error(error, ref), null);
  }

  /** Sends the error and closes: for authentication failures. */
  private void fail(ApiError error) {
    if (closed) {
      return;
    }
    error(error, null);
    ws.close(CLOSE_UNAUTHENTICATED, error.code());
  }

  private void onClose() {
    if (closed) {
      return;
    }
    closed = true;
    chat.metrics().connectionClosed();
    chat.vertx().cancelTimer(authTimer);
    chat.vertx().cancelTimer(expiryTimer);
    watches.values().forEach(ConversationWatch::unregister);
    watches.clear();
    queueWatches.values().forEach(MessageConsumer::unregister);
    if (professionalConsumer != null) {
      professionalConsumer.unregister();
    }
    if (principal != null && !principal.isPatient()) {
      chat.professionalDisconnected(principal.id());
    }
  }
}
