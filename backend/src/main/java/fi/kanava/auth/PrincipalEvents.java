package fi.kanava.auth;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Each principal's personal event-bus address: every socket of theirs, on every node, listens on
 * it. Features send a principal frames there ({@code fi.kanava.ws.SocketEvents}); account
 * administration ends all their sessions' sockets through it.
 */
public final class PrincipalEvents {
  private static final String PERSONAL = "kanava.principal.";

  private PrincipalEvents() {}

  public static String personal(UUID id) {
    return PERSONAL + id;
  }

  /** Ends every socket of the principal (account disabled), with this error code. */
  public static void endSessions(EventBus bus, UUID principalId, String code, String message) {
    bus.publish(personal(principalId), new JsonObject().put("end", new JsonObject().put("code", code).put("message", message)));
  }
}
