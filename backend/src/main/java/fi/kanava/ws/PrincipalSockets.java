package fi.kanava.ws;

import fi.kanava.infra.AbuseMetrics;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open sockets of each principal on this node, at most {@code abuse.sockets-per-principal}.
 * A socket that would go over the cap makes room by closing the principal's oldest (4429,
 * {@code too_many_sockets}). The oldest loses because a client on a poor connection reconnects
 * and leaves half-open sockets behind that the server may not notice for a long time: refusing the
 * newest would let those leftovers lock a real person out, while closing the oldest always lets
 * the client that is trying now in. A token in the wrong hands can open sockets either way; the cap
 * bounds what they cost. Per node: with several nodes the cap applies on each (issue 14).
 */
final class PrincipalSockets {
  private final int max;
  private final AbuseMetrics metrics;
  private final Map<UUID, Deque<ClientSocket>> byPrincipal = new ConcurrentHashMap<>();

  PrincipalSockets(int max, AbuseMetrics metrics) {
    this.max = max;
    this.metrics = metrics;
  }

  /** Counts a socket that became ready; closes the principal's oldest sockets that are now over the cap. */
  void add(UUID principal, ClientSocket socket) {
    List<ClientSocket> over = new ArrayList<>();
    byPrincipal.compute(principal, (id, sockets) -> {
      Deque<ClientSocket> open = sockets == null ? new ArrayDeque<>() : sockets;
      open.addLast(socket);
      while (open.size() > max) {
        over.add(open.removeFirst());
      }
      return open;
    });
    for (ClientSocket oldest : over) {
      metrics.refused("sockets_per_principal");
      oldest.replaced();
    }
  }

  void remove(UUID principal, ClientSocket socket) {
    byPrincipal.computeIfPresent(principal, (id, sockets) -> {
      sockets.remove(socket);
      return sockets.isEmpty() ? null : sockets;
    });
  }
}
