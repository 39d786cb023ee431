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
    toPrincipal(bus, principalId, frame, null);
  }

  /** Writes the frame to every socket of the principal but {@code originSocket} (which has its reply already). */
  public static void toPrincipal(EventBus bus, UUID principalId, JsonObject frame, String originSocket) {
    bus.publish(PrincipalEvents.personal(principalId), new JsonObject().put("frame", frame).put("origin", originSocket));
  }
}
