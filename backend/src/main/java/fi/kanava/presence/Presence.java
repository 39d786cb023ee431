package fi.kanava.presence;

import fi.kanava.infra.KanavaConfig;
import fi.kanava.infra.Timestamps;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is available, per device. Each console socket is a device with its own status; the
 * account's status ({@code professional_presence}, which routing reads) is the most available of
 * its devices. So a professional signed in on two devices who goes offline on one keeps their
 * conversations while the other is online, and every device is told the account's status. Nodes
 * heartbeat their connected devices; a professional no node has seen within the grace goes
 * offline. Owns the SQL of {@code professional_presence} and {@code professional_device}.
 */
public final class Presence {
  private static final Logger log = LoggerFactory.getLogger(Presence.class);
  /** Most available first. */
  private static final List<String> RANK = List.of(PresenceStatus.AVAILABLE, PresenceStatus.BUSY, PresenceStatus.AWAY, PresenceStatus.OFFLINE);

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final KanavaConfig.Routing config;
  /** This node's devices: device id → account. */
  private final Map<String, UUID> devices = new ConcurrentHashMap<>();
  private final NodeLease lease;
  private final PresenceMetrics metrics;

  public Presence(Vertx vertx, Pool pool, Clock clock, KanavaConfig.Routing config, PresenceMetrics metrics) {
    this.metrics = metrics;
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.lease = new NodeLease(pool, clock, config.nodeLease());
  }

  /** This node's id in {@code presence_node}, which its devices carry. */
  public UUID nodeId() {
    return lease.id();
  }

  /** The node takes its lease before it accepts sockets: its devices carry its id. */
  public Future<Void> start() {
    return lease.take().onSuccess(v -> log.info("Presence node {} took its lease", lease.id()));
  }

  /** A device connected: it takes the account's status (away if the account was offline or new), and the account is seen now. */
  public Future<Void> connected(UUID accountId, String deviceId) {
    devices.put(deviceId, accountId);
    Instant now = clock.instant();
    return pool.withTransaction(tx -> ensure(tx, accountId, now)
        .compose(status -> tx.preparedQuery("insert into professional_device (account_id, device_id, status, last_seen_at, node_id) values ($1, $2, $3, $4, $5)"
                + " on conflict (account_id, device_id) do update set last_seen_at = greatest(professional_device.last_seen_at, excluded.last_seen_at),"
                + " node_id = excluded.node_id")
            .execute(Tuple.of(accountId, deviceId, PresenceStatus.OFFLINE.equals(status) ? PresenceStatus.AWAY : status, Timestamps.at(now), lease.id())))
        .compose(v -> tx.preparedQuery("update professional_presence set last_seen_at = greatest(last_seen_at, $2),"
                + " status = case when status = 'offline' then 'away' else status end where account_id = $1")
            .execute(Tuple.of(accountId, Timestamps.at(now)))))
        .mapEmpty();
  }

  /**
   * A device disconnected: it no longer counts. With other devices left, the account's status is
   * the most available of theirs; with none left, it is kept, and the offline sweep ends it if no
   * device comes back within the grace (a dropped connection on a poor line is not going offline).
   */
  public Future<Void> disconnected(UUID accountId, String deviceId) {
    devices.remove(deviceId);
    if (!devices.containsValue(accountId)) {
      vertx.eventBus().publish(PresenceEvents.DISCONNECTED, new JsonObject().put("accountId", accountId.toString()), PresenceEvents.NODE_LOCAL);
    }
    Instant now = clock.instant();
    return pool.withTransaction(tx -> ensure(tx, accountId, now)
            .compose(previous -> tx.preparedQuery("delete from professional_device where account_id = $1 and device_id = $2")
                .execute(Tuple.of(accountId, deviceId))
                .compose(v -> recompute(tx, accountId, previous, now, false))))
        .compose(change -> change.previous().equals(change.current()) ? Future.succeededFuture() : acted(accountId, change, null));
  }

  /**
   * Sets one device's status; the account's becomes the most available of its devices. When that
   * changes, routing is told (and acts) before the {@code presence} frame is built; every device of
   * the account gets it.
   */
  public Future<JsonObject> setStatus(UUID accountId, String deviceId, String status) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> ensure(tx, accountId, now)
            .compose(previous -> tx.preparedQuery("insert into professional_device (account_id, device_id, status, last_seen_at, node_id) values ($1, $2, $3, $4, $5)"
                    + " on conflict (account_id, device_id) do update set status = excluded.status,"
                    + " last_seen_at = greatest(professional_device.last_seen_at, excluded.last_seen_at), node_id = excluded.node_id")
                .execute(Tuple.of(accountId, deviceId, status, Timestamps.at(now), lease.id()))
                .compose(v -> recompute(tx, accountId, previous, now, true))))
        .compose(change -> acted(accountId, change, deviceId))
        .compose(v -> frame(accountId));
  }

  /** The account's status from its devices' (kept as it is when it has none and {@code evenWithoutDevices} is false). */
  private static Future<Change> recompute(SqlClient tx, UUID accountId, String previous, Instant now, boolean evenWithoutDevices) {
    return tx.preparedQuery("select status from professional_device where account_id = $1").execute(Tuple.of(accountId))
        .compose(rows -> {
          if (rows.size() == 0 && !evenWithoutDevices) {
            return Future.succeededFuture(new Change(previous, previous));
          }
          List<String> statuses = new ArrayList<>();
          rows.forEach(row -> statuses.add(row.getString(0)));
          String effective = mostAvailable(statuses);
          return tx.preparedQuery("update professional_presence set status = $2, last_seen_at = greatest(last_seen_at, $3) where account_id = $1")
              .execute(Tuple.of(accountId, effective, Timestamps.at(now)))
              .map(v -> new Change(previous, effective));
        });
  }

  /**
   * After commit: routing acts on a change (offline hands the work back, available gets offers)
   * before anyone is told; then every device but {@code originDevice} (which gets the reply) gets
   * the account's {@code presence} frame.
   */
  private Future<Void> acted(UUID accountId, Change change, String originDevice) {
    boolean changed = !change.previous().equals(change.current());
    if (changed) {
      vertx.eventBus().publish(PresenceEvents.STATUS, new JsonObject().put("status", change.current()));
    }
    Future<Void> routed = !changed && !PresenceStatus.AVAILABLE.equals(change.current())
        ? Future.succeededFuture()
        : vertx.eventBus().request(PresenceEvents.CHANGED, new JsonObject().put("accountId", accountId.toString())
            .put("status", change.current()).put("previous", change.previous()), PresenceEvents.NODE_LOCAL).<Void>mapEmpty()
            .recover(e -> {
              log.warn("Routing did not act on the presence change of {}", accountId, e);
              return Future.succeededFuture();
            });
    return routed.compose(v -> frame(accountId))
        .map(frame -> {
          if (originDevice != null || changed) {
            SocketEvents.toPrincipal(vertx.eventBus(), accountId, frame, originDevice);
          }
          return null;
        });
  }

  private record Change(String previous, String current) {}

  /** The most available of a professional's device statuses (offline when there is none). */
  static String mostAvailable(List<String> statuses) {
    return RANK.stream().filter(statuses::contains).findFirst().orElse(PresenceStatus.OFFLINE);
  }

  /** Makes sure the account has a presence row (away when new) and returns its status, locked. */
  public static Future<String> ensure(SqlClient tx, UUID accountId, Instant now) {
    return tx.preparedQuery("insert into professional_presence (account_id, status, last_seen_at) values ($1, 'away', $2)"
            + " on conflict (account_id) do nothing").execute(Tuple.of(accountId, Timestamps.at(now)))
        .compose(v -> tx.preparedQuery("select status from professional_presence where account_id = $1 for update").execute(Tuple.of(accountId)))
        .map(rows -> rows.iterator().next().getString(0));
  }

  /** Sends every device of the professional the account's {@code presence} frame, and returns it. */
  public Future<JsonObject> publish(UUID accountId) {
    return frame(accountId).onSuccess(frame -> SocketEvents.toPrincipal(vertx.eventBus(), accountId, frame));
  }

  /** {@code {type: presence, status, active, capacity}}. */
  public Future<JsonObject> frame(UUID accountId) {
    return pool.preparedQuery("select p.status, a.max_concurrent,"
            + " (select count(*) from conversation c where c.assigned_to = a.id and c.state = 'active') as active"
            + " from account a left join professional_presence p on p.account_id = a.id where a.id = $1")
        .execute(Tuple.of(accountId))
        .map(rows -> {
          Row row = rows.iterator().next();
          return ServerFrames.toJson(new Status(row.getString("status") == null ? PresenceStatus.OFFLINE : row.getString("status"),
              row.getLong("active"), row.getInteger("max_concurrent")));
        });
  }

  /** The {@code presence} frame: the account's status, its active conversations (offers included) and its maximum. */
  public record Status(String status, long active, int capacity) implements fi.kanava.ws.ServerFrame {
    @Override
    public String type() {
      return "presence";
    }
  }

  /** The professional got a conversation now: ties in least-loaded routing go to whoever waited longest since their last. */
  public static Future<Void> assigned(SqlClient tx, UUID accountId, Instant now) {
    return tx.preparedQuery("update professional_presence set last_assigned_at = $2 where account_id = $1")
        .execute(Tuple.of(accountId, Timestamps.at(now)))
        .mapEmpty();
  }

  /** A professional who let an offer lapse is probably away from the desk: every device is set away (only from available). */
  public static Future<Void> setAwayAfterLapse(SqlClient tx, UUID accountId) {
    return tx.preparedQuery("update professional_presence set status = 'away' where account_id = $1 and status = 'available'")
        .execute(Tuple.of(accountId))
        .compose(v -> tx.preparedQuery("update professional_device set status = 'away' where account_id = $1 and status = 'available'")
            .execute(Tuple.of(accountId)))
        .mapEmpty();
  }

  /**
   * Renews this node's lease and refreshes last_seen_at of the professionals (and devices)
   * connected to it; then, if this node held its lease all along, forgets the devices of nodes whose
   * lease ran out. A node that finds its own lease was taken for dead registers its devices again.
   */
  public Future<Void> heartbeat() {
    return lease.renew().compose(renewal -> switch (renewal) {
      case LOST -> registerAgain();
      case HELD -> seen().compose(v -> forgetDeadNodes());
      case GAP -> seen();
    });
  }

  /** Another node took this one for dead and deleted its devices: they are connected here, so they come back (with the account's status). */
  private Future<Void> registerAgain() {
    log.warn("Presence node {} was taken for dead (its lease ran out); registering its {} devices again", lease.id(), devices.size());
    List<Future<Void>> all = new ArrayList<>();
    Map.copyOf(devices).forEach((device, account) -> all.add(connected(account, device)));
    return Future.join(all).mapEmpty();
  }

  /**
   * Nodes whose lease ran out: their devices are deleted and each of their professionals' status is
   * the most available of the devices left (on live nodes). A professional with none left keeps
   * theirs, and the offline sweep ends it once the grace has passed since their last heartbeat,
   * as for a connection that dropped. Every change is acted on and published as a device's own would be.
   */
  Future<Void> forgetDeadNodes() {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> lease.expired(tx, now).compose(dead -> dead.isEmpty() ? Future.succeededFuture(new Expired(0, List.of()))
            : tx.preparedQuery("delete from professional_device where node_id = any($1) returning account_id")
                .execute(Tuple.of(dead.toArray(UUID[]::new)))
                .compose(rows -> {
                  java.util.SortedSet<UUID> accounts = new java.util.TreeSet<>();
                  rows.forEach(row -> accounts.add(row.getUUID(0)));
                  log.warn("Presence nodes {} are dead (no lease renewal within {}); forgetting the devices of {} professionals",
                      dead, config.nodeLease(), accounts.size());
                  Future<List<Forgotten>> changes = Future.succeededFuture(new ArrayList<>());
                  for (UUID account : accounts) {
                    changes = changes.compose(list -> ensure(tx, account, now)
                        .compose(previous -> recompute(tx, account, previous, now, false))
                        .map(change -> {
                          list.add(new Forgotten(account, change));
                          return list;
                        }));
                  }
                  return changes.map(list -> new Expired(dead.size(), list));
                })))
        .compose(expired -> {
          metrics.nodesExpired(expired.nodes());
          return Future.join(expired.forgotten().stream().filter(f -> !f.change().previous().equals(f.change().current()))
              .map(f -> acted(f.account(), f.change(), null)).toList()).mapEmpty();
        });
  }

  /** What forgetting dead nodes committed: how many, and each of their professionals' status before and after. */
  private record Expired(int nodes, List<Forgotten> forgotten) {}

  private record Forgotten(UUID account, Change change) {}

  private Future<Void> seen() {
    if (devices.isEmpty()) {
      return Future.succeededFuture();
    }
    Instant at = clock.instant();
    Set<UUID> accounts = Set.copyOf(devices.values());
    return pool.preparedQuery("update professional_presence set last_seen_at = greatest(last_seen_at, $2) where account_id = any($1)")
        .execute(Tuple.of(accounts.toArray(UUID[]::new), Timestamps.at(at)))
        .compose(v -> pool.preparedQuery("update professional_device set last_seen_at = greatest(last_seen_at, $2) where device_id = any($1)")
            .execute(Tuple.of(devices.keySet().toArray(String[]::new), Timestamps.at(at))))
        .mapEmpty();
  }

  /**
   * Professionals no node has seen within the grace go offline (their devices are forgotten) and
   * routing hands their conversations back. Returns when routing has acted.
   */
  public Future<Void> sweep() {
    Instant cutoff = clock.instant().minus(config.offlineGrace());
    return pool.preparedQuery("delete from professional_device where last_seen_at < $1").execute(Tuple.of(Timestamps.at(cutoff)))
        .compose(v -> pool.preparedQuery("update professional_presence set status = 'offline'"
                + " where status <> 'offline' and last_seen_at < $1 returning account_id")
            .execute(Tuple.of(Timestamps.at(cutoff))))
        .compose(rows -> {
          if (rows.size() > 0) {
            vertx.eventBus().publish(PresenceEvents.STATUS, new JsonObject().put("status", PresenceStatus.OFFLINE));
          }
          List<Future<Void>> gone = new ArrayList<>();
          rows.forEach(row -> {
            log.info("Professional {} went offline (not seen); returning their conversations", row.getUUID(0));
            gone.add(vertx.eventBus().request(PresenceEvents.CHANGED, new JsonObject().put("accountId", row.getUUID(0).toString())
                .put("status", PresenceStatus.OFFLINE).put("previous", "unknown"), PresenceEvents.NODE_LOCAL).mapEmpty());
          });
          return Future.join(gone).mapEmpty();
        });
  }
}
