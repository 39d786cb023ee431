package fi.kanava.ws;

import fi.kanava.auth.Principal;
import io.vertx.core.Vertx;
import java.util.function.Supplier;

/**
 * What a feature's frame handlers and lifecycle hooks see of one WebSocket connection. The socket
 * knows no feature: a feature keeps its own per-connection state with {@link #local} and cleans up
 * in {@link #onClose}.
 */
public interface SocketSession {
  /** This connection's id (for logs, and to keep a socket's own signals from echoing back). */
  String id();

  /** Who is connected; never null once the session is ready. */
  Principal principal();

  /** The client's address as {@link fi.kanava.infra.ClientAddresses} saw it at the handshake (for per-address limits). */
  String clientAddress();

  /** The principal's name and role as frames show them. */
  fi.kanava.auth.Profile profile();

  Vertx vertx();

  /** Writes a server frame ({@link ServerFrame} record or JSON) without a ref. */
  void send(Object frame);

  /** Writes a reply to a request, with its ref, before anything else the handler writes (history after a view, say). */
  void reply(Object frame, String ref);

  /** Writes a frame already encoded as JSON text (one encoding shared by many sockets). */
  void sendEncoded(String frame);

  /** Writes an error frame; the connection stays open. */
  void sendError(fi.kanava.infra.ApiError error, String ref);

  /**
   * Delivers the events published to an event-bus address, on any node, to this connection's
   * {@code handler}, on its event loop, until the subscription is unregistered. This node keeps one
   * consumer per address for all its sockets ({@link NodeFanout}); unregister in {@link #onClose}.
   */
  <T> NodeFanout.Subscription subscribe(String address, io.vertx.core.Handler<T> handler);

  /** The feature's state for this connection, created on first use. */
  <T> T local(Class<T> key, Supplier<T> create);

  /** Runs when the connection closes (in registration order). */
  void onClose(Runnable cleanup);

  /** Closes the connection: the principal may no longer be connected (token expired, account disabled). */
  void end(fi.kanava.infra.ApiError reason);

  boolean isClosed();
}
