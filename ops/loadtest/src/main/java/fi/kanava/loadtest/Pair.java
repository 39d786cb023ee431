package fi.kanava.loadtest;

import io.vertx.core.Future;

/** Two parties in one conversation (or relay room) that the saturation phase drives at a given pace. */
interface Pair {
  /** The first party sends a message every {@code intervalMs}, starting after {@code initialDelayMs}; the other answers each. */
  void startSending(long intervalMs, long initialDelayMs);

  void stopSending();

  /** Ends the conversation and closes the sockets. */
  Future<Void> finish();
}
