package fi.kanava.chat;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.auth.PrincipalEvents;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Routing under a burst")
class RoutingCapacityTest {
  static final int PATIENTS = 200;
  static final int NURSES = 10;
  static final int CAPACITY = 4;

  @Test
  void two_hundred_simultaneous_entries_on_two_nodes_never_give_a_nurse_more_than_her_maximum() throws InterruptedException {
    try (TestApp nodeA = TestApp.start(Map.of("ws.rate-limit-burst", "100")); TestApp nodeB = nodeA.anotherNode()) {
      Fixtures f = new Fixtures(nodeA).organisations();
      ChatFixtures onA = new ChatFixtures(nodeA, f);
      ChatFixtures onB = new ChatFixtures(nodeB, f);
      List<Pro> nurses = new ArrayList<>();
      List<WsClient> patients = new ArrayList<>();
      try {
        for (int i = 0; i < NURSES; i++) {
          nurses.add((i % 2 == 0 ? onA : onB).professional("burst-nurse-" + i, "nurse", null));
        }
        onA.createQueue(ChatFixtures.queue("burst", "auto"), nurses.stream().map(Pro::id).toArray(java.util.UUID[]::new));
        // Without a clustered event bus an offer reaches only the node that made it, so the test
        // listens for offers on both nodes' buses.
        Map<java.util.UUID, java.util.concurrent.atomic.AtomicInteger> offers = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.CountDownLatch allOffered = new java.util.concurrent.CountDownLatch(NURSES * CAPACITY);
        for (Pro nurse : nurses) {
          offers.put(nurse.id(), new java.util.concurrent.atomic.AtomicInteger());
          for (TestApp node : List.of(nodeA, nodeB)) {
            TestApp.await(node.vertx.eventBus().<JsonObject>consumer(PrincipalEvents.personal(nurse.id()), msg -> {
              JsonObject frame = msg.body().getJsonObject("frame");
              if (frame != null && "conversation.offer".equals(frame.getString("type"))) {
                offers.get(nurse.id()).incrementAndGet();
                allOffered.countDown();
              }
            }).completion());
          }
        }
        for (Pro nurse : nurses) {
          nurse.ws().request(new JsonObject().put("type", "presence").put("status", "available"));
        }
        for (int i = 0; i < PATIENTS; i++) {
          TestApp node = i % 2 == 0 ? nodeA : nodeB;
          String token = node.post("/api/patient/session", null, null).bodyAsJsonObject().getString("accessToken");
          patients.add(WsClient.connect(node, token));
        }
        // everyone enters at once, half through each node
        for (WsClient p : patients) {
          p.send(ChatFixtures.enter("burst").put("ref", "enter"));
        }
        for (WsClient p : patients) {
          assertThat(p.await(fr -> "enter".equals(fr.getString("ref"))).getString("type")).isEqualTo("queue.entered");
        }
        // every nurse is offered exactly her capacity, and no more, whichever node made the offer
        assertThat(allOffered.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("all offers made").isTrue();
        TestApp.await(nodeA.app.services().sweeper().sweep());
        TestApp.await(nodeB.app.services().sweeper().sweep());
        var rows = TestApp.await(nodeA.pool().query(
            "select assigned_to, count(*) as n from conversation where state = 'active' group by assigned_to").execute());
        int total = 0;
        for (Row row : rows) {
          assertThat(row.getLong("n")).as("active conversations of one nurse").isLessThanOrEqualTo(CAPACITY);
          total += row.getLong("n");
        }
        assertThat(total).isEqualTo(NURSES * CAPACITY);
        Row waiting = TestApp.await(nodeA.pool().query("select count(*) from conversation where state = 'queued'").execute()).iterator().next();
        assertThat(waiting.getLong(0)).isEqualTo(PATIENTS - NURSES * CAPACITY);
        for (Pro nurse : nurses) {
          assertThat(offers.get(nurse.id()).get()).as("offers to one nurse").isEqualTo(CAPACITY);
        }
      } finally {
        patients.forEach(WsClient::close);
        nurses.forEach(Pro::close);
      }
    }
  }
}
