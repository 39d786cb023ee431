package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything one phase measures, written from any event loop: latencies, counters, errors by
 * kind, deliveries per second and the per-conversation ledgers.
 */
final class PhaseStats {
  private static final int MAX_SECONDS = 4 * 3600;

  final String name;
  final long startNanos = System.nanoTime();
  /** Connection set-up: TCP connect, WebSocket upgrade, until the first frame ({@code ready} / {@code joined}). */
  final Latency setup = new Latency();
  /** From sending {@code queue.enter} to the {@code conversation.state} that carries {@code acceptedAt}. */
  final Latency assignment = new Latency();
  /** Send to delivery at the other party, over the whole phase. */
  final Latency delivery = new Latency();
  /** The same over the current measurement window (steady state, saturation step); null outside one. */
  volatile Latency window;
  final LongAdder sent = new LongAdder();
  final LongAdder acked = new LongAdder();
  final LongAdder delivered = new LongAdder();
  final LongAdder deliveredFrameBytes = new LongAdder();
  final LongAdder conversations = new LongAdder();
  final LongAdder completed = new LongAdder();
  private final LongAdder errorTotal = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
  private final AtomicLongArray perSecond = new AtomicLongArray(MAX_SECONDS);
  private final AtomicLongArray maxMicrosPerSecond = new AtomicLongArray(MAX_SECONDS);
  private final Map<String, Ledger> ledgers = new ConcurrentHashMap<>();
  private final AtomicReference<Promise<Void>> drainWaiter = new AtomicReference<>();

  PhaseStats(String name) {
    this.name = name;
  }

  Ledger ledger(String conversationId) {
    return ledgers.computeIfAbsent(conversationId, id -> new Ledger());
  }

  /** Every conversation's ledger, by conversation id. */
  Map<String, Ledger> ledgers() {
    return ledgers;
  }

  /** A message from the other party arrived: latency from its send time, and the frame's size. */
  void delivered(long sentNanos, int frameChars) {
    long now = System.nanoTime();
    delivery.recordNanos(now - sentNanos);
    Latency w = window;
    if (w != null) {
      w.recordNanos(now - sentNanos);
    }
    delivered.increment();
    deliveredFrameBytes.add(frameChars);
    int second = (int) ((now - startNanos) / 1_000_000_000L);
    if (second >= 0 && second < MAX_SECONDS) {
      perSecond.incrementAndGet(second);
      long micros = (now - sentNanos) / 1000;
      maxMicrosPerSecond.accumulateAndGet(second, micros, Math::max);
    }
    checkDrained();
  }

  /** Completes once every message sent so far has been delivered to the other party (each one is, unless lost). */
  Future<Void> drained() {
    Promise<Void> promise = Promise.promise();
    drainWaiter.set(promise);
    checkDrained();
    return promise.future();
  }

  private void checkDrained() {
    Promise<Void> waiter = drainWaiter.get();
    if (waiter != null && delivered.sum() >= sent.sum() && drainWaiter.compareAndSet(waiter, null)) {
      // cleared, so that deliveries after the drain do not sum the counters again
      waiter.tryComplete();
    }
  }

  /** Deliveries in whole seconds [from, to) since the phase started. */
  long deliveredBetween(int fromSecond, int toSecond) {
    long sum = 0;
    for (int s = Math.max(0, fromSecond); s < Math.min(MAX_SECONDS, toSecond); s++) {
      sum += perSecond.get(s);
    }
    return sum;
  }

  /** The {@code count} seconds of the phase with the slowest delivery, slowest first: "second 12: 693 ms". */
  List<String> slowestSeconds(int count) {
    List<Integer> seconds = new ArrayList<>();
    for (int s = 0; s < MAX_SECONDS; s++) {
      if (maxMicrosPerSecond.get(s) > 0) {
        seconds.add(s);
      }
    }
    seconds.sort(Comparator.comparingLong(maxMicrosPerSecond::get).reversed());
    return seconds.stream().limit(count).map(s -> String.format("second %d: %.0f ms", s, maxMicrosPerSecond.get(s) / 1000.0)).toList();
  }

  /** Counts an error: {@code error frame: rate_limited}, {@code connect failed}, {@code timeout: not accepted} … */
  void error(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    errorTotal.increment();
  }

  long errorCount() {
    return errorTotal.sum();
  }

  Map<String, Long> errors() {
    Map<String, Long> out = new TreeMap<>();
    errors.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  double averageDeliveredFrameChars() {
    long n = delivered.sum();
    return n == 0 ? 0 : (double) deliveredFrameBytes.sum() / n;
  }

  /** Totals over the ledgers: lost, duplicated, unacknowledged, sequence gaps, conversations not completed. */
  record Integrity(long lost, long duplicated, long unacked, long seqGaps, long incomplete, long ledgers) {}

  Integrity integrity(boolean countSentAsAcked) {
    long lost = 0;
    long dup = 0;
    long unacked = 0;
    long gaps = 0;
    long incomplete = 0;
    for (Ledger l : ledgers.values()) {
      lost += l.lost(countSentAsAcked);
      dup += l.duplicates();
      unacked += countSentAsAcked ? 0 : l.unacked();
      gaps += l.seqGaps();
      incomplete += l.isCompleted() ? 0 : 1;
    }
    return new Integrity(lost, dup, unacked, gaps, incomplete, ledgers.size());
  }
}
