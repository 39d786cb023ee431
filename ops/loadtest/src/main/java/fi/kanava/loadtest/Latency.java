package fi.kanava.loadtest;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * A latency distribution recorded in microseconds from any thread (HdrHistogram, 3 significant
 * digits, up to ten minutes), read back in milliseconds.
 */
final class Latency {
  private static final long HIGHEST_MICROS = TimeUnit.MINUTES.toMicros(10);

  private final ConcurrentHistogram histogram = new ConcurrentHistogram(HIGHEST_MICROS, 3);

  void recordNanos(long nanos) {
    histogram.recordValue(Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000)));
  }

  long count() {
    return histogram.getTotalCount();
  }

  double percentileMs(double percentile) {
    return count() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
  }

  double maxMs() {
    return count() == 0 ? Double.NaN : histogram.getMaxValue() / 1000.0;
  }

  /** A Markdown table row: name, count, p50, p95, p99, max. */
  String row(String name) {
    return "| " + name + " | " + count() + " | " + ms(percentileMs(50)) + " | " + ms(percentileMs(95)) + " | "
        + ms(percentileMs(99)) + " | " + ms(maxMs()) + " |";
  }

  static String header() {
    return "| Measure | Count | p50 ms | p95 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|";
  }

  static String ms(double value) {
    if (Double.isNaN(value)) {
      return "–";
    }
    return value < 10 ? String.format("%.2f", value) : String.format("%.1f", value);
  }
}
