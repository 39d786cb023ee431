package fi.kanava.ws;

import fi.kanava.infra.ApiError;
import io.vertx.core.Future;

/** The socket layer's own frames: {@code auth} and {@code ping}, and the server's {@code ready}, {@code auth.ok} and {@code pong}. */
public final class SocketFrames {
  private SocketFrames() {}

  /** Registers {@code auth} (handled by the socket itself) and {@code ping}. */
  static void register(FrameRegistry registry) {
    registry.register("auth", Auth.class, Senders.ANYONE, (s, f) -> Future.failedFuture(new IllegalStateException("handled by the socket")));
    registry.register("ping", Ping.class, Senders.ANYONE, (s, f) -> Future.succeededFuture(FrameResult.reply(new ServerFrames.Pong())));
  }

  public record Auth(String ref, String token) implements ClientFrame {
    public Auth {
      ref = Fields.ref(ref);
      token = Fields.required(token, "token");
    }

    @Override
    public String toString() {
      return "Auth[****]";
    }
  }

  /** A liveness check on a poor connection; answered with {@code pong}. */
  public record Ping(String ref) implements ClientFrame {
    public Ping {
      ref = Fields.ref(ref);
    }
  }

  public record You(String kind, String id, String name, String role) {}

  public record Ready(int v, You you) implements ServerFrame {
    @Override
    public String type() {
      return "ready";
    }
  }

  public record AuthOk(String expiresAt) implements ServerFrame {
    @Override
    public String type() {
      return "auth.ok";
    }
  }

  /** Field checks shared by every frame record. */
  public static final class Fields {
    private Fields() {}

    public static String ref(String ref) {
      if (ref != null && ref.length() > 64) {
        throw FrameRegistry.malformed("'ref' is longer than 64 characters");
      }
      return ref;
    }

    public static <T> T required(T value, String field) {
      if (value == null) {
        throw FrameRegistry.malformed("'" + field + "' is required");
      }
      return value;
    }

    public static ApiError malformed(String message) {
      return FrameRegistry.malformed(message);
    }
  }
}
