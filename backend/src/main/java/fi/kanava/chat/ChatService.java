package fi.kanava.chat;

import fi.kanava.auth.AccessTokens;
import fi.kanava.auth.Authenticator;
import fi.kanava.infra.KanavaConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chat feature as one node runs it: the WebSocket handshake, the services the sockets use, the
 * node's connected professionals (for presence heartbeats) and the periodic sweep.
 */
public final class ChatService {
  private static final Logger log = LoggerFactory.getLogger(ChatService.class);
  public static final String PROTOCOL = "kanava.v1";
  private static final String AUTH_PROTOCOL_PREFIX = "kanava.auth.";

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final KanavaConfig config;
  private final Authenticator authenticator;
  private final WaitingLists waiting;
  private final Conversations conversations;
  private final Routing routing;
  private final ChatMetrics metrics;
  private final Map<UUID, Integer> connectedProfessionals = new ConcurrentHashMap<>();

  public ChatService(Vertx vertx, Pool pool, Clock clock, KanavaConfig config, Authenticator authenticator,
      WaitingLists waiting, Conversations conversations, Routing routing, ChatMetrics metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.authenticator = authenticator;
    this.waiting = waiting;
    this.conversations = conversations;
    this.routing = routing;
    this.metrics = metrics;
  }

  /** Starts the node's heartbeat and sweep timers. */
  public void startTimers() {
    vertx.setPeriodic(config.routing().heartbeatInterval().toMillis(), t -> routing.heartbeat(Set.copyOf(connectedProfessionals.keySet()))
        .onFailure(e -> log.warn("Presence heartbeat failed", e)));
    // the heartbeat has its own timer: the sweep timer runs only the time rules
    vertx.setPeriodic(config.routing().sweepInterval().toMillis(), t -> routing.sweep().onFailure(e -> log.warn("Chat sweep failed", e)));
  }

  /** Heartbeat for this node's professionals, then the time-driven rules: what both timers do, at once. Tests call it after moving the clock. */
  public Future<Void> sweep() {
    return routing.heartbeat(Set.copyOf(connectedProfessionals.keySet())).compose(v -> routing.sweep());
  }

  /**
   * Accepts or refuses a WebSocket upgrade on {@code /ws}: the {@code kanava.v1} subprotocol must be
   * offered, the Origin allowed, and a token in the {@code kanava.auth.*} subprotocol (if any) valid.
   */
  public void handshake(ServerWebSocketHandshake handshake) {
    if (!"/ws".equals(handshake.path())) {
      handshake.reject(404);
      return;
    }
    String origin = handshake.headers().get("origin");
    if (origin != null && !originAllowed(origin, handshake.headers().get("host"), handshake.scheme())) {
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
    String token = offered.stream().filter(p -> p.startsWith(AUTH_PROTOCOL_PREFIX)).findFirst()
        .map(p -> p.substring(AUTH_PROTOCOL_PREFIX.length())).orElse(null);
    if (token == null) {
      handshake.accept().onSuccess(ws -> new ChatSocket(ws, this).start(null, null));
      return;
    }
    authenticator.authenticate("Bearer " + token)
        .onSuccess(principal -> handshake.accept().onSuccess(ws -> new ChatSocket(ws, this).start(principal, tokenExpiry(token))))
        .onFailure(e -> handshake.reject(401));
  }

  private boolean originAllowed(String origin, String host, String scheme) {
    if (host != null && (origin.equals("http://" + host) || origin.equals("https://" + host))) {
      return true;
    }
    return config.ws().allowedOrigins().contains(origin);
  }

  void professionalConnected(UUID id) {
    connectedProfessionals.merge(id, 1, Integer::sum);
  }

  void professionalDisconnected(UUID id) {
    if (connectedProfessionals.computeIfPresent(id, (k, n) -> n <= 1 ? null : n - 1) == null) {
      vertx.eventBus().publish(ChatEvents.DISCONNECTED, new JsonObject().put("accountId", id.toString()));
    }
  }

  Instant tokenExpiry(String token) {
    return AccessTokens.expiryOf(token);
  }

  Vertx vertx() {
    return vertx;
  }

  Pool pool() {
    return pool;
  }

  Clock clock() {
    return clock;
  }

  KanavaConfig config() {
    return config;
  }

  Authenticator authenticator() {
    return authenticator;
  }

  WaitingLists waiting() {
    return waiting;
  }

  public Conversations conversations() {
    return conversations;
  }

  public Routing routing() {
    return routing;
  }

  ChatMetrics metrics() {
    return metrics;
  }
}
