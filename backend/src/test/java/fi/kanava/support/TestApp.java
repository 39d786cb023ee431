package fi.kanava.support;

import fi.kanava.Application;
import fi.kanava.infra.ClusterNode;
import fi.kanava.infra.ConfigLoader;
import fi.kanava.infra.Database;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.infra.Metrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A whole Kanava node for a test class: a fresh database in the shared embedded PostgreSQL, Vert.x
 * with a low blocked-thread limit, a clock the test controls and an HTTP client. The node runs as
 * the application role, as in production; {@link #pool()}, {@link #rows} and {@link #row} have
 * its privileges, and a test that must change the database behind the server's back (a trigger
 * that holds a lock, say) says so with {@link #ownerRows}.
 */
public final class TestApp implements AutoCloseable {
  /** An event-loop task longer than this fails the test (the default in production is 2 s). */
  public static final long BLOCKED_THREAD_LIMIT_MS = 200;
  public static final Instant START = Instant.parse("2026-03-02T08:00:00Z");
  /** The key-encryption key of every test node (nodes on one database must share it). */
  public static final String KEY_ENCRYPTION_KEY = fi.kanava.auth.KeyEncryptionKey.newEncodedKey();

  public final MutableClock clock;
  public final Vertx vertx;
  public final Application app;
  public final WebClient http;
  public final KanavaConfig config;
  public final Database db;
  private Pool ownerPool;
  private final Map<String, String> overrides;

  private TestApp(Map<String, String> overrides) {
    this(overrides, null, BLOCKED_THREAD_LIMIT_MS);
  }

  private TestApp(Map<String, String> overrides, Database shared, long blockedThreadLimitMs) {
    this(overrides, shared, blockedThreadLimitMs, new MutableClock(START));
  }

  /** A node on an existing database ({@code shared} null: a fresh database) with this clock. */
  private TestApp(Map<String, String> overrides, Database shared, long blockedThreadLimitMs, MutableClock clock) {
    this.clock = clock;
    Map<String, String> settings = new HashMap<>();
    settings.put("http.port", "0");
    settings.put("http.host", "127.0.0.1");
    settings.put("http.verticle-instances", "1");
    settings.put("db.pool-size", "4");
    settings.put("auth.login.failure-delay", "PT0.005S");
    settings.put("auth.login.failure-delay-max", "PT0.02S");
    settings.put("auth.password.memory-kib", "8192");
    settings.put("auth.password.iterations", "1");
    // every test client is 127.0.0.1: the per-address limits are out of the way unless a test sets them (AbuseLimitsTest)
    settings.put("abuse.anonymous-sessions.burst", "100000");
    settings.put("abuse.queue-entries.burst", "100000");
    settings.put("abuse.login-failures.burst", "100000");
    settings.put("abuse.open-conversations-per-address", "100000");
    settings.put("abuse.sockets-per-principal", "10000");
    settings.put("auth.signing-key.encryption-key", KEY_ENCRYPTION_KEY);
    settings.putAll(overrides);
    this.overrides = Map.copyOf(overrides);
    config = ConfigLoader.withOverrides(settings);
    db = shared != null ? shared : TestDb.newDatabase();
    WarmUp.once(db.app());
    PrometheusMeterRegistry registry = Metrics.createRegistry();
    VertxOptions options = new VertxOptions()
        .setMaxEventLoopExecuteTime(blockedThreadLimitMs)
        .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setWarningExceptionTime(blockedThreadLimitMs)
        .setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(50)
        .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS);
    // alone unless the test asks for cluster.enabled (ClusterTest): then this joins the other test nodes
    vertx = ClusterNode.vertx(Metrics.builder(options, registry), options, config.cluster());
    try {
      app = await(Application.start(vertx, config, db, clock, registry));
    } catch (RuntimeException e) {
      await(vertx.close());
      throw e;
    }
    http = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(app.port()));
  }

  public static TestApp start() {
    return new TestApp(Map.of());
  }

  public static TestApp start(Map<String, String> overrides) {
    return new TestApp(overrides);
  }

  /**
   * A node whose clock reads the real time until the test first moves it: for a node that shares
   * the database with one in another process ({@link ChildNode}), which runs on the real clock.
   */
  public static TestApp startOnRealTime(Map<String, String> overrides) {
    return new TestApp(overrides, null, BLOCKED_THREAD_LIMIT_MS, MutableClock.realUntilMoved());
  }

  /** The settings this node was started with on top of the test defaults (for a node in another process). */
  public Map<String, String> settings() {
    return overrides;
  }

  /**
   * For tests that share the two cores with a browser: Chromium's rendering can keep an event
   * loop off the CPU for a few hundred milliseconds without any code blocking it, so the limit
   * is {@link #BROWSER_BLOCKED_THREAD_LIMIT_MS} (still half of production's default).
   */
  public static TestApp startBesideBrowser() {
    return startBesideBrowser(Map.of());
  }

  public static TestApp startBesideBrowser(Map<String, String> overrides) {
    return new TestApp(overrides, null, BROWSER_BLOCKED_THREAD_LIMIT_MS);
  }

  public static final long BROWSER_BLOCKED_THREAD_LIMIT_MS = 1000;

  /**
   * A node on a database the test started itself, for example an {@link fi.kanava.infra.EmbeddedDatabase}
   * (its {@code database()}), which the node then supervises, as in production; or one prepared by the
   * test (migrated or not).
   */
  public static TestApp startOn(Database db, Map<String, String> overrides) {
    return new TestApp(overrides, db, BLOCKED_THREAD_LIMIT_MS);
  }

  /** A second node on this node's database, with the same settings: what another server of a cluster would do. */
  public TestApp anotherNode() {
    return new TestApp(overrides, db, BLOCKED_THREAD_LIMIT_MS);
  }

  /** A second node on this node's database with these settings changed (its own cluster ports, say). */
  public TestApp anotherNode(Map<String, String> differing) {
    Map<String, String> settings = new HashMap<>(overrides);
    settings.putAll(differing);
    return new TestApp(settings, db, BLOCKED_THREAD_LIMIT_MS);
  }

  public Pool pool() {
    return app.pool();
  }

  /** All rows of a query, read directly from the database. */
  public List<Row> rows(String sql, Object... params) {
    List<Row> out = new ArrayList<>();
    await(pool().preparedQuery(sql).execute(Tuple.from(params))).forEach(out::add);
    return out;
  }

  /** The first row of a query (it must have one), read directly from the database. */
  public Row row(String sql, Object... params) {
    return await(pool().preparedQuery(sql).execute(Tuple.from(params))).iterator().next();
  }

  /** A pool that connects as the owner of the tables, not as the server: for tests that tamper with the database. */
  public synchronized Pool ownerPool() {
    if (ownerPool == null) {
      ownerPool = PgBuilder.pool().connectingTo(db.owner().connectOptions()).using(vertx).build();
    }
    return ownerPool;
  }

  /** All rows of a statement run as the owner of the tables (creating a trigger, reading Flyway's history). */
  public List<Row> ownerRows(String sql, Object... params) {
    List<Row> out = new ArrayList<>();
    await(ownerPool().preparedQuery(sql).execute(Tuple.from(params))).forEach(out::add);
    return out;
  }

  /**
   * Waits until the query's one boolean is true, checking again as soon as each check returns (every
   * check a database round trip, no fixed waits): for a fact the server records after an event the
   * test cannot observe otherwise, such as a socket's close being handled.
   */
  public void awaitTrue(String query, Object... params) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!row(query, params).getBoolean(0)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + query);
      }
    }
  }

  /** Waits for a future from the test thread (never an event loop). */
  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<Buffer> send(HttpMethod method, String path, String token, Object body) {
    HttpRequest<Buffer> request = http.request(method, path);
    if (token != null) {
      request.putHeader("authorization", "Bearer " + token);
    }
    Future<HttpResponse<Buffer>> response;
    if (body == null) {
      response = request.send();
    } else if (body instanceof JsonObject json) {
      response = request.sendJsonObject(json);
    } else {
      response = request.putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(body.toString()));
    }
    return await(response);
  }

  public HttpResponse<Buffer> get(String path, String token) {
    return send(HttpMethod.GET, path, token, null);
  }

  public HttpResponse<Buffer> post(String path, String token, Object body) {
    return send(HttpMethod.POST, path, token, body);
  }

  @Override
  public void close() {
    http.close();
    try {
      await(vertx.close());
    } catch (IllegalStateException e) {
      if (!(e.getCause() instanceof java.util.concurrent.TimeoutException)) {
        throw e;
      }
      // as Main's shutdown does (30 s, then go on): an open bug, closing note of stop 21; no thread is blocked when
      // it happens, so the dump is for whoever looks into it. The test itself has passed or failed already.
      System.err.println("Vert.x did not close within 30 s; going on without it. Its threads:\n" + threadDump());
    }
  }

  /** Every thread's stack, for a close that hangs (jstack cannot attach to a surefire fork). */
  private static String threadDump() {
    StringBuilder out = new StringBuilder();
    for (java.lang.management.ThreadInfo info : java.lang.management.ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      out.append('"').append(info.getThreadName()).append("\" ").append(info.getThreadState()).append('\n');
      for (StackTraceElement frame : info.getStackTrace()) {
        out.append("    at ").append(frame).append('\n');
      }
      if (info.getLockInfo() != null) {
        out.append("    waiting on ").append(info.getLockInfo()).append('\n');
      }
    }
    return out.toString();
  }
}
