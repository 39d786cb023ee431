package fi.kanava.support;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.multimap.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.vertx.spi.cluster.hazelcast.impl.HazelcastRegistrationInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Settings for test nodes clustered over loopback, and waits on what Hazelcast reports (members
 * joining and leaving, a merge, a subscription becoming known): never on the clock.
 */
public final class ClusterNodes {
  private static final long TIMEOUT_MS = 90_000;
  /** Every watch's listeners wake this, so a test can wait on what several members report. */
  private static final Object CHANGES = new Object();

  private ClusterNodes() {}

  /** A free loopback port (the test's own nodes take them at once). */
  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A member listening on {@code port}, reached by the others at {@code publicPort}, joining {@code members} (host:port). */
  public static Map<String, String> member(int port, int publicPort, List<String> members) {
    Map<String, String> settings = new HashMap<>();
    settings.put("cluster.enabled", "true");
    settings.put("cluster.host", "127.0.0.1");
    settings.put("cluster.port", Integer.toString(port));
    settings.put("cluster.public-port", Integer.toString(publicPort));
    settings.put("cluster.members", String.join(",", members));
    settings.put("cluster.event-bus-port", "0");
    // each test's cluster its own name (its first member's port, which every member lists first): a cluster a
    // failed test left behind never joins or merges with the next test's
    String first = members.get(0);
    settings.put("cluster.name", "kanava-test-" + first.substring(first.lastIndexOf(':') + 1));
    return settings;
  }

  public static HazelcastInstance hazelcast(TestApp node) {
    return ((HazelcastClusterManager) ((VertxInternal) node.vertx).clusterManager()).getHazelcastInstance();
  }

  /** The Vert.x node id of a clustered node (what its event-bus registrations carry). */
  public static String nodeId(Vertx vertx) {
    return ((VertxInternal) vertx).clusterManager().getNodeId();
  }

  /**
   * What one member's Hazelcast has told it since {@link #watch}: its members and merges, woken by
   * its listeners, so a test waits for a change rather than for time to pass.
   */
  public static final class Watch implements MembershipListener, LifecycleListener {
    private final HazelcastInstance hz;
    private int merges;

    private Watch(HazelcastInstance hz) {
      this.hz = hz;
    }

    public static Watch watch(TestApp node) {
      Watch w = new Watch(hazelcast(node));
      w.hz.getCluster().addMembershipListener(w);
      w.hz.getLifecycleService().addLifecycleListener(w);
      return w;
    }

    @Override
    public void memberAdded(MembershipEvent event) {
      changed();
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      changed();
    }

    @Override
    public void stateChanged(LifecycleEvent event) {
      synchronized (CHANGES) {
        if (event.getState() == LifecycleEvent.LifecycleState.MERGED) {
          merges++;
        }
        CHANGES.notifyAll();
      }
    }

    /** How many times this member merged into another part of the cluster after a partition. */
    public int merges() {
      synchronized (CHANGES) {
        return merges;
      }
    }

    /** Waits until this member sees {@code size} members (itself included). */
    public void awaitMembers(int size) {
      ClusterNodes.await(() -> hz.getLifecycleService().isRunning() && hz.getCluster().getMembers().size() == size,
          "the member to see " + size + " members");
    }

    /**
     * Waits until this member's copy of the event bus's subscriptions has {@code nodeId} listening on
     * {@code address}: after a merge, the node publishes its subscriptions again.
     */
    public void awaitSubscription(String address, String nodeId) {
      awaitSubscription(address, nodeId, true);
    }

    /** Waits until this member's copy of the subscriptions has {@code nodeId} on {@code address} ({@code known}) or not. */
    public void awaitSubscription(String address, String nodeId, boolean known) {
      MultiMap<String, HazelcastRegistrationInfo> subs = hz.getMultiMap("__vertx.subs");
      com.hazelcast.core.EntryListener<String, HazelcastRegistrationInfo> wake = new com.hazelcast.core.EntryAdapter<>() {
        @Override
        public void onEntryEvent(com.hazelcast.core.EntryEvent<String, HazelcastRegistrationInfo> event) {
          changed();
        }
      };
      java.util.UUID listener = subs.addEntryListener(wake, address, false);
      try {
        ClusterNodes.await(() -> subs.get(address).stream().anyMatch(info -> nodeId.equals(info.unwrap().nodeId())) == known,
            nodeId + (known ? " to be known" : " no longer to be known") + " listening on " + address);
      } finally {
        subs.removeEntryListener(listener);
      }
    }

  }

  private static void changed() {
    synchronized (CHANGES) {
      CHANGES.notifyAll();
    }
  }

  /**
   * Waits until {@code done} holds, re-checking whenever a watched member reports a change (and at
   * least each second, for a change no listener reports, such as a member shutting down).
   */
  public static void await(BooleanSupplier done, String what) {
    long deadline = System.currentTimeMillis() + TIMEOUT_MS;
    synchronized (CHANGES) {
      while (!done.getAsBoolean()) {
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("timed out waiting for " + what);
        }
        try {
          CHANGES.wait(Math.min(left, TimeUnit.SECONDS.toMillis(1)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }
}
