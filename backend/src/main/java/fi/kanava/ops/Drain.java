package fi.kanava.ops;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A node that is being stopped drains first: from {@link #begin()} on, {@code /health/ready} answers
 * 503 {@code draining}, so a load balancer's health check takes the node out of rotation and sends
 * it no new connections, while the requests and sockets it already serves go on until the node
 * stops. Stopping then closes the sockets, and their clients reconnect (through the load balancer,
 * to another node) and resume from the last sequence number they hold. Draining is never undone:
 * a drained node is on its way down.
 */
public final class Drain {
  private final AtomicBoolean draining = new AtomicBoolean();

  /** Starts draining; true the first time, false when the node was draining already. */
  public boolean begin() {
    return draining.compareAndSet(false, true);
  }

  public boolean draining() {
    return draining.get();
  }
}
