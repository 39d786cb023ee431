package fi.kanava.ws;

import fi.kanava.auth.PrincipalEvents;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** Sending frames to every socket of a principal, on every node, through their personal address ({@link PrincipalEvents}). */
public final class SocketEvents {
  private SocketEvents() {}

  /** Writes the frame to every socket of the principal. */
  public static void toPrincipal(EventBus bus, UUID principalId, JsonObject frame) {
    bus.publish(PrincipalEvents.personal(principalId), new JsonObject().put("frame", frame));
  }
}
