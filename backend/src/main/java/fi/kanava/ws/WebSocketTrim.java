package fi.kanava.ws;

import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.lang.reflect.Field;
import java.util.EnumSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets go of what Vert.x 5 keeps for each open WebSocket without needing it: about 12 of the 18 KB of
 * heap that an idle patient socket cost (issue 14).
 *
 * <ul>
 *   <li>{@link Trim#UPGRADE}: the WebSocket's channel handler keeps the factory it was built from
 *       after its one use, and that factory holds the handshake and the HTTP/1.1 connection the
 *       upgrade came on: a second, dead connection with its own outbound queue, the upgrade request
 *       and response with their headers, the request metric. The field is cleared; the factory is
 *       never called again once the handler is in the pipeline.
 *   <li>{@link Trim#HEADERS}: the socket's copy of the upgrade request's headers (what {@code
 *       headers()} returns), among them the {@code kanava.auth.*} subprotocol, the access token. The
 *       endpoint reads them during the handshake only; they are emptied.
 *   <li>{@link Trim#OUTBOUND_QUEUE}: each connection's outbound message queue is a JCTools queue with a
 *       first chunk of 1,024 slots and cache-line padding (4.7 KB), though an idle socket never queues
 *       anything and a busy one rarely more than a few frames. Vert.x only adds to it (from any thread)
 *       and polls it (on the event loop), its own counter deciding who drains. It is swapped, while
 *       still empty and before anyone else can write to the socket, for a {@link ConcurrentLinkedQueue}
 *       (lock-free, safe for many producers, about 50 bytes when empty, a small node per queued frame).
 * </ul>
 *
 * <p>This reaches into private fields of Vert.x's {@code io.vertx.core.net.impl} and {@code
 * io.vertx.core.http.impl} classes (Vert.x 5.0.10, unchanged on its main branch). If an upgrade moves
 * one, the socket works exactly as before and only keeps the memory: that is logged once, and {@code
 * WebSocketTrimTest} fails, so whoever upgrades looks here again. Call {@link #trim} on the socket's
 * event loop, right after the handshake, before the socket is handed to anyone.
 */
final class WebSocketTrim {
  private static final Logger log = LoggerFactory.getLogger(WebSocketTrim.class);

  enum Trim { UPGRADE, HEADERS, OUTBOUND_QUEUE }

  private static final Field HANDLER_FACTORY = field("io.vertx.core.net.impl.VertxHandler", "connectionFactory");
  private static final Field SOCKET_CONNECTION = field("io.vertx.core.http.impl.WebSocketImplBase", "conn");
  private static final Field CONNECTION_OUTBOUND = field("io.vertx.core.net.impl.VertxConnection", "outboundMessageQueue");
  private static final Field OUTBOUND_QUEUE = field("io.vertx.core.internal.concurrent.OutboundMessageQueue", "mqp");
  private static final Field PASSING_QUEUE = field("io.vertx.core.streams.impl.MessagePassingQueue", "queue");

  private WebSocketTrim() {}

  /** Trims the socket; returns what was trimmed (all three with the Vert.x this was written for). */
  static Set<Trim> trim(ServerWebSocket ws) {
    Set<Trim> done = EnumSet.noneOf(Trim.class);
    if (!(ws instanceof WebSocketInternal internal) || internal.channelHandlerContext() == null) {
      return done;
    }
    ChannelHandlerContext ctx = internal.channelHandlerContext();
    if (!ctx.executor().inEventLoop()) {
      return done;
    }
    if (HANDLER_FACTORY != null && HANDLER_FACTORY.getDeclaringClass().isInstance(ctx.handler()) && set(HANDLER_FACTORY, ctx.handler(), null)) {
      done.add(Trim.UPGRADE);
    }
    try {
      ws.headers().clear();
      done.add(Trim.HEADERS);
    } catch (RuntimeException e) {
      // read-only in some later Vert.x: kept
    }
    if (smallerOutboundQueue(ws)) {
      done.add(Trim.OUTBOUND_QUEUE);
    }
    return done;
  }

  private static boolean smallerOutboundQueue(ServerWebSocket ws) {
    Object passing = get(OUTBOUND_QUEUE, get(CONNECTION_OUTBOUND, get(SOCKET_CONNECTION, ws)));
    if (!(get(PASSING_QUEUE, passing) instanceof Queue<?> queue) || !queue.isEmpty()) {
      return false;
    }
    return set(PASSING_QUEUE, passing, new ConcurrentLinkedQueue<>());
  }

  private static Object get(Field f, Object target) {
    if (f == null || !f.getDeclaringClass().isInstance(target)) {
      return null;
    }
    try {
      return f.get(target);
    } catch (IllegalAccessException e) {
      return null;
    }
  }

  private static boolean set(Field f, Object target, Object value) {
    try {
      f.set(target, value);
      return true;
    } catch (IllegalAccessException e) {
      return false;
    }
  }

  private static Field field(String className, String name) {
    try {
      Field f = Class.forName(className).getDeclaredField(name);
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("Open WebSockets keep memory they do not need with this Vert.x: {}.{} is not there to trim ({})", className, name,
          e.toString());
      return null;
    }
  }
}
