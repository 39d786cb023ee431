package fi.kanava.loadtest;

import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One clustered Kanava node of the fault drill: {@code java -jar kanava.jar --demo} as a child
 * process with {@code cluster.enabled}, loopback members, its own HTTP, Hazelcast and event-bus
 * ports, and the drill's external PostgreSQL. It can be killed with SIGKILL and started again with
 * the same settings (a new process; its log file gets a suffix per start).
 */
final class DrillNode {
  private static final Logger log = LoggerFactory.getLogger(DrillNode.class);

  final String name;
  final int httpPort;
  private final Settings s;
  private final Map<String, String> env;
  private final Path work;
  private int starts;
  private volatile ChildProcess child;

  DrillNode(Settings s, String name, int httpPort, int clusterPort, int busPort, List<String> members, DrillPostgres db, String keyEncryptionKey) {
    this.s = s;
    this.name = name;
    this.httpPort = httpPort;
    this.work = s.path("work-dir");
    env = new LinkedHashMap<>(KanavaServer.harnessEnvironment(s));
    env.put("KANAVA_HTTP_HOST", "127.0.0.1");
    env.put("KANAVA_HTTP_PORT", Integer.toString(httpPort));
    env.put("KANAVA_HTTP_TRUSTED_PROXIES", "127.0.0.1");
    env.put("KANAVA_DB_URL", db.url());
    env.put("KANAVA_DB_USER", db.user());
    env.put("KANAVA_DB_PASSWORD", "postgres");
    env.put("KANAVA_AUTH_SIGNING_KEY_ENCRYPTION_KEY", keyEncryptionKey);
    env.put("KANAVA_CLUSTER_ENABLED", "true");
    env.put("KANAVA_CLUSTER_HOST", "127.0.0.1");
    env.put("KANAVA_CLUSTER_PORT", Integer.toString(clusterPort));
    env.put("KANAVA_CLUSTER_MEMBERS", String.join(",", members));
    env.put("KANAVA_CLUSTER_EVENT_BUS_PORT", Integer.toString(busPort));
  }

  /** Starts the node and returns once its demo data is loaded and /health/ready answers 200. */
  synchronized void start(WebClient http) throws Exception {
    Files.createDirectories(work);
    List<String> command = new ArrayList<>(List.of(s.javaCommand()));
    command.addAll(Arrays.stream(s.text("server-java-opts").split("\\s+")).filter(o -> !o.isBlank()).toList());
    // the jar's main class by name rather than -jar: the same program, but a "kanava.jar --demo" pattern that
    // someone uses to stop a demo of their own on this shared machine does not match the drill's nodes
    command.addAll(List.of("-cp", s.path("server-jar").toString(), "fi.kanava.Main", "--demo"));
    Path logFile = work.resolve(name + (starts++ == 0 ? "" : "-" + starts) + ".log");
    child = ChildProcess.start(name, command, env, logFile, KanavaServer.DEMO_LOADED);
    try {
      KanavaServer.awaitReady(child, http, httpPort);
    } catch (Exception e) {
      child.kill();
      throw new IllegalStateException(name + " did not start (see " + logFile + "): " + e.getMessage(), e);
    }
    log.info("{} is ready on 127.0.0.1:{} (pid {})", name, httpPort, child.pid());
  }

  /** kill -9. */
  void kill() {
    if (child != null) {
      child.kill();
    }
  }

  void stop() {
    if (child != null) {
      child.stop(Duration.ofSeconds(30));
    }
  }

  long pid() {
    return child == null ? -1 : child.pid();
  }

  Resources resources() {
    return new Resources(pid(), null);
  }

  List<String> problems() {
    return child == null ? List.of() : child.problems();
  }

  String describeEnvironment() {
    Map<String, String> shown = new LinkedHashMap<>(env);
    shown.computeIfPresent("KANAVA_DB_PASSWORD", (k, v) -> "…");
    shown.computeIfPresent("KANAVA_AUTH_SIGNING_KEY_ENCRYPTION_KEY", (k, v) -> "…");
    return shown.toString();
  }
}
