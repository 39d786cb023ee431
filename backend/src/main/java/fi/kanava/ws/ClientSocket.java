package fi.kanava.ws;

import fi.kanava.auth.Principal;
import fi.kanava.auth.PrincipalEvents;
import fi.kanava.auth.VerifiedToken;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.RateLimiter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One WebSocket connection: authenticates (in the handshake or with a first {@code auth} frame),
 * decodes each frame once through the {@link FrameRegistry}, applies the rate limit and the
 * registered senders, runs the feature's handler and writes its result. It knows no feature:
 * features keep their per-connection state in {@link #local} and clean up in {@link #onClose}.
 * Errors go back as error frames and the connection stays usable, except for authentication
 * failures, which close it.
 */
final class ClientSocket implements SocketSession {
  private static final Logger log = LoggerFactory.getLogger(ClientSocket.class);
  static final short CLOSE_UNAUTHENTICATED = 4401;
  /** Closed to make room for a newer socket of the same principal (abuse.sockets-per-principal). */
  static final short CLOSE_TOO_MANY_SOCKETS = 4429;
  /** RFC 6455's "try again later": the database is busy or away; reconnect after a pause. */
  static final short CLOSE_TRY_AGAIN_LATER = 1013;
  /** RFC 6455's "internal error". */
  static final short CLOSE_INTERNAL_ERROR = 1011;

  /** 4401 when the principal must authenticate again; otherwise a code that tells the client to come back. */
  static short closeCode(ApiError reason) {
    return switch (reason.status()) {
      case 401 -> CLOSE_UNAUTHENTICATED;
      case 503 -> CLOSE_TRY_AGAIN_LATER;
      default -> CLOSE_INTERNAL_ERROR;
    };
  }

  private final ServerWebSocket ws;
  private final WebSocketEndpoint endpoint;
  private final String clientAddress;
  private final io.vertx.core.Context context;
  private final String id = UUID.randomUUID().toString();
  private final RateLimiter limiter;
  // sized for what a socket holds (a handful of features' state and hooks): every open socket has these
  private final Map<Class<?>, Object> locals = new HashMap<>(4);
  private final List<Runnable> closeHooks = new ArrayList<>(2);
  private Principal principal;
  /** The token the socket was (last) authenticated with: its session and issue time decide which revocations end it. */
  private VerifiedToken token;
  private fi.kanava.auth.Profile profile;
  private boolean ready;
  /** Frames that came after authentication but before the features were ready (null until there is one). */
  private List<ClientFrame> early;
  private NodeFanout.Subscription principalConsumer;
  private long authTimer = -1;
  private long expiryTimer = -1;
  private boolean closed;

  ClientSocket(ServerWebSocket ws, WebSocketEndpoint endpoint, String clientAddress) {
    this.ws = ws;
    this.endpoint = endpoint;
    this.clientAddress = clientAddress;
    this.context = endpoint.vertx().getOrCreateContext();
    var config = endpoint.config();
    this.limiter = new RateLimiter(config.rateLimitPerSecond(), config.rateLimitBurst(), System::nanoTime);
  }

  /** Starts the connection, already authenticated during the handshake or (null) waiting for an auth frame. */
  void start(VerifiedToken authenticated) {
    endpoint.metrics().opened();
    ws.textMessageHandler(this::onText);
    ws.binaryMessageHandler(b -> sendError(FrameRegistry.malformed("Frames are JSON text"), null));
    ws.closeHandler(v -> onClosed());
    ws.exceptionHandler(e -> log.debug("WebSocket {} failed: {}", id, e.getMessage()));
    if (authenticated != null) {
      ready(authenticated).onFailure(this::readyFailed);
    } else {
      Duration timeout = endpoint.config().authTimeout();
      authTimer = vertx().setTimer(timeout.toMillis(), t -> {
        if (principal == null) {
          end(ApiError.unauthenticated("unauthenticated", "Authenticate within " + timeout.toSeconds() + " seconds"));
        }
      });
    }
  }

  private void onText(String text) {
    if (closed) {
      return;
    }
    int max = endpoint.config().maxFrameBytes();
    if (text.length() > max / 4 && text.getBytes(StandardCharsets.UTF_8).length > max) {
      sendError(ApiError.badRequest("frame_too_large", "Frames are at most " + max + " bytes"), FrameRegistry.refOf(text));
      return;
    }
    if (!limiter.tryAcquire()) {
      // the frame is dropped, unread but for its ref, so the sender knows which frame to send again and when
      long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(limiter.nanosUntilAvailable()) + 1);
      sendError(new ApiError(429, "rate_limited", "Too many frames; send this one again later").with("retryAfterMs", waitMs),
          FrameRegistry.refOf(text));
      return;
    }
    ClientFrame frame;
    try {
      frame = endpoint.registry().decode(text);
    } catch (FrameRegistry.DecodeError e) {
      sendError(e.error(), e.ref());
      return;
    }
    if (frame instanceof SocketFrames.Auth auth) {
      reauthenticate(auth).onFailure(e -> reject(frame, e));
      return;
    }
    if (principal == null) {
      end(ApiError.unauthenticated("unauthenticated", "Send an auth frame first"), frame.ref(), CLOSE_UNAUTHENTICATED);
      return;
    }
    if (!ready) {
      // authenticated, but the features are still setting the connection up: handled once they are done, in order
      if (early == null) {
        early = new ArrayList<>(2);
      }
      early.add(frame);
      return;
    }
    dispatch(endpoint.registry().registrationOf(frame), frame);
  }

  private <F extends ClientFrame> void dispatch(FrameRegistry.Registration<F> registration, F frame) {
    if (!registration.senders().admits().test(principal)) {
      ApiError refusal = ApiError.forbidden("The frame " + registration.type() + " is for " + registration.senders().description());
      refused(registration.type(), frame).onComplete(done -> sendError(refusal, frame.ref()));
      return;
    }
    Future<FrameResult> handled;
    try {
      handled = registration.handler().handle(this, frame);
    } catch (ApiError e) {
      handled = Future.failedFuture(e);
    }
    handled.onSuccess(result -> {
      if (result instanceof FrameResult.Reply reply) {
        write(reply.frame(), frame.ref());
      } else if (result instanceof FrameResult.Rejected rejected) {
        sendError(rejected.error(), frame.ref());
      }
    }).onFailure(e -> reject(frame, e));
  }

  /** The features' refusal hooks (their audit), in order; the refusal goes out even if one fails. */
  private Future<Void> refused(String type, ClientFrame frame) {
    Future<Void> hooks = Future.succeededFuture();
    for (FrameRegistry.RefusalHook hook : endpoint.registry().refusalHooks()) {
      hooks = hooks.compose(v -> hook.refused(this, type, frame));
    }
    return hooks.recover(e -> {
      log.error("Recording the refusal of {} on socket {} failed", type, id, e);
      return Future.succeededFuture();
    });
  }

  private void reject(ClientFrame frame, Throwable e) {
    ApiError busy = e instanceof ApiError ? null : fi.kanava.infra.DatabaseErrors.busyOrNull(e);
    if (e instanceof ApiError api) {
      sendError(api, frame.ref());
    } else if (busy != null) {
      log.warn("A database wait ran out for frame {} on socket {}: {}", frame.getClass().getSimpleName(), id, e.getMessage());
      sendError(busy, frame.ref());
    } else {
      log.error("Frame {} failed on socket {}", frame.getClass().getSimpleName(), id, e);
      sendError(ApiError.internal(), frame.ref());
    }
  }

  // --- authentication ----------------------------------------------------------------------------------

  private Future<Void> reauthenticate(SocketFrames.Auth auth) {
    return endpoint.authenticator().verify("Bearer " + auth.token()).compose(verified -> {
      if (principal == null) {
        vertx().cancelTimer(authTimer);
        return ready(verified).recover(e -> {
          readyFailed(e);
          return Future.succeededFuture();
        });
      }
      if (!verified.principal().id().equals(principal.id())) {
        return Future.failedFuture(ApiError.forbidden("The token is for someone else"));
      }
      token = verified;
      scheduleExpiry(verified.expiresAt());
      write(new SocketFrames.AuthOk(verified.expiresAt().toString()), auth.ref());
      return Future.succeededFuture();
    }).recover(e -> {
      if (principal == null) {
        end(e instanceof ApiError api ? api : ApiError.unauthenticated("invalid_token", "The access token is not valid"), auth.ref(), CLOSE_UNAUTHENTICATED);
        return Future.succeededFuture();
      }
      return Future.failedFuture(e);
    });
  }

  private Future<Void> ready(VerifiedToken verified) {
    if (closed) {
      return Future.succeededFuture();
    }
    Principal p = verified.principal();
    this.principal = p;
    endpoint.sockets().add(p.id(), this);
    this.token = verified;
    scheduleExpiry(verified.expiresAt());
    principalConsumer = subscribe(PrincipalEvents.personal(p.id()), (JsonObject body) -> {
      JsonObject end = body.getJsonObject("end");
      if (end != null) {
        // a revocation: of this socket's session, or of every token issued until then
        if (PrincipalEvents.Which.fromJson(body.getJsonObject("which")).matches(token)) {
          end(ApiError.unauthenticated(end.getString("code"), end.getString("message")));
        }
      } else if (ready && !id.equals(body.getString("origin"))) {
        send(body.getJsonObject("frame"));
      }
    });
    // the ready hooks read what is pending (offers, say) only once whatever comes later, from any node, reaches this socket
    return principalConsumer.completion().compose(v -> endpoint.identity().profile(p)).compose(loaded -> {
      profile = loaded;
      write(new SocketFrames.Ready(1, new SocketFrames.You(p.kind().code(), p.id().toString(), loaded.name(), loaded.role())), null);
      Future<Void> hooks = Future.succeededFuture();
      for (Function<SocketSession, Future<Void>> hook : endpoint.registry().readyHooks()) {
        hooks = hooks.compose(v -> closed ? Future.succeededFuture() : hook.apply(this));
      }
      return hooks;
    }).onSuccess(v -> {
      ready = true;
      if (!closed && early != null) {
        early.forEach(frame -> dispatch(endpoint.registry().registrationOf(frame), frame));
      }
      early = null;
    });
  }

  private void readyFailed(Throwable e) {
    if (e instanceof ApiError api && api.status() == 401) {
      // the principal may not connect (account disabled): say so, as when their open sockets were ended
      end(api);
      return;
    }
    ApiError busy = fi.kanava.infra.DatabaseErrors.busyOrNull(e);
    if (busy != null) {
      // the database is away for a moment: the client should come back, not sign in again
      log.warn("Setting up socket {} failed: the database is busy or unavailable", id);
      end(busy);
      return;
    }
    log.error("Setting up socket {} failed", id, e);
    end(ApiError.internal());
  }

  private void scheduleExpiry(Instant expiresAt) {
    if (expiryTimer >= 0) {
      vertx().cancelTimer(expiryTimer);
    }
    long delay = Math.max(1, Duration.between(endpoint.clock().instant(), expiresAt).toMillis());
    expiryTimer = vertx().setTimer(delay, t -> end(ApiError.unauthenticated("token_expired", "The access token expired; refresh and reconnect")));
  }

  // --- the session, as features see it -------------------------------------------------------------------

  @Override
  public String id() {
    return id;
  }

  @Override
  public Principal principal() {
    return principal;
  }

  @Override
  public String clientAddress() {
    return clientAddress;
  }

  @Override
  public fi.kanava.auth.Profile profile() {
    return profile;
  }

  @Override
  public Vertx vertx() {
    return endpoint.vertx();
  }

  @Override
  public void send(Object frame) {
    write(frame, null);
  }

  @Override
  public void reply(Object frame, String ref) {
    write(frame, ref);
  }

  @Override
  public void sendEncoded(String frame) {
    if (!closed) {
      ws.writeTextMessage(frame);
    }
  }

  @Override
  public void sendError(ApiError error, String ref) {
    endpoint.metrics().error(error.code());
    write(ServerFrames.error(error, ref), null);
  }

  @Override
  public <T> NodeFanout.Subscription subscribe(String address, io.vertx.core.Handler<T> handler) {
    return endpoint.fanout().subscribe(address, handler);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T local(Class<T> key, Supplier<T> create) {
    return (T) locals.computeIfAbsent(key, k -> create.get());
  }

  @Override
  public void onClose(Runnable cleanup) {
    if (closed) {
      // the socket closed while the caller was still setting something up: clean it up now
      cleanup.run();
      return;
    }
    closeHooks.add(cleanup);
  }

  @Override
  public void end(ApiError reason) {
    end(reason, null, closeCode(reason));
  }

  /** Sends the error (answering the frame {@code ref}, if one caused it) and closes the socket with the code. */
  private void end(ApiError reason, String ref, short closeCode) {
    if (closed) {
      return;
    }
    sendError(reason, ref);
    ws.close(closeCode, reason.code());
  }

  /** A newer socket of the same principal took this one's place ({@link PrincipalSockets}); may be called from any thread. */
  void replaced() {
    context.runOnContext(v -> end(new ApiError(429, "too_many_sockets",
        "Too many open connections of yours: this one, the oldest, was closed"), null, CLOSE_TOO_MANY_SOCKETS));
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  private void write(Object frame, String ref) {
    if (!closed) {
      ws.writeTextMessage(ServerFrames.encode(frame, ref));
    }
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    endpoint.metrics().closed();
    if (principal != null) {
      endpoint.sockets().remove(principal.id(), this);
    }
    vertx().cancelTimer(authTimer);
    vertx().cancelTimer(expiryTimer);
    if (principalConsumer != null) {
      principalConsumer.unregister();
    }
    for (Runnable hook : closeHooks) {
      try {
        hook.run();
      } catch (RuntimeException e) {
        log.warn("Cleaning up socket {} failed", id, e);
      }
    }
  }
}
