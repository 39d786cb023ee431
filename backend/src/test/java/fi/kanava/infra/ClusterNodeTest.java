package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Cluster settings and the Hazelcast configuration built from them")
class ClusterNodeTest {

  @Test
  void a_node_is_alone_by_default_and_empty_hosts_and_ports_take_what_they_default_to() {
    KanavaConfig.Cluster c = ConfigLoader.withOverrides(Map.of()).cluster();
    assertThat(c.enabled()).isFalse();
    assertThat(c.publicHost()).isEqualTo(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.publicPort()).isEqualTo(c.port()).isEqualTo(5701);
    assertThat(c.eventBusHost()).isEqualTo("127.0.0.1");
    assertThat(c.eventBusPublicHost()).isEqualTo("127.0.0.1");
    assertThat(c.eventBusPublicPort()).isEqualTo(c.eventBusPort()).isEqualTo(5710);
    assertThat(c.members()).isEmpty();
  }

  @Test
  void members_join_over_tcp_ip_only_at_the_listed_addresses_with_nothing_from_the_classpath() {
    KanavaConfig.Cluster c = ConfigLoader.withOverrides(Map.of("cluster.enabled", "true", "cluster.host", "10.0.0.11",
        "cluster.public-host", "node1.internal", "cluster.members", "node1.internal:5701, node2.internal:5701",
        "cluster.member-timeout", "PT8S", "cluster.merge-interval", "PT20S")).cluster();
    Config hz = ClusterNode.hazelcast(c);
    assertThat(hz.getClusterName()).isEqualTo("kanava");
    assertThat(ClusterNode.hazelcast(ConfigLoader.withOverrides(Map.of("cluster.name", "kanava-test.2")).cluster()).getClusterName())
        .isEqualTo("kanava-test.2");
    assertThatThrownBy(() -> ConfigLoader.withOverrides(Map.of("cluster.name", "two words")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.name");
    assertThat(hz.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
    assertThat(hz.getNetworkConfig().getJoin().getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled()).isTrue();
    assertThat(hz.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("node1.internal:5701", "node2.internal:5701");
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5701);
    assertThat(hz.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(hz.getNetworkConfig().getPublicAddress()).isEqualTo("node1.internal:5701");
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.0.11");
    assertThat(hz.getProperty("hazelcast.logging.type")).isEqualTo("slf4j");
    assertThat(hz.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    assertThat(hz.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("8");
    assertThat(hz.getProperty("hazelcast.merge.next.run.delay.seconds")).isEqualTo("20");
    assertThat(hz.getMultiMapConfig("__vertx.subs").getBackupCount()).isEqualTo(1);
    assertThat(c.memberTimeout()).isEqualTo(Duration.ofSeconds(8));
    assertThat(c.eventBusPublicHost()).isEqualTo("node1.internal");
    assertThat(c.members()).isEqualTo(List.of("node1.internal:5701", "node2.internal:5701"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "cluster.host | node1.internal | an IP address",
      "cluster.members | node1.internal | is not host:port",
      "cluster.members | node1:99999 | is not host:port",
      "cluster.port | 0 | between 1 and 65535",
      "cluster.member-timeout | PT1S | at least PT2S",
      "cluster.merge-interval | PT0.5S | at least PT1S",
      "cluster.enabled | yes | true or false"})
  void a_bad_cluster_setting_stops_the_start_with_its_key(String key, String value, String message) {
    assertThatThrownBy(() -> ConfigLoader.withOverrides(Map.of(key, value)))
        .isInstanceOf(ConfigException.class).hasMessageContaining(key).hasMessageContaining(message);
  }
}
