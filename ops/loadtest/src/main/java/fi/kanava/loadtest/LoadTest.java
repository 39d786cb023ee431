package fi.kanava.loadtest;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Entry point: {@code java -jar ops/loadtest/target/kanava-loadtest.jar --profile full|smoke [--key value ...]}.
 * Runs every phase in this process, prints the report and writes it as Markdown. The run is
 * bounded by {@code run-timeout-seconds}; the child processes are stopped however it ends.
 */
public final class LoadTest {
  private static final Logger log = LoggerFactory.getLogger(LoadTest.class);
  private static final AtomicBoolean REPORTED = new AtomicBoolean();

  private LoadTest() {}

  public static void main(String[] args) {
    Settings settings;
    try {
      settings = Settings.parse(args, repositoryRoot());
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println(e.getMessage() + "\n");
      }
      System.err.print(Settings.usage());
      System.exit(e.getMessage().isEmpty() ? 0 : 2);
      return;
    }
    Report report = new Report(settings);
    Path reportFile = settings.path("report");
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(settings.integer("event-loops")));
    HarnessRun run = settings.profile().equals("drill") ? new DrillRun(settings, report, vertx) : new Run(settings, report, vertx);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      run.stopChildren();
      finish(run, report, reportFile, "The run was interrupted (signal); the figures above are what was measured before that.");
    }, "loadtest-shutdown"));
    startWatchdog(settings, run, report, reportFile);

    int status = 0;
    try {
      run.execute();
    } catch (Throwable e) {
      log.error("The run failed", e);
      report.note("The run failed: " + e.getMessage() + " (the figures above are what was measured before that).");
      status = 1;
    } finally {
      run.stopChildren();
      finish(run, report, reportFile, null);
    }
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Vert.x did not close cleanly: {}", e.getMessage());
    }
    System.exit(status);
  }

  /** Stops the whole run after run-timeout-seconds, with what was measured so far. */
  private static void startWatchdog(Settings settings, HarnessRun run, Report report, Path reportFile) {
    Thread watchdog = new Thread(() -> {
      Work.pause(settings.decimal("run-timeout-seconds"));
      log.error("The run took longer than run-timeout-seconds ({} s); stopping it", settings.text("run-timeout-seconds"));
      finish(run, report, reportFile, "The run was stopped after run-timeout-seconds (" + settings.text("run-timeout-seconds") + " s).");
      System.exit(3);
    }, "loadtest-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
  }

  /** Adds the targets, prints the report and writes it: once, however the run ends. */
  private static void finish(HarnessRun run, Report report, Path reportFile, String note) {
    if (!REPORTED.compareAndSet(false, true)) {
      return;
    }
    if (note != null) {
      report.note(note);
    }
    run.targets();
    System.out.println(report.render());
    report.write(reportFile);
    log.info("Report written to {}", reportFile);
  }

  /** The checkout's root: the nearest directory above this jar holding backend/ and pom.xml; else the working directory. */
  private static Path repositoryRoot() {
    try {
      Path dir = Path.of(LoadTest.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath();
      for (Path p = dir; p != null; p = p.getParent()) {
        if (Files.isDirectory(p.resolve("backend")) && Files.isRegularFile(p.resolve("pom.xml"))) {
          return p;
        }
      }
    } catch (Exception e) {
      log.debug("No code source location: {}", e.getMessage());
    }
    return Path.of("").toAbsolutePath();
  }
}
