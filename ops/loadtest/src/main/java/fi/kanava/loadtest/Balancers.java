package fi.kanava.loadtest;

import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The drill's load balancers: {@code haproxy-count} HAProxy processes running the same shipped
 * configuration in front of the same nodes, as a region runs two (DNS round robin over two
 * addresses, or a keepalived pair with one virtual address each; docs/operations.md). Clients take
 * them in turn, one balancer per client, and a client reconnects through the balancer it used, as
 * a client that resolved the name once does. One HAProxy cannot carry the storm here: it needs two
 * descriptors per connection, and a process may hold 20,000.
 */
final class Balancers {
  private final List<Haproxy> all;

  private Balancers(List<Haproxy> all) {
    this.all = all;
  }

  /** Starts them one after the other; on a failure those already started are stopped. */
  static Balancers start(Settings s, WebClient http, List<DrillNode> nodes) throws Exception {
    List<Haproxy> started = new ArrayList<>();
    try {
      for (int i = 1; i <= s.integer("haproxy-count"); i++) {
        started.add(Haproxy.start(s, http, nodes, "haproxy" + i));
      }
    } catch (Exception e) {
      started.forEach(Haproxy::stop);
      throw e;
    }
    return new Balancers(List.copyOf(started));
  }

  List<Haproxy> all() {
    return all;
  }

  /** The balancer of the {@code i}-th client of a phase (round robin). */
  Haproxy of(int i) {
    return all.get(index(i));
  }

  /** The position in {@link #all()} of the {@code i}-th client's balancer. */
  int index(int i) {
    return i % all.size();
  }

  /** Puts {@code server} into {@code state} (maint, ready) on every balancer, as an operator must. */
  void state(String server, String state) throws IOException {
    for (Haproxy h : all) {
      h.state(server, state);
    }
  }

  /** Waits until every balancer's health checks pass for {@code server}. */
  void awaitUp(String server, int timeoutSeconds) throws IOException {
    for (Haproxy h : all) {
      h.awaitUp(server, timeoutSeconds);
    }
  }

  void stop() {
    all.forEach(Haproxy::stop);
  }
}
