package fi.kanava.support;

import fi.kanava.infra.ConfigLoader;
import fi.kanava.infra.DbTarget;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Kanava node in a JVM of its own ({@code java -cp <the test's class path> fi.kanava.Main}),
 * configured through its environment as in production, on a test node's database: the one kind of
 * node a test can kill hard ({@link #kill}: SIGKILL, no shutdown hook, no drain, no goodbye to the
 * cluster). It runs on the real clock. Its output goes to the test's output, prefixed.
 */
public final class ChildNode implements AutoCloseable {
  private static final long START_TIMEOUT_S = 120;
  private final Process process;
  private final int port;
  private final CompletableFuture<Void> listening = new CompletableFuture<>();

  private ChildNode(Map<String, String> settings, int port) {
    this.port = port;
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "fi.kanava.Main"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(name -> name.startsWith("KANAVA_") || name.startsWith("PG"));
    settings.forEach((key, value) -> env.put(ConfigLoader.envName(key), value));
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // a test JVM that ends abruptly takes its child with it
    Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly, "child-node-reaper-" + port));
    Thread pump = new Thread(this::pump, "child-node-" + port);
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Starts a node on {@code node}'s database with {@code node}'s settings, {@code differing} on top
   * (its own cluster ports), and waits until it says it is listening.
   */
  public static ChildNode start(TestApp node, Map<String, String> differing) {
    int port = ClusterNodes.freePort();
    DbTarget app = node.db.app();
    Map<String, String> settings = new HashMap<>(node.settings());
    settings.putAll(differing);
    settings.put("http.host", "127.0.0.1");
    settings.put("http.port", Integer.toString(port));
    settings.put("db.url", "postgresql://" + app.host() + ":" + app.port() + "/" + app.database());
    settings.put("db.user", app.user());
    settings.put("db.password", "unused: trust");
    settings.put("db.migration.user", node.db.owner().user());
    settings.put("db.migration.password", "unused: trust");
    settings.put("auth.signing-key.encryption-key", TestApp.KEY_ENCRYPTION_KEY);
    settings.put("auth.password.memory-kib", "8192");
    settings.put("auth.password.iterations", "1");
    settings.put("abuse.sockets-per-principal", "10000");
    ChildNode child = new ChildNode(settings, port);
    try {
      child.listening.get(START_TIMEOUT_S, TimeUnit.SECONDS);
    } catch (Exception e) {
      child.kill();
      throw new AssertionError("the child node did not start", e);
    }
    return child;
  }

  private void pump() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        System.out.println("[child " + port + "] " + line);
        if (line.contains("Kanava listening on")) {
          listening.complete(null);
        }
      }
    } catch (IOException e) {
      // the process was killed: its output ends
    }
    listening.completeExceptionally(new IllegalStateException("the child node's output ended before it listened"));
  }

  public int port() {
    return port;
  }

  /** Kills the node at once (SIGKILL) and waits until the process is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("the child node did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
  }
}
