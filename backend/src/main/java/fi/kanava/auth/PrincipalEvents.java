package fi.kanava.auth;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.UUID;

/**
 * Each principal's personal event-bus address: every socket of theirs, on every node, listens on
 * it. Features send a principal frames there ({@code fi.kanava.ws.SocketEvents}); revocations
 * ({@link Revocations}) end their sockets through it.
 */
public final class PrincipalEvents {
  private static final String PERSONAL = "kanava.principal.";

  private PrincipalEvents() {}

  public static String personal(UUID id) {
    return PERSONAL + id;
  }

  /**
   * Which of the principal's sockets end: those of one session, or those whose token was issued
   * at or before a time (every socket open at that time).
   */
  public record Which(UUID sessionId, Instant issuedUpTo) {
    public static Which session(UUID sessionId) {
      return new Which(sessionId, null);
    }

    public static Which issuedUpTo(Instant time) {
      return new Which(null, time);
    }

    /** Whether a socket authenticated with this token ends. */
    public boolean matches(VerifiedToken token) {
      if (sessionId != null) {
        return sessionId.equals(token.sessionId());
      }
      return token.issuedAt().getEpochSecond() <= issuedUpTo.getEpochSecond();
    }

    JsonObject toJson() {
      return sessionId != null ? new JsonObject().put("session", sessionId.toString())
          : new JsonObject().put("issuedUpTo", issuedUpTo.getEpochSecond());
    }

    public static Which fromJson(JsonObject json) {
      String session = json.getString("session");
      return session != null ? session(UUID.fromString(session)) : issuedUpTo(Instant.ofEpochSecond(json.getLong("issuedUpTo")));
    }
  }

  /**
   * Ends the principal's sockets that {@code which} selects, with this error code: on every node
   * the event bus reaches, or ({@code localOnly}) on this node only, for a revocation that every
   * node reads from the database by itself.
   */
  public static void endSessions(EventBus bus, UUID principalId, String code, String message, Which which, boolean localOnly) {
    JsonObject body = new JsonObject().put("end", new JsonObject().put("code", code).put("message", message)).put("which", which.toJson());
    bus.publish(personal(principalId), body, new DeliveryOptions().setLocalOnly(localOnly));
  }
}
