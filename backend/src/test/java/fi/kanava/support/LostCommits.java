package fi.kanava.support;

import io.vertx.sqlclient.Tuple;
import java.util.UUID;

/**
 * What a database crash without fsync (or with synchronous commit off) does to the last commits of
 * a conversation, done by hand: its last message is gone and its sequence counter is back where
 * it was before it, as if neither commit had happened. It runs as the database owner, because the
 * application's role may not delete messages.
 */
public final class LostCommits {
  private LostCommits() {}

  /** Loses the conversation's last message; returns its sequence number. Blocking: call it from the test thread. */
  public static long loseLastMessage(TestApp t, String conversationId) {
    return TestApp.await(t.ownerPool()
        .preparedQuery("with gone as (delete from message where conversation_id = $1"
            + "   and seq = (select max(seq) from message where conversation_id = $1) returning seq)"
            + " update conversation set last_seq = (select seq - 1 from gone) where id = $1 returning last_seq + 1")
        .execute(Tuple.of(UUID.fromString(conversationId)))
        .map(rows -> rows.iterator().next().getLong(0)));
  }
}
