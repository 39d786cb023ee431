package fi.kanava.loadtest;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What the database holds of the drill's messages, against what the clients saw acknowledged: an
 * acknowledged message that is not stored is lost; a client message id stored more than once is a
 * duplicate (the unique index should make that impossible; this checks it).
 */
final class DrillStore {
  record Check(long stored, long ackedMissing, long storedTwice) {}

  private DrillStore() {}

  static Check check(Vertx vertx, DrillPostgres pg, Map<String, Ledger> ledgers) throws Exception {
    Pool pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(pg.options()).using(vertx).build();
    try {
      UUID[] ids = ledgers.keySet().stream().map(UUID::fromString).toArray(UUID[]::new);
      Map<String, Map<String, Integer>> stored = new HashMap<>();
      long rows = 0;
      long twice = 0;
      for (Row row : pool.preparedQuery("select conversation_id::text, client_msg_id, count(*) from message"
          + " where conversation_id = any($1) and client_msg_id is not null group by 1, 2").execute(Tuple.of(ids)).await(120, TimeUnit.SECONDS)) {
        int n = row.getInteger(2);
        rows += n;
        twice += n - 1;
        stored.computeIfAbsent(row.getString(0), k -> new HashMap<>()).put(row.getString(1), n);
      }
      long missing = 0;
      for (Map.Entry<String, Ledger> e : ledgers.entrySet()) {
        Map<String, Integer> have = stored.getOrDefault(e.getKey(), Map.of());
        missing += missing(e.getValue().acked(Ledger.PATIENT), Payload.PATIENT, have) + missing(e.getValue().acked(Ledger.NURSE), Payload.NURSE, have);
      }
      return new Check(rows, missing, twice);
    } finally {
      pool.close();
    }
  }

  private static long missing(BitSet acked, char side, Map<String, Integer> have) {
    long n = 0;
    for (int i = acked.nextSetBit(0); i >= 0; i = acked.nextSetBit(i + 1)) {
      if (!have.containsKey(side + Integer.toString(i))) {
        n++;
      }
    }
    return n;
  }
}
