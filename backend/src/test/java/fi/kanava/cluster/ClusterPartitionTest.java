package fi.kanava.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.conversation.ConversationEvents;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.ClusterNodes;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TcpLink;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Two clustered nodes whose Hazelcast members reach each other only through {@link TcpLink}s: the
 * test cuts both links (each side sees the other leave and drops its event-bus subscriptions),
 * heals them (the parts merge), and checks the case recorded in vert-x3/vertx-hazelcast#90, where
 * subscriptions made before a split were lost after the merge: the patient's and the nurse's
 * sockets, subscribed before the split, hear each other again without subscribing anew.
 */
@DisplayName("Cluster: a partition between two nodes heals and the subscriptions made before it deliver again")
class ClusterPartitionTest {

  private static String type(JsonObject frame) {
    return frame.getString("type");
  }

  @Test
  void after_a_partition_heals_sockets_subscribed_before_it_hear_each_other_across_the_nodes() {
    int hzA = ClusterNodes.freePort();
    int hzB = ClusterNodes.freePort();
    try (TcpLink linkA = TcpLink.to(hzA); TcpLink linkB = TcpLink.cutTo(hzB)) {
      List<String> members = List.of("127.0.0.1:" + linkA.port(), "127.0.0.1:" + linkB.port());
      Map<String, String> settings = new HashMap<>(ClusterNodes.member(hzA, linkA.port(), members));
      settings.put("cluster.member-timeout", "PT3S");
      settings.put("cluster.merge-interval", "PT1S");
      Map<String, String> nodeB = new HashMap<>(ClusterNodes.member(hzB, linkB.port(), members));
      TestApp a = TestApp.start(settings);
      // node B's link opens once node A is the cluster, so A does not wait for a member behind it
      linkB.heal();
      try (a; TestApp b = a.anotherNode(nodeB)) {
        ClusterNodes.Watch onA = ClusterNodes.Watch.watch(a);
        ClusterNodes.Watch onB = ClusterNodes.Watch.watch(b);
        onA.awaitMembers(2);
        Fixtures f = new Fixtures(a).organisations();
        try (Pro nurse = new ChatFixtures(b, f).professional("split-nurse", "nurse", null);
            Patient patient = new ChatFixtures(a, f).anonymousPatient()) {
          new ChatFixtures(a, f).createQueue(ChatFixtures.queue("split", "pick"), nurse.id());
          String id = patient.ws().request(ChatFixtures.enter("split")).getJsonObject("conversation").getString("id");
          assertThat(type(nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id))))
              .isEqualTo("conversation.state");
          nurse.ws().request(ChatFixtures.send(id, "before", "ennen"));
          patient.ws().await(fr -> type(fr).equals("message") && "ennen".equals(fr.getString("text")));

          linkA.cut();
          linkB.cut();
          onA.awaitMembers(1);
          onB.awaitMembers(1);
          // each side dropped the other's subscriptions: without a repair nothing would cross again
          String forPatient = ConversationEvents.forPatient(UUID.fromString(id));
          onB.awaitSubscription(forPatient, ClusterNodes.nodeId(a.vertx), false);
          // written during the split: stored and acknowledged, not heard on node A
          nurse.ws().request(ChatFixtures.send(id, "during", "kesken"));

          linkA.heal();
          linkB.heal();
          onA.awaitMembers(2);
          onB.awaitMembers(2);
          ClusterNodes.await(() -> onA.merges() + onB.merges() > 0, "one part to merge into the other");
          // each node publishes its own subscriptions again after the merge; wait until the sender of each
          // direction knows the other's
          onB.awaitSubscription(forPatient, ClusterNodes.nodeId(a.vertx));
          onA.awaitSubscription(ConversationEvents.forStaff(UUID.fromString(id)), ClusterNodes.nodeId(b.vertx));

          // the same sockets, subscribed before the split, hear each other again
          long seq = nurse.ws().request(ChatFixtures.send(id, "after", "jälkeen")).getLong("seq");
          assertThat(patient.ws().await(fr -> type(fr).equals("message") && "jälkeen".equals(fr.getString("text"))).getLong("seq"))
              .isEqualTo(seq);
          patient.ws().request(ChatFixtures.send(id, "reply", "vastaus"));
          nurse.ws().await(fr -> type(fr).equals("message") && "vastaus".equals(fr.getString("text")));
          patient.ws().send(new JsonObject().put("type", "typing").put("conversationId", id).put("typing", true));
          assertThat(nurse.ws().awaitType("typing").getString("who")).isEqualTo("patient");
          // the message written during the split came first (the socket fills a gap from the database), each once
          assertThat(patient.ws().all("message").stream().filter(fr -> "text".equals(fr.getString("kind")))
              .map(fr -> fr.getString("text")).filter(text -> !"vastaus".equals(text)).toList())
              .containsExactly("ennen", "kesken", "jälkeen");
        }
      }
    }
  }
}
