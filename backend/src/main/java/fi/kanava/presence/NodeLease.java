package fi.kanava.presence;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * This node's lease in {@code presence_node}, renewed with the presence heartbeat on the injected
 * clock. A node whose lease ran out ({@code routing.node-lease}) is dead to the others, whether it was
 * killed or lost the database for that long; PostgreSQL, not the cluster's membership, decides, so
 * a network partition between nodes that both still reach the database declares nobody dead.
 * Owns the SQL of {@code presence_node}.
 */
public final class NodeLease {
  /** What one renewal found. */
  public enum Renewal {
    /** Renewed within one lease of the last time: this node saw the database all along and may judge the others. */
    HELD,
    /** Renewed after a gap longer than a lease (the database was away): the others may have had the same gap, so judge nobody now. */
    GAP,
    /** Another node found this one's lease run out and forgot its devices: the lease is taken again. */
    LOST
  }

  private final UUID id = UUID.randomUUID();
  private final Pool pool;
  private final Clock clock;
  private final Duration lease;
  /** When this node last renewed (only its own timer and the tests' sweeps touch it, one after the other). */
  private volatile Instant renewed;

  public NodeLease(Pool pool, Clock clock, Duration lease) {
    this.pool = pool;
    this.clock = clock;
    this.lease = lease;
  }

  /** This node's id: the {@code node_id} of the devices whose sockets it holds. */
  public UUID id() {
    return id;
  }

  /** Takes the lease when the node starts. */
  public Future<Void> take() {
    Instant now = clock.instant();
    return insert(now).onSuccess(v -> renewed = now);
  }

  private Future<Void> insert(Instant now) {
    return pool.preparedQuery("insert into presence_node (id, started_at, renewed_at) values ($1, $2, $2)"
            + " on conflict (id) do update set renewed_at = greatest(presence_node.renewed_at, excluded.renewed_at)")
        .execute(Tuple.of(id, Timestamps.at(now))).mapEmpty();
  }

  public Future<Renewal> renew() {
    Instant now = clock.instant();
    Instant previous = renewed;
    return pool.preparedQuery("update presence_node set renewed_at = greatest(renewed_at, $2) where id = $1")
        .execute(Tuple.of(id, Timestamps.at(now)))
        .compose(rows -> rows.rowCount() == 0 ? insert(now).map(Renewal.LOST)
            : Future.succeededFuture(previous != null && !now.isAfter(previous.plus(lease)) ? Renewal.HELD : Renewal.GAP))
        .onSuccess(r -> renewed = now);
  }

  /** Deletes the leases that ran out before {@code now} and returns whose they were (in the caller's transaction). */
  public Future<List<UUID>> expired(SqlClient tx, Instant now) {
    return tx.preparedQuery("delete from presence_node where renewed_at < $1 and id <> $2 returning id")
        .execute(Tuple.of(Timestamps.at(now.minus(lease)), id))
        .map(rows -> {
          List<UUID> dead = new ArrayList<>();
          rows.forEach(row -> dead.add(row.getUUID(0)));
          return dead;
        });
  }
}
