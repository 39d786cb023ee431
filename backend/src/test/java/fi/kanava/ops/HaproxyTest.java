package fi.kanava.ops;

import static fi.kanava.support.ChatFixtures.enter;
import static fi.kanava.support.ChatFixtures.send;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.DebianPackages;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The shipped ops/haproxy/haproxy.cfg run by Debian's HAProxy in front of two nodes on one database
 * (docs/operations.md): it balances HTTP and WebSockets, its health check on /health/ready takes a
 * draining node out of rotation while that node's sockets go on, and a client whose node stops
 * reconnects through HAProxy to the other node and resumes with nothing acknowledged lost.
 * Node addresses, ports and the admin socket come in through the environment variables the file reads.
 */
@DisplayName("HAProxy with ops/haproxy/haproxy.cfg in front of two nodes")
class HaproxyTest {
  private static final Path HAPROXY = Path.of("/usr/sbin/haproxy");
  private static final long WAIT_MS = 20_000;

  Path dir;
  Process haproxy;
  final List<String> output = new ArrayList<>();
  TestApp a;
  TestApp b;
  WebClient client;

  @BeforeEach
  void start() throws IOException {
    DebianPackages.require(HAPROXY, "haproxy", "The load balancer tests");
    dir = Files.createTempDirectory("kanava-haproxy");
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (haproxy != null) {
        haproxy.destroy();
        if (!haproxy.waitFor(10, TimeUnit.SECONDS)) {
          haproxy.destroyForcibly().waitFor();
        }
      }
    } finally {
      if (client != null) {
        client.close();
      }
      if (b != null) {
        b.close();
      }
      if (a != null) {
        a.close();
      }
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @DisplayName("the shipped file passes haproxy -c as installed and as the test runs it, with TLS, and refuses to start without node addresses")
  void the_shipped_configuration_is_valid() throws Exception {
    Map<String, String> nodes = Map.of("KANAVA_NODE1", "10.0.0.11:8080", "KANAVA_NODE2", "10.0.0.12:8080");
    // as installed: chroot, user haproxy, the default ports and admin socket
    assertThat(check(nodes)).satisfies(r -> assertThat(r.code).as(r.output).isZero());
    // as this test runs it
    Map<String, String> test = new HashMap<>(environment(1, 2, 3));
    assertThat(check(test)).satisfies(r -> assertThat(r.code).as(r.output).isZero());
    // TLS terminated here, with a throwaway certificate
    Path openssl = Path.of("/usr/bin/openssl");
    if (Files.isExecutable(openssl)) {
      Path pem = dir.resolve("kanava.pem");
      Result made = run(List.of(openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=kanava.test",
          "-keyout", pem.toString(), "-out", pem.toString()), Map.of());
      assertThat(made.code).as(made.output).isZero();
      test.put("KANAVA_TLS_CERT", pem.toString());
      test.put("KANAVA_HAPROXY_TLS_BIND", "127.0.0.1:4");
      assertThat(check(test)).satisfies(r -> assertThat(r.code).as(r.output).isZero());
    }
    // without the nodes' addresses it says which lines lack them
    Result missing = check(Map.of());
    assertThat(missing.code).isNotZero();
    assertThat(missing.output).contains("'server' expects <name> and <addr>");
  }

  @Test
  @DisplayName("balances HTTP and WebSockets; a draining node is marked down and keeps its sockets; its client resumes on the other node")
  void balances_drains_and_resumes() throws Exception {
    a = TestApp.start();
    b = a.anotherNode();
    Fixtures f = new Fixtures(a).organisations();
    ChatFixtures c = new ChatFixtures(a, f);
    c.createQueue(ChatFixtures.queue("lb-chat", "auto").put("patientMayWriteWhileQueued", true), f.account("nurse-lb", "nurse"));

    int port = freePort();
    int stats = freePort();
    startHaproxy(environment(port, stats, a.app.port(), b.app.port()));
    // every client runs on node B's Vert.x, which stays up: node A is the one drained and stopped
    client = WebClient.create(b.vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));

    // HTTP through HAProxy
    String one = patientToken();
    String two = patientToken();
    assertThat(TestApp.await(client.get("/health/ready").send()).statusCode()).isEqualTo(200);

    // WebSockets through HAProxy: leastconn puts the second on the node the first did not take
    WsClient first = WsClient.connect(b, port, one);
    boolean firstOnA = servers(stats).get("node1").current() == 1;
    WsClient second = WsClient.connect(b, port, two);
    assertThat(servers(stats)).satisfies(s -> {
      assertThat(s.get("node1").current()).as("sockets on node A").isEqualTo(1);
      assertThat(s.get("node2").current()).as("sockets on node B").isEqualTo(1);
    });
    WsClient onA = firstOnA ? first : second;
    String onAToken = firstOnA ? one : two;
    WsClient onB = firstOnA ? second : first;

    JsonObject entered = onA.request(enter("lb-chat"));
    assertThat(entered.getString("type")).as(entered.encode()).isEqualTo("queue.entered");
    String conversation = entered.getJsonObject("conversation").getString("id");
    long seqOne = onA.request(send(conversation, "p1", "yksi")).getLong("seq");

    // node A drains: HAProxy's health check marks it down...
    a.app.drain();
    awaitOutput(line -> line.contains("Server kanava_nodes/node1 is DOWN"));
    Map<String, Server> down = servers(stats);
    assertThat(down.get("node1").status()).isEqualTo("DOWN");
    assertThat(down.get("node1").check()).isEqualTo("L7STS"); // the 503 "draining", not a refused connection
    HttpResponse<Buffer> ready = TestApp.await(client.get(a.app.port(), "127.0.0.1", "/health/ready").send());
    assertThat(ready.statusCode()).isEqualTo(503);
    assertThat(ready.bodyAsJsonObject().getString("status")).isEqualTo("draining");
    // ...while the socket it holds goes on working
    JsonObject ack = onA.request(send(conversation, "p2", "kaksi"));
    assertThat(ack.getString("type")).as(ack.encode()).isEqualTo("message.ack");
    long seqTwo = ack.getLong("seq");

    // new requests and sockets land on node B only
    for (int i = 0; i < 4; i++) {
      assertThat(TestApp.await(client.get("/api/queues").putHeader("authorization", "Bearer " + two).send()).statusCode()).isEqualTo(200);
    }
    try (WsClient third = WsClient.connect(b, port, patientToken())) {
      Map<String, Server> after = servers(stats);
      assertThat(after.get("node1").total()).as("requests sent to node A since it was marked down").isEqualTo(down.get("node1").total());
      assertThat(after.get("node2").total()).isGreaterThanOrEqualTo(down.get("node2").total() + 4 + 2);
      assertThat(after.get("node2").current()).as("sockets on node B").isEqualTo(2);
    }

    // node A stops: its socket closes, and the client reconnects through HAProxy and resumes on node B
    a.close();
    a = null;
    onA.awaitClose();
    onA.close();
    try (WsClient resumed = WsClient.connect(b, port, onAToken)) {
      resumed.send(new JsonObject().put("type", "conversation.open").put("conversationId", conversation).put("afterSeq", 0));
      JsonObject synced = resumed.awaitType("conversation.synced");
      assertThat(synced.getLong("lastSeq")).isEqualTo(seqTwo);
      assertThat(resumed.all("message")).extracting(m -> m.getLong("seq") + ":" + m.getString("text"))
          .containsExactly(seqOne + ":yksi", seqTwo + ":kaksi");
      assertThat(resumed.request(send(conversation, "p3", "kolme")).getLong("seq")).isEqualTo(seqTwo + 1);
      assertThat(servers(stats).get("node1").total()).as("node A is out of rotation").isEqualTo(down.get("node1").total());
    }
    onB.close();
  }

  private String patientToken() {
    HttpResponse<Buffer> session = TestApp.await(client.post("/api/patient/session").send());
    assertThat(session.statusCode()).isEqualTo(201);
    return session.bodyAsJsonObject().getString("accessToken");
  }

  /** The variables haproxy.cfg reads, for HAProxy on loopback as an ordinary process. */
  private Map<String, String> environment(int port, int stats, int node1, int node2) {
    Map<String, String> env = new HashMap<>();
    env.put("KANAVA_HAPROXY_UNPRIVILEGED", "1");
    env.put("KANAVA_HAPROXY_MAXCONN", "1000");
    env.put("KANAVA_HAPROXY_ADMIN_SOCKET", dir.resolve("admin.sock").toString());
    env.put("KANAVA_HAPROXY_BIND", "127.0.0.1:" + port);
    env.put("KANAVA_HAPROXY_STATS", "127.0.0.1:" + stats);
    env.put("KANAVA_NODE1", "127.0.0.1:" + node1);
    env.put("KANAVA_NODE2", "127.0.0.1:" + node2);
    return env;
  }

  private Map<String, String> environment(int port, int stats, int node) {
    return environment(port, stats, node, node);
  }

  private static Path config() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      Path cfg = p.resolve("ops/haproxy/haproxy.cfg");
      if (Files.isRegularFile(cfg)) {
        return cfg;
      }
    }
    throw new IllegalStateException("ops/haproxy/haproxy.cfg not found");
  }

  private record Result(int code, String output) {}

  private Result check(Map<String, String> env) throws Exception {
    return run(List.of(HAPROXY.toString(), "-c", "-f", config().toString()), env);
  }

  private static Result run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("KANAVA_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.waitFor(), text);
  }

  /** Starts HAProxy in master-worker mode in the foreground, as Debian's service does, and waits until it has loaded. */
  private void startHaproxy(Map<String, String> env) throws IOException {
    ProcessBuilder builder = new ProcessBuilder(HAPROXY.toString(), "-W", "-db", "-f", config().toString()).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("KANAVA_"));
    builder.environment().putAll(env);
    haproxy = builder.start();
    Thread reader = new Thread(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(haproxy.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          synchronized (output) {
            output.add(line);
            output.notifyAll();
          }
        }
      } catch (IOException e) {
        // HAProxy stopped
      } finally {
        synchronized (output) {
          output.add("(exited)");
          output.notifyAll();
        }
      }
    }, "haproxy-output");
    reader.setDaemon(true);
    reader.start();
    awaitOutput(line -> line.contains("Loading success."));
  }

  /** Waits for a line of HAProxy's output (its state changes are written there as they happen). */
  private void awaitOutput(Predicate<String> match) {
    long deadline = System.currentTimeMillis() + WAIT_MS;
    synchronized (output) {
      int seen = 0;
      while (true) {
        for (; seen < output.size(); seen++) {
          if (match.test(output.get(seen))) {
            return;
          }
          if (output.get(seen).equals("(exited)")) {
            throw new AssertionError("HAProxy exited: " + String.join("\n", output));
          }
        }
        long left = deadline - System.currentTimeMillis();
        if (left <= 0) {
          throw new AssertionError("HAProxy did not say what was awaited: " + String.join("\n", output));
        }
        try {
          output.wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  /** One node as HAProxy's statistics see it: sessions now and in total, status, last check. */
  private record Server(int current, long total, String status, String check) {}

  /** The backend's servers from the stats page's CSV (on loopback, as the file binds it). */
  private Map<String, Server> servers(int stats) {
    HttpResponse<Buffer> csv = TestApp.await(client.get(stats, "127.0.0.1", "/haproxy-stats;csv").send());
    assertThat(csv.statusCode()).isEqualTo(200);
    String[] lines = csv.bodyAsString().split("\n");
    List<String> header = List.of(lines[0].replaceFirst("^# ", "").split(","));
    Map<String, Server> out = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      String[] cells = lines[i].split(",", -1);
      if (cells[0].equals("kanava_nodes") && cells[1].startsWith("node")) {
        out.put(cells[1], new Server(Integer.parseInt(cells[header.indexOf("scur")]), Long.parseLong(cells[header.indexOf("stot")]),
            cells[header.indexOf("status")], cells[header.indexOf("check_status")]));
      }
    }
    return out;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
