package fi.kanava.ws;

import io.netty.channel.ChannelHandler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets go of what Vert.x keeps of the HTTP upgrade for as long as a WebSocket stays open.
 *
 * <p>Vert.x 5 (5.0.10, and its main branch) builds the WebSocket's channel handler from a factory
 * that captures the handshake and the HTTP/1.1 connection the upgrade arrived on, and the handler
 * keeps that factory in a field after its one use. So every open WebSocket holds on to a second,
 * dead connection (with its own 4 KB outbound queue), the upgrade request and response with all
 * their headers (among them the {@code kanava.auth.*} subprotocol, the access token), the request
 * metric and the handshaker: about 6 KB of heap per idle socket, a third of what one costs. The
 * factory is never called again once the handler is in the pipeline, so clearing it changes nothing
 * else; everything the socket uses (its connection, context, headers copy) is held elsewhere.
 *
 * <p>This reaches into one private field of {@code io.vertx.core.net.impl.VertxHandler}. If a Vert.x
 * upgrade renames it, the socket works exactly as before and only keeps the extra memory: that is
 * logged once, and {@code UpgradeReleaseTest} fails, so whoever upgrades looks here again.
 */
final class UpgradeRelease {
  private static final Logger log = LoggerFactory.getLogger(UpgradeRelease.class);
  private static final String HANDLER_CLASS = "io.vertx.core.net.impl.VertxHandler";
  private static final Field FACTORY = factoryField();

  private UpgradeRelease() {}

  /** Clears the upgrade factory of the socket's handler; true if it was there to clear. Call on the socket's event loop. */
  static boolean release(ServerWebSocket ws) {
    if (FACTORY == null || !(ws instanceof WebSocketInternal internal) || internal.channelHandlerContext() == null) {
      return false;
    }
    ChannelHandler handler = internal.channelHandlerContext().handler();
    if (!FACTORY.getDeclaringClass().isInstance(handler)) {
      return false;
    }
    try {
      FACTORY.set(handler, null);
      return true;
    } catch (IllegalAccessException e) {
      return false;
    }
  }

  /** Whether this Vert.x has the field that {@link #release} clears. */
  static boolean available() {
    return FACTORY != null;
  }

  private static Field factoryField() {
    try {
      Field f = Class.forName(HANDLER_CLASS).getDeclaredField("connectionFactory");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn("This Vert.x keeps each WebSocket's HTTP upgrade in memory (about 6 KB per socket): {} has no field"
          + " connectionFactory to clear ({})", HANDLER_CLASS, e.toString());
      return null;
    }
  }
}
