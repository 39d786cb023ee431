package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A child JVM (the Kanava server or the relay). Its output goes to a log file, line by line, and
 * lines can be waited for ({@link #line}). It also tallies warnings and errors in that output, so
 * the report can point at server-side trouble. The lines to wait for are named at start, before
 * the output is read, so none can be missed. Stopped with SIGTERM, then forcibly after a grace.
 */
final class ChildProcess {
  private static final Logger log = LoggerFactory.getLogger(ChildProcess.class);
  private static final int KEPT_PROBLEMS = 12;

  private final String name;
  private final Process process;
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> problems = new LinkedHashMap<>();

  private record Watch(String needle, Promise<String> promise) {}

  private ChildProcess(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  static ChildProcess start(String name, List<String> command, Map<String, String> env, Path logFile, String... awaitedLines)
      throws IOException {
    Files.createDirectories(logFile.getParent());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(k -> k.startsWith("KANAVA_") || k.startsWith("PG"));
    builder.environment().putAll(env);
    log.info("Starting {}: {}", name, String.join(" ", command));
    ChildProcess child = new ChildProcess(name, builder.start());
    for (String needle : awaitedLines) {
      child.watches.add(new Watch(needle, Promise.promise()));
    }
    Thread pump = new Thread(() -> child.pump(logFile), name + "-log");
    pump.setDaemon(true);
    pump.start();
    return child;
  }

  /** Completes with the first output line containing {@code needle} (named at start); fails if the process ends first. */
  Future<String> line(String needle) {
    return watches.stream().filter(w -> w.needle().equals(needle)).findFirst()
        .map(w -> w.promise().future())
        .orElseGet(() -> Future.failedFuture("no watch for '" + needle + "' was set up at start"));
  }

  private void pump(Path logFile) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Writer out = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        out.write(line);
        out.write('\n');
        for (Watch w : watches) {
          if (line.contains(w.needle())) {
            w.promise().tryComplete(line);
          }
        }
        tally(line);
      }
      out.flush();
    } catch (IOException e) {
      log.warn("Lost the output of {}: {}", name, e.getMessage());
    } finally {
      waitForExit();
      for (Watch w : watches) {
        w.promise().tryFail(name + " ended (exit code " + exitCode() + ") before printing '" + w.needle() + "'");
      }
    }
  }

  /** Counts WARN and ERROR lines by logger and message start (numbers and ids blanked so repeats group). */
  private void tally(String line) {
    int level = line.indexOf(" WARN ");
    if (level < 0) {
      level = line.indexOf(" ERROR ");
    }
    if (level < 0 && !line.contains("has been blocked for")) {
      return;
    }
    String key = line.substring(Math.max(0, level)).replaceAll("\\[[^]]*]", "[…]").replaceAll("[0-9a-f-]{36}", "<id>")
        .replaceAll("\\d+", "N").strip();
    key = key.length() > 160 ? key.substring(0, 160) + "…" : key;
    synchronized (problems) {
      if (problems.containsKey(key) || problems.size() < KEPT_PROBLEMS) {
        problems.merge(key, 1, Integer::sum);
      } else {
        problems.merge("(other warnings and errors)", 1, Integer::sum);
      }
    }
  }

  /** Warning and error lines seen so far, grouped, with counts. */
  List<String> problems() {
    synchronized (problems) {
      List<String> out = new ArrayList<>();
      problems.forEach((k, n) -> out.add(n + " × " + k));
      return out;
    }
  }

  long pid() {
    return process.pid();
  }

  private void waitForExit() {
    try {
      process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String exitCode() {
    return process.isAlive() ? "running" : Integer.toString(process.exitValue());
  }

  /** SIGKILL at once (kill -9), as when a machine or a JVM dies; returns when the process is gone. */
  void kill() {
    if (!process.isAlive()) {
      return;
    }
    log.info("Killing {} (pid {}) with SIGKILL", name, process.pid());
    process.toHandle().destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM, wait up to {@code grace} for the exit, then SIGKILL. Harmless when already stopped. */
  void stop(Duration grace) {
    if (!process.isAlive()) {
      return;
    }
    log.info("Stopping {} (pid {})", name, process.pid());
    // through the handle: Process.destroy() would also close the output we are still reading
    process.toHandle().destroy();
    try {
      if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("{} did not stop within {}; killing it", name, grace);
        process.toHandle().destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }
}
