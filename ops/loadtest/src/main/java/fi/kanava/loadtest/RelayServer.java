package fi.kanava.loadtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The baseline relay as a child process: {@code java -cp kanava-loadtest.jar fi.kanava.loadtest.BaselineRelay <port>}. */
final class RelayServer {
  final int port;
  private final ChildProcess child;

  private RelayServer(int port, ChildProcess child) {
    this.port = port;
    this.child = child;
  }

  static RelayServer start(Settings s) throws Exception {
    Path jar = s.path("loadtest-jar");
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " is missing (set --loadtest-jar)");
    }
    int port = KanavaServer.freePort();
    List<String> command = List.of(s.javaCommand(), "-cp", jar.toString(), BaselineRelay.class.getName(), Integer.toString(port));
    ChildProcess child = ChildProcess.start("relay", command, Map.of(), s.path("work-dir").resolve("relay.log"), BaselineRelay.LISTENING);
    RelayServer relay = new RelayServer(port, child);
    try {
      child.line(BaselineRelay.LISTENING).await(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      relay.stop();
      throw new IllegalStateException("The relay did not start: " + e.getMessage(), e);
    }
    return relay;
  }

  Resources resources() {
    return new Resources(child.pid(), null);
  }

  void stop() {
    child.stop(Duration.ofSeconds(20));
  }
}
