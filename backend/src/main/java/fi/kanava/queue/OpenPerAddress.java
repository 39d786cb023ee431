package fi.kanava.queue;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import fi.kanava.infra.AbuseMetrics;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.RateLimiter;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * At most {@code abuse.open-conversations-per-address} waiting or active conversations of
 * anonymous patients who entered from one client address, so that scripted entries from one
 * address cannot fill a queue however many sessions they open. The address is never stored: this
 * node remembers, in a bounded map, the conversations each address entered, and asks the database
 * which of them are still open. Per node, like the other address limits (issue 14).
 */
final class OpenPerAddress {
  /** An address not seen for this long is forgotten (a conversation rarely stays open longer). */
  private static final Duration REMEMBER = Duration.ofDays(1);

  private final int max;
  private final AbuseMetrics metrics;
  private final Cache<String, Entries> byAddress;

  OpenPerAddress(Clock clock, int max, int capacity, AbuseMetrics metrics) {
    this.max = max;
    this.metrics = metrics;
    var nanos = RateLimiter.nanos(clock);
    this.byAddress = Caffeine.newBuilder().maximumSize(capacity).expireAfterAccess(REMEMBER).ticker(nanos::getAsLong)
        .executor(Runnable::run).build();
  }

  /** One address's conversations: those entered, and entries under way (counted before they commit). */
  private static final class Entries {
    final List<UUID> entered = new ArrayList<>();
    int pending;
  }

  /** A place held for one entry: {@link #entered} or {@link #release} it, once. */
  interface Slot {
    void entered(UUID conversationId);

    void release();
  }

  /** Holds a place for an entry from the address, or fails with {@code too_many_open_conversations}; reads through {@code client}. */
  Future<Slot> reserve(SqlClient client, String address) {
    Entries entries = byAddress.get(address, a -> new Entries());
    List<UUID> known;
    synchronized (entries) {
      known = List.copyOf(entries.entered);
    }
    Future<Set<UUID>> closed = known.isEmpty() ? Future.succeededFuture(Set.of())
        : client.preparedQuery("select id from conversation where id = any($1) and state = 'closed'")
            .execute(Tuple.of(known.toArray(UUID[]::new)))
            .map(rows -> {
              Set<UUID> ids = new HashSet<>();
              for (Row row : rows) {
                ids.add(row.getUUID(0));
              }
              return ids;
            });
    return closed.compose(gone -> {
      synchronized (entries) {
        entries.entered.removeAll(gone);
        if (entries.entered.size() + entries.pending >= max) {
          metrics.refused("open_conversations");
          return Future.failedFuture(new ApiError(409, "too_many_open_conversations",
              "Too many conversations are open from your network; please try again later"));
        }
        entries.pending++;
      }
      return Future.succeededFuture(slot(entries));
    });
  }

  private static Slot slot(Entries entries) {
    return new Slot() {
      private boolean done;

      @Override
      public void entered(UUID conversationId) {
        synchronized (entries) {
          if (!done) {
            done = true;
            entries.pending--;
            entries.entered.add(conversationId);
          }
        }
      }

      @Override
      public void release() {
        synchronized (entries) {
          if (!done) {
            done = true;
            entries.pending--;
          }
        }
      }
    };
  }
}
