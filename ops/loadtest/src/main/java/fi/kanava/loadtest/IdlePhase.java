package fi.kanava.loadtest;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.WebSocket;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle connections: opens N authenticated patient WebSockets (each with its own session), holds
 * them, and measures the server JVM's memory before and after: after a full GC, the resident set
 * split at the Java heap ({@link ServerMemory}) and the JVM's own figures from /metrics, so that
 * neither garbage nor G1 resizing the heap counts as connection memory.
 */
final class IdlePhase {
  private static final Logger log = LoggerFactory.getLogger(IdlePhase.class);

  /**
   * Per connection: {@code kbEstimate} is the growth of the live heap plus the growth (if any) of the resident memory
   * outside the Java heap, which G1 resizing the heap does not distort; {@code kbRss} is plain RSS growth.
   */
  record Result(int requested, int opened, int stillOpen, double kbEstimate, double kbRss, double kbHeap) {}

  record Memory(ServerMemory.Sample os, KanavaApi.JvmMemory jvm) {}

  /**
   * Per connection, from two measurements around {@code opened} connections: the growth of the live
   * heap plus the growth (if any) of the resident memory outside the heap; plain RSS growth; heap growth.
   */
  record PerConnection(double kbEstimate, double kbRss, double kbHeap, double kbOutsideHeap) {
    static PerConnection between(Memory before, Memory after, int opened) {
      double rssKb = opened == 0 ? Double.NaN : (after.os().rssKb() - before.os().rssKb()) / (double) opened;
      double outsideKb = opened == 0 ? Double.NaN : (after.os().outsideHeapKb() - before.os().outsideHeapKb()) / (double) opened;
      double heapKb = opened == 0 ? Double.NaN : (after.jvm().heapUsed() - before.jvm().heapUsed()) / 1024.0 / opened;
      // off-heap RSS also moves for reasons of its own (malloc trimming, GC tables sized with the heap): never let it hide heap growth
      return new PerConnection(heapKb + Math.max(0, outsideKb), rssKb, heapKb, outsideKb);
    }
  }

  private IdlePhase() {}

  static Result run(Settings s, Loops loops, KanavaApi api, KanavaServer server, Report report) {
    int n = s.integer("idle-connections");
    PhaseStats stats = new PhaseStats("idle");
    log.info("Idle phase: opening {} patient WebSockets", n);
    Memory before = measure(server.pid(), api);
    Resources resources = server.resources();
    Resources.Snapshot opening = resources.snapshot();
    long started = System.nanoTime();
    AtomicBoolean closing = new AtomicBoolean();
    List<WebSocket> sockets = Work.bounded(n, s.integer("connect-concurrency"), 120 + n / 20,
        i -> openIdle(loops, api, server.port, stats, closing));
    double openSeconds = (System.nanoTime() - started) / 1e9;
    Resources.Usage openUsage = Resources.between(opening, resources.snapshot());
    int opened = (int) sockets.stream().filter(Objects::nonNull).count();
    log.info("Idle phase: {} of {} open after {} s; holding them for {} s", opened, n, String.format("%.1f", openSeconds),
        s.integer("idle-hold-seconds"));
    Work.pause(s.decimal("idle-hold-seconds"));
    int stillOpen = (int) sockets.stream().filter(ws -> ws != null && !ws.isClosed()).count();
    Memory after = measure(server.pid(), api);
    closing.set(true);
    Work.await(Future.join(sockets.stream().filter(Objects::nonNull).map(WebSocket::close).toList()), 60);

    PerConnection per = PerConnection.between(before, after, opened);
    double rssKb = per.kbRss();
    double outsideKb = per.kbOutsideHeap();
    double heapKb = per.kbHeap();
    double estimateKb = per.kbEstimate();
    report.section("Idle connections (Kanava)");
    report.line(String.format("- Requested %,d authenticated patient WebSockets (one anonymous session each); **%,d opened** in %.1f s"
        + " (%s at a time); **%,d still open** after holding them %s s.", n, opened, openSeconds, s.text("connect-concurrency"), stillOpen,
        s.text("idle-hold-seconds")));
    report.line(String.format("- Server CPU while opening them: %s; about %.1f ms of server JVM CPU and %.1f ms of PostgreSQL CPU per"
        + " connection (session, handshake with token check, ready).", openUsage.describe(), cpuMs(openUsage.jvmCpu(), openSeconds, opened),
        cpuMs(openUsage.pgCpu(), openSeconds, opened)));
    report.line(String.format("- **Server memory per connection: %.1f KB**: growth of the live heap (%.1f KB) plus growth of the RSS outside"
        + " the Java heap (%.1f KB; counted as 0 when negative). Plain RSS growth, which G1 resizing the heap distorts: %.1f KB.",
        estimateKb, heapKb, outsideKb, rssKb));
    report.line("- " + (before.os().collected() && after.os().collected() && before.os().heapRssKb() >= 0
        ? "Both measurements were taken right after a full GC (jcmd GC.run); the heap's resident share is read from /proc/<pid>/smaps."
        : "jcmd was not available: no GC before measuring and no heap split, so the figures are rough."));
    report.blank();
    report.line("| Server JVM (MB) | Before | After | Per connection (KB) |\n|---|---:|---:|---:|");
    memoryRow(report, "Resident set (VmRSS)", before.os().rssKb() * 1024, after.os().rssKb() * 1024, opened);
    memoryRow(report, "Resident outside the Java heap", before.os().outsideHeapKb() * 1024, after.os().outsideHeapKb() * 1024, opened);
    memoryRow(report, "Heap in use (jvm_memory_used, heap)", before.jvm().heapUsed(), after.jvm().heapUsed(), opened);
    memoryRow(report, "Heap committed", before.jvm().heapCommitted(), after.jvm().heapCommitted(), opened);
    memoryRow(report, "Non-heap in use (metaspace, code cache)", before.jvm().nonHeapUsed(), after.jvm().nonHeapUsed(), opened);
    memoryRow(report, "Direct buffers (Netty)", before.jvm().directBuffers(), after.jvm().directBuffers(), opened);
    report.blank();
    report.line(Latency.header());
    report.line(stats.setup.row("Connection set-up under the burst"));
    report.blank();
    ChatPhase.errorLines(report, stats);
    return new Result(n, opened, stillOpen, estimateKb, rssKb, heapKb);
  }

  private static double cpuMs(double percentOfCore, double seconds, int count) {
    return count == 0 ? Double.NaN : percentOfCore / 100 * seconds * 1000 / count;
  }

  private static void memoryRow(Report report, String name, long before, long after, int connections) {
    report.line(String.format("| %s | %.1f | %.1f | %.1f |", name, before / 1048576.0, after / 1048576.0,
        connections == 0 ? Double.NaN : (after - before) / 1024.0 / connections));
  }

  private static Future<WebSocket> openIdle(Loops loops, KanavaApi api, int port, PhaseStats stats, AtomicBoolean closing) {
    Context context = loops.next();
    return Loops.on(context, () -> api.patientSession().recover(e -> {
      stats.error("patient session failed");
      return Future.failedFuture(e);
    }).compose(token -> {
      long started = System.nanoTime();
      Promise<WebSocket> ready = Promise.promise();
      return loops.connect(port, "/ws", List.of("kanava.v1", "kanava.auth." + token)).recover(e -> {
        stats.error("connect failed: " + e.getClass().getSimpleName());
        return Future.failedFuture(e);
      }).compose(ws -> {
        ws.textMessageHandler(text -> {
          if ("ready".equals(new JsonObject(text).getString("type")) && ready.tryComplete(ws)) {
            stats.setup.recordNanos(System.nanoTime() - started);
          }
        });
        ws.closeHandler(v -> {
          if (!ready.tryFail("closed") && !closing.get()) {
            stats.error("idle socket closed by server (" + ws.closeStatusCode() + ")");
          }
        });
        long timer = context.owner().setTimer(30_000, t -> {
          if (ready.tryFail("timeout")) {
            stats.error("timeout: no ready frame");
            ws.close();
          }
        });
        return ready.future().onComplete(ar -> context.owner().cancelTimer(timer));
      });
    }));
  }

  /** RSS split at the heap (after a full GC, see {@link ServerMemory}) and the JVM's own figures from /metrics. */
  /** The server JVM's memory right after a full GC (jcmd), and its own figures from /metrics (read through {@code api}). */
  static Memory measure(long pid, KanavaApi api) {
    ServerMemory.Sample os = ServerMemory.sample(pid);
    KanavaApi.JvmMemory jvm = new KanavaApi.JvmMemory(0, 0, 0, 0);
    try {
      String token = api.login("esihenkilo", KanavaApi.DEMO_PASSWORD).await(30, TimeUnit.SECONDS);
      jvm = api.jvmMemory(token).await(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Could not read /metrics: {}", e.getMessage());
    }
    return new Memory(os, jvm);
  }
}
