package fi.kanava.ws;

import io.vertx.core.Future;

/** Handles one decoded frame of a registered type for one socket. */
@FunctionalInterface
public interface FrameHandler<F extends ClientFrame> {
  Future<FrameResult> handle(SocketSession session, F frame);
}
