package fi.kanava.rtc;

import fi.kanava.auth.Authenticator;
import fi.kanava.infra.Http;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;

/** {@code GET /api/rtc/ice-servers} (docs/protocol.md, "Calls"): the STUN and TURN servers with the caller's own short-lived TURN credential. */
public final class RtcRoutes {
  private final TurnCredentials turn;
  private final Authenticator authenticator;

  public RtcRoutes(TurnCredentials turn, Authenticator authenticator) {
    this.turn = turn;
    this.authenticator = authenticator;
  }

  public void mount(Router router) {
    router.route("/api/rtc/*").handler(authenticator);
    router.get("/api/rtc/ice-servers").handler(Http.json(ctx -> Future.succeededFuture(new JsonObject()
        .put("iceServers", json(turn.iceServers(Authenticator.principal(ctx).id())))
        .put("ttlSeconds", turn.ttlSeconds()))));
  }

  /** ICE servers as RTCPeerConnection takes them: urls, and username and credential for a TURN server. */
  static JsonArray json(List<RtcFrames.IceServer> servers) {
    JsonArray out = new JsonArray();
    for (RtcFrames.IceServer server : servers) {
      JsonObject json = new JsonObject().put("urls", new JsonArray(server.urls()));
      if (server.username() != null) {
        json.put("username", server.username()).put("credential", server.credential());
      }
      out.add(json);
    }
    return out;
  }
}
