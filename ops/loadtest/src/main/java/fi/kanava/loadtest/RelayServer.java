package fi.kanava.loadtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A baseline relay as a child process: {@code java -cp kanava-loadtest.jar fi.kanava.loadtest.BaselineRelay <port>},
 * with {@code --durable} and the database in its environment (PG* variables) for the durable relay.
 */
final class RelayServer {
  final int port;
  private final ChildProcess child;
  private final Path postgresDataDir;

  private RelayServer(int port, ChildProcess child, Path postgresDataDir) {
    this.port = port;
    this.child = child;
    this.postgresDataDir = postgresDataDir;
  }

  /** The bare relay: log in relay.log. */
  static RelayServer bare(Settings s) throws Exception {
    return start(s, "relay", List.of(), Map.of(), null);
  }

  /**
   * The durable relay, storing into {@code db}: log in durable-relay.log. {@code postgresDataDir} is
   * where that PostgreSQL keeps its data when it runs on this machine (so its CPU is measured), else null.
   */
  static RelayServer durable(Settings s, Database db, Path postgresDataDir) throws Exception {
    return start(s, "durable-relay", List.of(BaselineRelay.DURABLE), db.childEnvironment(), postgresDataDir);
  }

  private static RelayServer start(Settings s, String name, List<String> flags, Map<String, String> env, Path postgresDataDir)
      throws Exception {
    Path jar = s.path("loadtest-jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing (set --loadtest-jar)");
    }
    int port = KanavaServer.freePort();
    List<String> command = new ArrayList<>(List.of(s.javaCommand(), "-cp", jar.toString(), BaselineRelay.class.getName(),
        Integer.toString(port)));
    command.addAll(flags);
    ChildProcess child = ChildProcess.start(name, command, env, s.path("work-dir").resolve(name + ".log"), BaselineRelay.LISTENING);
    RelayServer relay = new RelayServer(port, child, postgresDataDir);
    try {
      child.line(BaselineRelay.LISTENING).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      relay.stop();
      throw new IllegalStateException("The " + name + " did not start (see " + s.path("work-dir").resolve(name + ".log") + "): "
          + e.getMessage(), e);
    }
    return relay;
  }

  Resources resources() {
    return new Resources(child.pid(), postgresDataDir);
  }

  List<String> problems() {
    return child.problems();
  }

  void stop() {
    child.stop(Duration.ofSeconds(20));
  }
}
