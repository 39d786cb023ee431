package fi.kanava.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable relay's one table and its SQL, and group commit into it: messages that arrive on an
 * event loop while that loop's previous batch is at the database go together in one insert (one
 * statement over arrays, committed on its own), as Kanava's message sends do. Nothing waits for a
 * timer: a message that finds its loop idle goes at once. A batch completes its messages in their
 * order, so a sender's messages are forwarded in the order they came.
 */
final class RelayStore {
  private static final Logger log = LoggerFactory.getLogger(RelayStore.class);
  static final String TABLE = "loadtest_relay_message";
  /** The most messages stored in one insert, as Kanava's {@code MessageSends.MAX_BATCH}. */
  static final int MAX_BATCH = 128;

  private static final String DROP = "drop table if exists " + TABLE;
  private static final String CREATE = "create table " + TABLE + " (id bigint generated always as identity primary key,"
      + " room text not null, body text not null, stored_at timestamptz not null default now())";
  private static final String APPEND = "insert into " + TABLE + " (room, body) select * from unnest($1::text[], $2::text[])";
  private static final String COUNT = "select count(*) from " + TABLE;

  private final Pool pool;
  /** The key of each event loop's batcher in its context's data. */
  private final Object batcherKey = new Object();

  RelayStore(Pool pool) {
    this.pool = pool;
  }

  /** Drops the table if a previous run left it and creates it empty. */
  static Future<Void> recreate(SqlClient db) {
    return db.query(DROP).execute().compose(r -> db.query(CREATE).execute()).mapEmpty();
  }

  static Future<Long> count(SqlClient db) {
    return db.query(COUNT).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** Stores one message; completes once the insert that carries it has committed. Call it on an event loop. */
  Future<Void> append(String room, String body) {
    Context context = Vertx.currentContext();
    Batcher batcher = context.get(batcherKey);
    if (batcher == null) {
      batcher = new Batcher(context);
      context.put(batcherKey, batcher);
    }
    return batcher.submit(new Pending(room, body, Promise.promise()));
  }

  private record Pending(String room, String body, Promise<Void> stored) {}

  /** The messages of one event loop: used only on that loop, so it needs no locking. */
  private final class Batcher {
    private final Context context;
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    private boolean busy;

    Batcher(Context context) {
      this.context = context;
    }

    Future<Void> submit(Pending pending) {
      waiting.add(pending);
      if (!busy) {
        next();
      }
      return pending.stored().future();
    }

    private void next() {
      if (waiting.isEmpty()) {
        busy = false;
        return;
      }
      busy = true;
      List<Pending> batch = new ArrayList<>(Math.min(waiting.size(), MAX_BATCH));
      while (!waiting.isEmpty() && batch.size() < MAX_BATCH) {
        batch.add(waiting.poll());
      }
      String[] rooms = new String[batch.size()];
      String[] bodies = new String[batch.size()];
      for (int i = 0; i < batch.size(); i++) {
        rooms[i] = batch.get(i).room();
        bodies[i] = batch.get(i).body();
      }
      pool.preparedQuery(APPEND).execute(Tuple.tuple().addArrayOfString(rooms).addArrayOfString(bodies)).onComplete(done -> {
        // back on this loop, whichever thread the database answered on
        if (Vertx.currentContext() == context) {
          settle(batch, done.cause());
        } else {
          context.runOnContext(v -> settle(batch, done.cause()));
        }
      });
    }

    private void settle(List<Pending> batch, Throwable failure) {
      if (failure != null) {
        log.warn("A batch of {} messages was not stored: {}", batch.size(), failure.getMessage());
      }
      for (Pending p : batch) {
        if (failure == null) {
          p.stored().complete();
        } else {
          p.stored().fail(failure);
        }
      }
      next();
    }
  }
}
