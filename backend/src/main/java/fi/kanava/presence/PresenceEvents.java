package fi.kanava.presence;

/** Event-bus addresses of presence. */
public final class PresenceEvents {
  /**
   * Node-local request: a professional's status changed, {@code {accountId, status, previous}}.
   * Routing answers once it has acted (handed the conversations back on offline, offered work on
   * available), so the reply to the professional shows the result.
   */
  public static final String CHANGED = "kanava.presence.changed";
  /** A professional's status changed (after routing acted), cluster-wide: {@code {"status"}}, no person; for live figures. */
  public static final String STATUS = "kanava.presence.status";
  /** A professional's last socket on this node closed (node-local): {@code {"accountId"}}. */
  public static final String DISCONNECTED = "kanava.presence.disconnected";
  /**
   * {@link #CHANGED} and {@link #DISCONNECTED} stay on the node that saw the change: with a clustered
   * bus, routing acts on a presence change once, on that node (PostgreSQL decides what it assigns).
   */
  static final io.vertx.core.eventbus.DeliveryOptions NODE_LOCAL = new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true);

  private PresenceEvents() {}
}
