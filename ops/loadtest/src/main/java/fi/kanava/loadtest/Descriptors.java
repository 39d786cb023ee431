package fi.kanava.loadtest;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Open file descriptors per process (Linux {@code /proc/PID/fd}), and the drill's budget of them:
 * the hard open-file limit binds every process (the harness, each HAProxy, each node), so a storm
 * that would not fit is refused before anything starts rather than failing halfway.
 */
final class Descriptors {
  /** Kept free in every process for what the estimate leaves out (jars, logs, epoll, pipes). */
  static final int MARGIN = 1_000;

  private Descriptors() {}

  /** Open descriptors of {@code pid}, or -1 if it cannot be read (gone). */
  static long open(long pid) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
      long n = 0;
      for (Path ignored : fds) {
        n++;
      }
      return n;
    } catch (IOException e) {
      return -1;
    }
  }

  /** The hard open-file limit of this process (its children inherit it), or -1 if unknown. */
  static long hardLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String hard = line.substring("Max open files".length()).trim().split("\\s+")[1];
          return hard.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(hard);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /**
   * The descriptors each process of the drill will need at its peak, by the settings: the harness
   * (one per storm client and per drill client, an HTTP pool of 64 per balancer), each balancer
   * (two per connection through it, client and server side, the harness's pooled ones included), the node that ends up holding everything (one
   * per connection, its database pool, the health checks).
   */
  static Map<String, Long> estimate(Settings s) {
    long idle = s.integer("drill-idle-clients");
    long drill = s.integer("conversations") + s.integer("nurses");
    int balancers = s.integer("haproxy-count");
    Map<String, Long> need = new LinkedHashMap<>();
    need.put("harness", idle + drill + 64L * balancers + 64);
    need.put("each HAProxy", 2 * (ceil(idle, balancers) + ceil(drill, balancers) + 64) + 50);
    need.put("the surviving node", idle + drill + 8 + 2L * balancers + 200);
    return need;
  }

  /** HAProxy's connection cap must hold its share of the storm and of the drill. */
  static long perBalancer(Settings s) {
    int balancers = s.integer("haproxy-count");
    return ceil(s.integer("drill-idle-clients"), balancers) + ceil(s.integer("conversations") + s.integer("nurses"), balancers);
  }

  /** Refuses settings whose storm would not fit the open-file limit (or HAProxy's maxconn), naming the largest that would. */
  static void check(Settings s) {
    long limit = hardLimit();
    if (limit < 0 || s.integer("drill-idle-clients") == 0) {
      return;
    }
    Map<String, Long> need = estimate(s);
    long allowed = limit - MARGIN;
    long worst = need.values().stream().mapToLong(Long::longValue).max().orElse(0);
    if (worst > allowed || perBalancer(s) > s.integer("haproxy-maxconn")) {
      throw new IllegalArgumentException(String.format("A storm of %d idle clients does not fit: descriptors needed %s, the hard open-file limit"
          + " is %d (%d kept free), haproxy-maxconn %s per balancer against %d connections each. The most that fits:"
          + " --drill-idle-clients %d.", s.integer("drill-idle-clients"), describe(need), limit, MARGIN, s.text("haproxy-maxconn"),
          perBalancer(s), largest(s, allowed)));
    }
  }

  /** The largest storm that fits, by the same estimate. */
  static int largest(Settings s, long allowed) {
    long drill = s.integer("conversations") + s.integer("nurses");
    int balancers = s.integer("haproxy-count");
    long harness = allowed - drill - 64L * balancers - 64;
    long node = allowed - drill - 8 - 2L * balancers - 200;
    long haproxy = ((allowed - 50) / 2 - ceil(drill, balancers) - 64) * balancers;
    long maxconn = (s.integer("haproxy-maxconn") - ceil(drill, balancers)) * balancers;
    return (int) Math.max(0, Math.min(Math.min(harness, node), Math.min(haproxy, maxconn)));
  }

  static String describe(Map<String, Long> counts) {
    return counts.entrySet().stream().map(e -> String.format("%s %,d", e.getKey(), e.getValue())).collect(Collectors.joining(", "));
  }

  private static long ceil(long n, int parts) {
    return (n + parts - 1) / parts;
  }
}
