package fi.kanava.chat;

import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.infra.EmbeddedDatabase;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.ResilientChatClient;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault drills against a real PostgreSQL of the test's own (the production embedded database, so
 * its durability settings are the ones under test): during a chat in several conversations, with
 * both sides writing, the database loses a backend, freezes, or runs out of pool connections.
 * After each, every acknowledged message is stored once under the sequence number its ack gave,
 * every stored message reached each watching client exactly once, and the clients got there on
 * their own (reconnecting, reopening after their last message, resending their outbox with the
 * same client message ids), as the web client does.
 */
@DisplayName("Fault drills: nothing acknowledged is lost or duplicated, and clients resume on their own")
class FaultDrillTest {
  private static final int CONVERSATIONS = 3;
  private static final long SEND_PERIOD_MS = 150;
  /** Acknowledgements every client must collect before the fault, and again after it. */
  private static final int PROGRESS = 5;

  @TempDir
  Path dir;
  EmbeddedDatabase db;
  TestApp t;
  final List<ResilientChatClient> clients = new ArrayList<>();
  final Map<String, List<ResilientChatClient>> byConversation = new HashMap<>();

  @BeforeEach
  void start() throws IOException {
    db = EmbeddedDatabase.start(dir.resolve("postgres"), 0, Duration.ofSeconds(60));
    t = TestApp.startOn(db.database(), Map.of(
        "db.pool-size", "4",
        "db.acquire-timeout", "PT1S",
        "db.statement-timeout", "PT2S",
        "db.lock-timeout", "PT1S",
        "db.ready-check-timeout", "PT1S",
        "db.embedded.watch-interval", "PT0.1S"));
    Fixtures f = new Fixtures(t).organisations();
    ChatFixtures c = new ChatFixtures(t, f);
    try (Pro nurse = c.professional("drill-nurse", "nurse", null)) {
      c.createQueue(ChatFixtures.queue("drill", "pick"), nurse.id());
      for (int i = 0; i < CONVERSATIONS; i++) {
        try (Patient patient = c.anonymousPatient()) {
          String id = patient.ws().request(enter("drill")).getJsonObject("conversation").getString("id");
          JsonObject taken = nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
          assertThat(taken.getString("type")).as("take: " + taken).isNotEqualTo("error");
          List<ResilientChatClient> pair = List.of(
              new ResilientChatClient(t, "patient" + i, patient.token(), id),
              new ResilientChatClient(t, "nurse" + i, nurse.token(), id));
          clients.addAll(pair);
          byConversation.put(id, pair);
        }
      }
    }
  }

  @AfterEach
  void stop() throws IOException {
    clients.forEach(ResilientChatClient::close);
    if (t != null) {
      t.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void a_killed_backend_loses_nothing() {
    drill(() -> {
      // one of the server's own connections, killed as the kernel's OOM killer would: PostgreSQL
      // then ends every backend and recovers from its write-ahead log
      List<Row> backends = t.rows("select pid from pg_stat_activity where usename = current_user"
          + " and pid <> pg_backend_pid() and backend_type = 'client backend'");
      assertThat(backends).as("the server's database connections").isNotEmpty();
      long pid = backends.get(0).getInteger("pid");
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }, () -> { });
  }

  @Test
  void a_killed_postmaster_is_restarted_under_supervision_and_loses_nothing() {
    drill(() -> {
      ProcessHandle postmaster = db.postmaster().orElseThrow();
      assertThat(postmaster.destroyForcibly()).as("SIGKILL to the postmaster").isTrue();
      // every client also loses its socket while the database is away, so each must reconnect, be
      // turned away while the node cannot set its socket up, and resume on its own
      clients.forEach(ResilientChatClient::dropConnection);
      clients.get(0).awaitState("a new connection", c -> c.connections() >= 2);
    }, () -> { });
  }

  @Test
  void a_frozen_database_answers_busy_and_then_loses_nothing() {
    List<Long> pids = new ArrayList<>();
    try {
      drill(() -> {
        pids.addAll(databaseProcesses());
        signal("STOP", pids);
        // frozen longer than the pool's acquisition bound: sends are refused as busy, and readiness says so
        clients.get(0).awaitState("a send was answered database_busy", client -> client.sawError("database_busy"));
        assertThat(t.get("/health/ready", null).statusCode()).isEqualTo(503);
      }, () -> {
        signal("CONT", pids);
        pids.clear();
      });
    } finally {
      // a drill that failed while the database was stopped must not leave it stopped
      if (!pids.isEmpty()) {
        signal("CONT", pids);
      }
    }
  }

  @Test
  void an_exhausted_pool_answers_busy_and_then_loses_nothing() {
    List<SqlConnection> held = new ArrayList<>();
    drill(() -> {
      for (int i = 0; i < 4; i++) {
        held.add(TestApp.await(t.pool().getConnection()));
      }
      clients.get(0).awaitState("a send was answered database_busy", client -> client.sawError("database_busy"));
    }, () -> held.forEach(connection -> TestApp.await(connection.close())));
  }

  /** Chat on every conversation, break the database, heal it, chat on, then check every message. */
  private void drill(Runnable fault, Runnable heal) {
    clients.forEach(client -> client.startSending(SEND_PERIOD_MS));
    clients.forEach(client -> client.awaitState(PROGRESS + " acks before the fault", c -> c.ackCount() >= PROGRESS));
    fault.run();
    heal.run();
    Map<ResilientChatClient, Integer> before = new HashMap<>();
    clients.forEach(client -> before.put(client, client.ackCount()));
    clients.forEach(client -> client.awaitState(PROGRESS + " more acks after the fault",
        c -> c.ackCount() >= before.get(c) + PROGRESS));
    clients.forEach(ResilientChatClient::stopSending);
    clients.forEach(client -> client.awaitState("the outbox is empty", ResilientChatClient::outboxEmpty));
    byConversation.forEach(this::verify);
  }

  private void verify(String conversationId, List<ResilientChatClient> watching) {
    Map<Long, String> stored = new HashMap<>();
    Map<String, Long> seqByClientMsgId = new HashMap<>();
    for (Row row : t.rows("select seq, client_msg_id from message where conversation_id = $1", UUID.fromString(conversationId))) {
      stored.put(row.getLong("seq"), row.getString("client_msg_id"));
      if (row.getString("client_msg_id") != null) {
        assertThat(seqByClientMsgId.put(row.getString("client_msg_id"), row.getLong("seq")))
            .as("client message id stored twice").isNull();
      }
    }
    long last = stored.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
    for (ResilientChatClient client : watching) {
      assertThat(client.refused()).as(client + " had sends refused for good").isEmpty();
      client.acked().forEach((clientMsgId, seq) ->
          assertThat(seqByClientMsgId.get(clientMsgId)).as("acknowledged " + clientMsgId + " stored under its seq").isEqualTo(seq));
      client.awaitState("every stored message arrived", c -> c.lastSeq() >= last);
      Map<Long, Integer> deliveries = client.deliveries();
      assertThat(deliveries.keySet()).as(client + ": delivered exactly the stored messages").isEqualTo(stored.keySet());
      assertThat(deliveries.values()).as(client + ": each delivered once").allMatch(n -> n == 1);
    }
  }

  /** The postmaster (its pid is the first line of postmaster.pid) and every process it started. */
  private List<Long> databaseProcesses() {
    try {
      long postmaster = Long.parseLong(Files.readAllLines(db.dataDirectory().resolve("postmaster.pid")).get(0).trim());
      ProcessHandle handle = ProcessHandle.of(postmaster).orElseThrow();
      return Stream.concat(Stream.of(handle), handle.descendants()).map(ProcessHandle::pid).toList();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void signal(String signal, List<Long> pids) {
    // the shell's own kill: no package needed beyond the shell
    StringBuilder command = new StringBuilder("kill -" + signal);
    pids.forEach(pid -> command.append(' ').append(pid));
    try {
      Process kill = new ProcessBuilder("sh", "-c", command.toString()).inheritIO().start();
      assertThat(kill.waitFor()).as(command.toString()).isZero();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
