package fi.kanava.conversation;

import io.vertx.core.eventbus.EventBus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps sequence numbers from going backwards on this node. A conversation's next number is its
 * stored counter plus one, taken in the same transaction as the message; if a database crash
 * loses the last commits (durability traded for speed), the counter goes back with them and the
 * numbers already acknowledged would be given to new messages. So the node remembers, per
 * conversation, the highest number it has acknowledged or delivered to a socket (its floor), and
 * every statement that takes a number takes it above that floor as well as above the counter.
 *
 * <p>A statement that finds the counter below the floor has found a regression: the store lost
 * messages that clients hold. It is counted ({@code kanava_sequence_regressions_total{detected="store"}}),
 * logged (the conversation id only) and announced on the conversation's addresses, so every
 * watching socket resynchronises from the store and its client learns which messages the store no
 * longer has. The floors are a safety net, not authoritative state: a node that restarts starts
 * without them, and clients that resume past the store ({@link ConversationSockets}) raise the
 * counter instead. At most {@value #CAPACITY} conversations are remembered, the least recently used
 * forgotten first; all are used from several event loops, so access is synchronised (a map lookup
 * per message).
 */
final class SequenceGuard {
  private static final Logger log = LoggerFactory.getLogger(SequenceGuard.class);
  static final int CAPACITY = 65_536;

  /** What found a regression: the label of the metric. */
  static final String STORE = "store";
  static final String SOCKET = "socket";
  static final String RESUME = "resume";

  private final EventBus bus;
  private final ChatMetrics metrics;
  private final Map<UUID, Long> floors = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<UUID, Long> eldest) {
      return size() > CAPACITY;
    }
  };

  SequenceGuard(EventBus bus, ChatMetrics metrics) {
    this.bus = bus;
    this.metrics = metrics;
  }

  /** The highest number this node has acknowledged or delivered in the conversation (0 if none). */
  long floor(UUID conversationId) {
    synchronized (floors) {
      Long floor = floors.get(conversationId);
      return floor == null ? 0 : floor;
    }
  }

  /** A number this node acknowledged or delivered: no later message gets one at or below it. */
  void seen(UUID conversationId, long seq) {
    synchronized (floors) {
      floors.merge(conversationId, seq, Math::max);
    }
  }

  /**
   * A statement found the stored counter ({@code stored}) below this node's floor and numbered
   * above the floor: the store lost commits. Every socket watching the conversation resynchronises.
   */
  void jumped(UUID conversationId, long stored, long floor) {
    metrics.sequenceRegression(STORE);
    log.warn("Conversation {}: the stored sequence counter {} is below {}, already acknowledged or delivered by this node: the database"
        + " lost commits. New messages are numbered above {}; watching sockets resynchronise", conversationId, stored, floor, floor);
    ConversationEvents.resync(bus, conversationId, null);
  }
}
