package fi.kanava.presence;

import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;
import fi.kanava.ws.SocketFrames.Fields;
import fi.kanava.ws.SocketSession;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Presence on the socket: each professional socket is a device; the {@code presence} frame sets its status. */
public final class PresenceSockets {
  private static final Logger log = LoggerFactory.getLogger(PresenceSockets.class);
  private final Presence presence;

  public PresenceSockets(Presence presence) {
    this.presence = presence;
  }

  /** {@code presence}: this device's status; the reply (and every device's copy) is the account's. */
  public record SetStatus(String ref, String status) implements ClientFrame {
    public SetStatus {
      ref = Fields.ref(ref);
      status = Fields.required(status, "status");
      if (!PresenceStatus.isValid(status)) {
        throw Fields.malformed("'status' must be available, busy, away or offline");
      }
    }
  }

  public void register(FrameRegistry registry) {
    registry.onReady(this::ready);
    registry.register("presence", SetStatus.class, Senders.PROFESSIONALS,
        (s, f) -> presence.setStatus(s.principal().id(), s.id(), f.status()).map(FrameResult::reply));
  }

  private Future<Void> ready(SocketSession s) {
    if (!Senders.PROFESSIONALS.admits().test(s.principal())) {
      return Future.succeededFuture();
    }
    s.onClose(() -> presence.disconnected(s.principal().id(), s.id())
        .onFailure(e -> {
          if ("Pool closed".equals(e.getMessage())) {
            // the node is shutting down: the nodes that stay forget its devices once its lease has run out (routing.node-lease)
            log.debug("Device {} of {} left as the node stopped", s.id(), s.principal().id());
          } else {
            log.warn("Could not forget device {} of {}", s.id(), s.principal().id(), e);
          }
        }));
    return presence.connected(s.principal().id(), s.id());
  }
}
