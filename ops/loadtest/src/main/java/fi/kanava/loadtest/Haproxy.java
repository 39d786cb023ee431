package fi.kanava.loadtest;

import io.vertx.ext.web.client.WebClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Debian's HAProxy ({@code /usr/sbin/haproxy}) running the shipped {@code ops/haproxy/haproxy.cfg}
 * unchanged, as an ordinary process on loopback: the node addresses, its ports and its admin socket
 * come in through the variables the file reads, and {@code KANAVA_HAPROXY_UNPRIVILEGED} leaves out
 * the chroot and the user change (as HaproxyTest runs it). The drill runs several, each with its own
 * name, ports, admin socket and log ({@link Balancers}).
 */
final class Haproxy {
  private static final Logger log = LoggerFactory.getLogger(Haproxy.class);
  static final Path BINARY = Path.of("/usr/sbin/haproxy");

  final String name;
  final int port;
  final int statsPort;
  private final ChildProcess child;
  private final Map<String, String> env;
  private final Path adminSocket;

  private Haproxy(String name, int port, int statsPort, ChildProcess child, Map<String, String> env, Path adminSocket) {
    this.name = name;
    this.port = port;
    this.statsPort = statsPort;
    this.child = child;
    this.env = env;
    this.adminSocket = adminSocket;
  }

  /**
   * Starts HAProxy {@code name} in front of the nodes (its admin socket and log named after it) and
   * returns once a request through it reaches a ready node.
   */
  static Haproxy start(Settings s, WebClient http, List<DrillNode> nodes, String name) throws Exception {
    if (!Files.isExecutable(BINARY)) {
      throw new IllegalStateException(BINARY + " is missing: apt-get install haproxy");
    }
    Path config = s.path("haproxy-config");
    Path work = s.path("work-dir");
    Files.createDirectories(work);
    int port = KanavaServer.freePort();
    int stats = KanavaServer.freePort();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KANAVA_HAPROXY_UNPRIVILEGED", "1");
    env.put("KANAVA_HAPROXY_MAXCONN", s.text("haproxy-maxconn"));
    Path adminSocket = work.resolve(name + "-admin.sock");
    Path logFile = work.resolve(name + ".log");
    env.put("KANAVA_HAPROXY_ADMIN_SOCKET", adminSocket.toString());
    env.put("KANAVA_HAPROXY_BIND", "127.0.0.1:" + port);
    env.put("KANAVA_HAPROXY_STATS", "127.0.0.1:" + stats);
    for (int i = 0; i < nodes.size(); i++) {
      env.put("KANAVA_NODE" + (i + 1), "127.0.0.1:" + nodes.get(i).httpPort);
    }
    List<String> command = List.of(BINARY.toString(), "-W", "-db", "-f", config.toString());
    ChildProcess child = ChildProcess.start(name, command, env, logFile);
    Haproxy haproxy = new Haproxy(name, port, stats, child, env, adminSocket);
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      int status;
      try {
        status = http.get(port, "127.0.0.1", "/health/ready").send().map(r -> r.statusCode()).await(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        status = -1;
      }
      if (status == 200) {
        break;
      }
      if (System.nanoTime() > deadline) {
        haproxy.stop();
        throw new IllegalStateException(name + " did not pass a request to a ready node within 60 s (see " + logFile + ")");
      }
      Work.pause(0.5);
    }
    log.info("{} is in front of the nodes on 127.0.0.1:{} (pid {})", name, port, child.pid());
    return haproxy;
  }

  /**
   * Puts a node into maintenance ({@code maint}: no new connections, its open ones kept) or back
   * ({@code ready}) through the admin socket, as an operator would with socat.
   */
  void state(String server, String state) throws IOException {
    String answer = command("set server kanava_nodes/" + server + " state " + state);
    if (!answer.isBlank()) {
      throw new IOException(name + " answered: " + answer.strip());
    }
    log.info("{}: {} is {}", name, server, state);
  }

  /** Waits until HAProxy's statistics show {@code server} UP (its health checks passed). */
  void awaitUp(String server, int timeoutSeconds) throws IOException {
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (String row : command("show stat").split("\n")) {
        String[] cells = row.split(",");
        if (cells.length > 17 && cells[0].equals("kanava_nodes") && cells[1].equals(server) && cells[17].startsWith("UP")) {
          return;
        }
      }
      Work.pause(0.25);
    }
    throw new IOException(server + " was not UP in " + name + " within " + timeoutSeconds + " s");
  }

  /** The public frontend's sessions: {current, total since the start}, from {@code show stat}. */
  long[] frontendSessions() throws IOException {
    for (String row : command("show stat").split("\n")) {
      String[] cells = row.split(",");
      if (cells.length > 7 && cells[0].equals("kanava") && cells[1].equals("FRONTEND")) {
        return new long[] {Long.parseLong(cells[4]), Long.parseLong(cells[7])};
      }
    }
    throw new IOException(name + " shows no statistics for its frontend");
  }

  /**
   * The worker's process id ({@code show info}): with {@code -W} the process started is the master,
   * and the worker holds the connections.
   */
  long workerPid() throws IOException {
    for (String line : command("show info").split("\n")) {
      if (line.startsWith("Pid: ")) {
        return Long.parseLong(line.substring(5).strip());
      }
    }
    throw new IOException(name + " shows no Pid in show info");
  }

  private String command(String line) throws IOException {
    try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(adminSocket))) {
      channel.write(ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8)));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer buffer = ByteBuffer.allocate(4096);
      while (channel.read(buffer) > 0) {
        out.write(buffer.array(), 0, buffer.position());
        buffer.clear();
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  long pid() {
    return child.pid();
  }

  String describeEnvironment() {
    return env.toString();
  }

  void stop() {
    child.stop(Duration.ofSeconds(10));
  }
}
