package fi.kanava.infra;

import static fi.kanava.support.ChatFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The supervised embedded database")
class DatabaseSupervisorTest {
  private static final String SCRAPE_TOKEN = "supervisor-test-scrape-token";
  private static final long READY_TIMEOUT_MS = 90_000;

  @Test
  @DisplayName("killed with SIGKILL: the node is not ready, restarts it on its own, serves again, and every acknowledged message is stored")
  void a_killed_postmaster_is_restarted(@TempDir Path dir) throws Exception {
    try (EmbeddedDatabase db = EmbeddedDatabase.start(dir.resolve("postgres"), 0, Duration.ofSeconds(60));
        TestApp t = TestApp.startOn(db.database(), Map.of("db.embedded.watch-interval", "PT0.1S", "metrics.scrape-token", SCRAPE_TOKEN))) {
      ChatFixtures c = new ChatFixtures(t, new Fixtures(t).organisations());
      try (Pro nurse = c.professional("supervised-nurse", "nurse", null); Patient patient = c.anonymousPatient()) {
        c.createQueue(ChatFixtures.queue("supervised", "pick"), nurse.id());
        String id = patient.ws().request(ChatFixtures.enter("supervised")).getJsonObject("conversation").getString("id");
        nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
        Map<String, Long> acknowledged = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
          var sender = i % 2 == 0 ? patient.ws() : nurse.ws();
          JsonObject ack = sender.request(send(id, "before-" + i, "Viesti " + i));
          assertThat(ack.getString("type")).as(ack.encode()).isEqualTo("message.ack");
          acknowledged.put("before-" + i, ack.getLong("seq"));
        }

        long pid = Long.parseLong(Files.readAllLines(db.dataDirectory().resolve("postmaster.pid")).get(0).strip());
        assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).as("SIGKILL to the postmaster").isTrue();

        List<JsonObject> down = awaitReady(t, 503);
        List<JsonObject> meanwhile = awaitReady(t, 200);
        assertThat(down.get(down.size() - 1).getString("status")).isEqualTo("down");
        assertThat(meanwhile).as("the node said why it was not ready").anySatisfy(body -> assertThat(body.getString("database")).isEqualTo("restarting"));
        assertThat(db.postmaster()).as("a new postmaster").hasValueSatisfying(p -> assertThat(p.pid()).isNotEqualTo(pid));

        Map<String, Long> stored = new LinkedHashMap<>();
        t.rows("select client_msg_id, seq from message where conversation_id = $1::uuid and client_msg_id is not null order by seq", id)
            .forEach(r -> stored.put(r.getString(0), r.getLong(1)));
        assertThat(stored).as("every message acknowledged before the kill").containsAllEntriesOf(acknowledged);

        // the pool reconnected: the same sockets send and receive again
        JsonObject ack = patient.ws().request(send(id, "after", "Olen taas täällä"));
        assertThat(ack.getString("type")).as(ack.encode()).isEqualTo("message.ack");
        assertThat(ack.getLong("seq")).isGreaterThan(acknowledged.values().stream().mapToLong(Long::longValue).max().orElseThrow());
        nurse.ws().await(frame -> "message".equals(frame.getString("type")) && "Olen taas täällä".equals(frame.getString("text")));

        String metrics = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();
        assertThat(metrics).contains("kanava_db_restarts_total{outcome=\"restarted\"} 1.0").contains("kanava_db_embedded_up 1.0");
      }
    }
  }

  /**
   * Asks /health/ready, each time once the previous answer is in, until it answers {@code status};
   * returns every body seen on the way (the last one with that status).
   */
  private static List<JsonObject> awaitReady(TestApp t, int status) {
    List<JsonObject> seen = new ArrayList<>();
    long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
    while (System.currentTimeMillis() < deadline) {
      HttpResponse<Buffer> response = TestApp.await(t.vertx.timer(20).compose(v -> t.http.get("/health/ready").send()));
      seen.add(response.bodyAsJsonObject());
      if (response.statusCode() == status) {
        return seen;
      }
    }
    throw new AssertionError("/health/ready did not answer " + status + " within " + READY_TIMEOUT_MS + " ms; last: " + seen.get(seen.size() - 1));
  }
}
