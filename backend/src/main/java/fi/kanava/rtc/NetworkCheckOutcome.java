package fi.kanava.rtc;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Set;

/**
 * What a network check found, computed from what the server's peer saw: whether a connection
 * formed and through a relay, the round trip of the selected candidate pair (else the browser's own
 * ping echo), and the share of the browser's pings that never arrived. Pure: no Vert.x, no native code.
 */
public record NetworkCheckOutcome(Result result, Integer rttMs, Double lossPercent) {

  /** How a check ended (the network_check.result column and the metric label). */
  public enum Result {
    CONNECTED, RELAYED, FAILED, UNAVAILABLE;

    public String code() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** What the peer observed. {@code statsRttSeconds} and {@code clientRttMs} may be null. */
  public record Observed(boolean connected, boolean relayed, Double statsRttSeconds, Integer clientRttMs, Set<Integer> pings, Integer sent) {}

  public static NetworkCheckOutcome unavailable() {
    return new NetworkCheckOutcome(Result.UNAVAILABLE, null, null);
  }

  public static NetworkCheckOutcome of(Observed seen) {
    if (!seen.connected()) {
      return new NetworkCheckOutcome(Result.FAILED, null, null);
    }
    Integer rtt = seen.statsRttSeconds() != null && seen.statsRttSeconds() >= 0
        ? (int) Math.round(seen.statsRttSeconds() * 1000)
        : seen.clientRttMs();
    return new NetworkCheckOutcome(seen.relayed() ? Result.RELAYED : Result.CONNECTED, rtt, loss(seen.pings(), seen.sent()));
  }

  /**
   * Pings are numbered from 0. Expected: {@code sent} when the browser said, and at least one more
   * than the highest seq that arrived; none expected: no figure.
   */
  static Double loss(Set<Integer> pings, Integer sent) {
    int highest = pings.stream().mapToInt(Integer::intValue).max().orElse(-1);
    int expected = Math.max(sent == null ? 0 : sent, highest + 1);
    if (expected == 0) {
      return null;
    }
    long received = pings.stream().filter(seq -> seq >= 0 && seq < expected).count();
    double percent = 100.0 * (expected - received) / expected;
    return BigDecimal.valueOf(Math.max(0, Math.min(100, percent))).setScale(2, RoundingMode.HALF_UP).doubleValue();
  }
}
