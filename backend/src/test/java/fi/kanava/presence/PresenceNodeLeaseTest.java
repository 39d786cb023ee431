package fi.kanava.presence;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The node lease on one node: a dead node is written into the database as a killed one would
 * leave it (its lease row and a device of its own); ClusterNodeDeathTest kills a real one.
 */
@DisplayName("Presence node leases: a dead node's devices stop counting once its lease has run out")
class PresenceNodeLeaseTest {
  private static final Duration HEARTBEAT = Duration.ofSeconds(15);
  private static final Duration LEASE = Duration.ofSeconds(45);
  private static final String SCRAPE_TOKEN = "presence-lease-scrape-token";

  TestApp t;
  ChatFixtures c;

  @BeforeEach
  void start() {
    t = TestApp.start(java.util.Map.of("routing.node-lease", LEASE.toString(), "routing.heartbeat-interval", HEARTBEAT.toString(),
        "routing.offline-grace", "PT90S", "metrics.scrape-token", SCRAPE_TOKEN));
    c = new ChatFixtures(t, new Fixtures(t).organisations());
  }

  @AfterEach
  void stop() {
    t.close();
  }

  /** A node that died just now, leaving {@code account} available on one device. */
  private UUID deadNodeWithDevice(UUID account) {
    UUID dead = UUID.randomUUID();
    var now = t.clock.instant().atOffset(ZoneOffset.UTC);
    t.rows("insert into presence_node (id, started_at, renewed_at) values ($1, $2, $2)", dead, now);
    t.rows("insert into professional_device (account_id, device_id, status, last_seen_at, node_id) values ($1, $2, 'available', $3, $4)",
        account, "dead-" + dead, now, dead);
    t.rows("update professional_presence set status = 'available', last_seen_at = $2 where account_id = $1", account, now);
    return dead;
  }

  private String status(UUID account) {
    return t.row("select status from professional_presence where account_id = $1", account).getString(0);
  }

  private void sweep() {
    TestApp.await(t.app.services().sweeper().sweep());
  }

  private void heartbeatsFor(Duration total) {
    for (Duration d = Duration.ZERO; d.compareTo(total) < 0; d = d.plus(HEARTBEAT)) {
      t.clock.advance(HEARTBEAT);
      sweep();
    }
  }

  @Test
  @DisplayName("past the lease, the dead node's device is deleted and the account takes its live device's status, which is told")
  void a_dead_device_stops_counting_after_the_lease() {
    try (Pro nurse = c.professional("lease-nurse", "nurse", "away")) {
      UUID dead = deadNodeWithDevice(nurse.id());
      sweep();
      // the live device says away, the dead one available: within the lease the dead node may only be slow
      heartbeatsFor(LEASE.minus(HEARTBEAT));
      assertThat(status(nurse.id())).isEqualTo("available");
      heartbeatsFor(HEARTBEAT.multipliedBy(2));
      assertThat(t.rows("select 1 from professional_device where node_id = $1", dead)).isEmpty();
      assertThat(t.rows("select 1 from presence_node where id = $1", dead)).isEmpty();
      assertThat(status(nurse.id())).isEqualTo("away");
      nurse.ws().await(fr -> "presence".equals(fr.getString("type")) && fr.getString("ref") == null && "away".equals(fr.getString("status")));
      assertThat(t.get("/metrics", SCRAPE_TOKEN).bodyAsString()).contains("kanava_presence_nodes_expired_total 1.0");
    }
  }

  @Test
  @DisplayName("a node whose own renewal comes after a gap longer than the lease (the database was away) judges nobody until its next")
  void after_a_gap_nobody_is_judged_at_once() {
    try (Pro nurse = c.professional("gap-nurse", "nurse", "away")) {
      UUID dead = deadNodeWithDevice(nurse.id());
      t.clock.advance(LEASE.plus(HEARTBEAT));
      sweep();
      assertThat(t.rows("select 1 from professional_device where node_id = $1", dead)).isNotEmpty();
      assertThat(status(nurse.id())).isEqualTo("available");
      sweep();
      assertThat(t.rows("select 1 from professional_device where node_id = $1", dead)).isEmpty();
      assertThat(status(nurse.id())).isEqualTo("away");
    }
  }

  @Test
  @DisplayName("a node taken for dead by another registers its connected devices again at its next heartbeat")
  void a_node_taken_for_dead_comes_back() {
    try (Pro nurse = c.professional("back-nurse", "nurse", "available")) {
      UUID self = t.app.services().presence().nodeId();
      // what another node does to one whose lease it found run out
      t.rows("delete from presence_node where id = $1", self);
      t.rows("delete from professional_device where node_id = $1", self);
      sweep();
      assertThat(t.rows("select 1 from presence_node where id = $1", self)).hasSize(1);
      assertThat(t.row("select status from professional_device where node_id = $1 and account_id = $2", self, nurse.id()).getString(0))
          .isEqualTo("available");
      assertThat(nurse.ws().request(new JsonObject().put("type", "presence").put("status", "busy")).getString("status")).isEqualTo("busy");
    }
  }
}
