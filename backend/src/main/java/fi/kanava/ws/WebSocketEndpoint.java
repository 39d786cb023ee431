package fi.kanava.ws;

import fi.kanava.auth.Authenticator;
import fi.kanava.auth.VerifiedToken;
import fi.kanava.infra.AbuseMetrics;
import fi.kanava.infra.ClientAddresses;
import fi.kanava.infra.KanavaConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /ws}: accepts or refuses each WebSocket upgrade and starts a {@link ClientSocket} on it.
 * The {@code kanava.v1} subprotocol must be offered, the Origin allowed, and a token in a
 * {@code kanava.auth.*} subprotocol (if any) valid; without one the client sends an {@code auth}
 * frame first.
 */
public final class WebSocketEndpoint {
  private static final Logger log = LoggerFactory.getLogger(WebSocketEndpoint.class);
  public static final String PROTOCOL = "kanava.v1";
  private static final String AUTH_PROTOCOL_PREFIX = "kanava.auth.";

  private final Vertx vertx;
  private final Clock clock;
  private final KanavaConfig.Ws config;
  private final Authenticator authenticator;
  private final SocketIdentity identity;
  private final FrameRegistry registry;
  private final SocketMetrics metrics;
  private final ClientAddresses addresses;
  private final PrincipalSockets sockets;
  private final NodeFanout fanout;

  /** The registry must hold every feature's frames already; the endpoint adds the socket's own and seals it. */
  public WebSocketEndpoint(Vertx vertx, Clock clock, KanavaConfig.Ws config, Authenticator authenticator, SocketIdentity identity,
      FrameRegistry registry, SocketMetrics metrics, ClientAddresses addresses, int socketsPerPrincipal, AbuseMetrics abuseMetrics) {
    this.vertx = vertx;
    this.clock = clock;
    this.config = config;
    this.authenticator = authenticator;
    this.identity = identity;
    this.registry = registry;
    this.metrics = metrics;
    this.addresses = addresses;
    this.sockets = new PrincipalSockets(socketsPerPrincipal, abuseMetrics);
    this.fanout = new NodeFanout(vertx);
  }

  /** A registry holding the socket layer's own frames ({@code auth}, {@code ping}); features add theirs. */
  public static FrameRegistry newRegistry() {
    FrameRegistry registry = new FrameRegistry();
    SocketFrames.register(registry);
    return registry;
  }

  public void handshake(ServerWebSocketHandshake handshake) {
    if (!"/ws".equals(handshake.path())) {
      handshake.reject(404);
      return;
    }
    String origin = handshake.headers().get("origin");
    if (origin != null && !originAllowed(origin, handshake.headers().get("host"))) {
      log.info("WebSocket from a disallowed origin {} refused", origin);
      handshake.reject(403);
      return;
    }
    List<String> offered = Arrays.stream(String.valueOf(handshake.headers().get("sec-websocket-protocol")).split(","))
        .map(String::strip).toList();
    if (!offered.contains(PROTOCOL)) {
      handshake.reject(400);
      return;
    }
    String clientAddress = addresses.of(handshake.remoteAddress(), handshake.headers());
    String token = offered.stream().filter(p -> p.startsWith(AUTH_PROTOCOL_PREFIX)).findFirst()
        .map(p -> p.substring(AUTH_PROTOCOL_PREFIX.length())).orElse(null);
    if (token == null) {
      handshake.accept().onSuccess(ws -> open(ws, clientAddress, null));
      return;
    }
    authenticator.verify("Bearer " + token)
        .onSuccess(verified -> handshake.accept().onSuccess(ws -> open(ws, clientAddress, verified)))
        .onFailure(e -> handshake.reject(401));
  }

  private void open(ServerWebSocket ws, String clientAddress, VerifiedToken verified) {
    WebSocketTrim.trim(ws);
    new ClientSocket(ws, this, clientAddress).start(verified);
  }

  private boolean originAllowed(String origin, String host) {
    if (host != null && (origin.equals("http://" + host) || origin.equals("https://" + host))) {
      return true;
    }
    return config.allowedOrigins().contains(origin);
  }

  Vertx vertx() {
    return vertx;
  }

  Clock clock() {
    return clock;
  }

  KanavaConfig.Ws config() {
    return config;
  }

  Authenticator authenticator() {
    return authenticator;
  }

  SocketIdentity identity() {
    return identity;
  }

  FrameRegistry registry() {
    return registry;
  }

  SocketMetrics metrics() {
    return metrics;
  }

  /** This node's one consumer per address, shared by its sockets. */
  NodeFanout fanout() {
    return fanout;
  }

  PrincipalSockets sockets() {
    return sockets;
  }
}
