package fi.kanava.infra;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds this node's Vert.x: alone (cluster.enabled=false, no cluster manager at all) or clustered
 * with Hazelcast, configured here in code only, so no hazelcast.xml or cluster.xml found on the
 * classpath changes how nodes find each other. Members join over TCP/IP from the configured list;
 * multicast and auto detection are off. Hazelcast keeps only the event bus's subscription lists:
 * nothing authoritative (PostgreSQL decides everything).
 */
public final class ClusterNode {
  private static final Logger log = LoggerFactory.getLogger(ClusterNode.class);

  private ClusterNode() {}

  /**
   * The node's Vert.x. Clustered, this joins the cluster and waits for it, so it must not run on a
   * Vert.x thread (Main and tests call it from their own thread; Hazelcast itself starts on a worker).
   */
  public static Vertx vertx(VertxBuilder builder, VertxOptions options, KanavaConfig.Cluster cluster) {
    if (!cluster.enabled()) {
      return builder.with(options).build();
    }
    if (Vertx.currentContext() != null) {
      throw new IllegalStateException("a clustered Vert.x is built off Vert.x threads");
    }
    options.getEventBusOptions()
        .setHost(cluster.eventBusHost())
        .setPort(cluster.eventBusPort())
        .setClusterPublicHost(cluster.eventBusPublicHost());
    if (cluster.eventBusPublicPort() != 0) {
      // otherwise the port it listens on (a free one when cluster.event-bus-port is 0)
      options.getEventBusOptions().setClusterPublicPort(cluster.eventBusPublicPort());
    }
    log.info("Joining the cluster as {}:{} (members {}), event bus on {}:{}", cluster.publicHost(), cluster.publicPort(),
        cluster.members(), cluster.eventBusHost(), cluster.eventBusPort());
    return builder.with(options)
        .withClusterManager(new HazelcastClusterManager(hazelcast(cluster)))
        .buildClustered()
        .await();
  }

  /** The whole Hazelcast configuration of a member. */
  static Config hazelcast(KanavaConfig.Cluster cluster) {
    // Hazelcast's own static loggers read this before the instance's properties exist
    System.setProperty("hazelcast.logging.type", "slf4j");
    Config config = new Config();
    // members share the name (cluster.name): another cluster's or application's Hazelcast on the same hosts is never joined
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.socket.bind.any", "false");
    long timeout = cluster.memberTimeout().toSeconds();
    config.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(timeout));
    config.setProperty("hazelcast.heartbeat.interval.seconds", Long.toString(Math.max(1, timeout / 4)));
    long merge = Math.max(1, cluster.mergeInterval().toSeconds());
    config.setProperty("hazelcast.merge.first.run.delay.seconds", Long.toString(merge));
    config.setProperty("hazelcast.merge.next.run.delay.seconds", Long.toString(merge));
    // the first member does not wait five seconds for others before it becomes the master; a late one joins it
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    config.setProperty("hazelcast.graceful.shutdown.max.wait", "30");
    config.getJetConfig().setEnabled(false);

    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    network.setPublicAddress(cluster.publicHost() + ":" + cluster.publicPort());
    network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());

    // what Vert.x's default-cluster.xml sets: the event bus's subscriptions and node infos, with a backup
    config.addMultiMapConfig(new MultiMapConfig("__vertx.subs").setBackupCount(1)
        .setValueCollectionType(MultiMapConfig.ValueCollectionType.SET));
    config.addMapConfig(new MapConfig("__vertx.haInfo").setBackupCount(1));
    config.addMapConfig(new MapConfig("__vertx.nodeInfo").setBackupCount(1));
    return config;
  }
}
