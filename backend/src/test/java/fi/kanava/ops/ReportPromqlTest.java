package fi.kanava.ops;

import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.DebianPackages;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monthly report equals what Prometheus shows: chats with waits, outcomes and feedback are run
 * on a fresh node (its meters start at zero, so a counter's value is its count since the window
 * began), Debian's Prometheus (package prometheus) scrapes it, and each exact expression documented
 * in docs/metrics.md is evaluated by Prometheus and compared with the report's field, per queue and
 * in total. Without the package the test skips with a message naming it; with CI=true it fails.
 */
@DisplayName("The monthly report equals the documented PromQL figures that a real Prometheus computes from the node's metrics")
class ReportPromqlTest {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final String SCRAPE_TOKEN = "report-promql-test-scrape-token-0123456789";
  private static final String A = "promql-a";
  private static final String B = "promql-b";
  /** A row of the docs' table of exact expressions: the report field and the PromQL. */
  private static final Pattern EXACT = Pattern.compile("^\\| `([a-zA-Z]+)` \\| `(.+)` \\|$");
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  @DisplayName("every documented exact expression equals the report's field for each queue and in total")
  void report_equals_promql(@TempDir Path dir) throws Exception {
    DebianPackages.require(PROMETHEUS, "prometheus", "The report-equals-PromQL check");
    Map<String, String> expressions = documentedExpressions();
    assertThat(expressions).as("exact expressions in docs/metrics.md").containsKeys("contacts", "nps", "responseRate", "closed");

    try (TestApp t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN, "abuse.queue-entries.burst", "50"))) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      f.account("promql-supervisor", "supervisor");
      int requested;
      try (Pro nurse = c.professional("promql-nurse", "nurse", "available")) {
        // the feedback's unit is the serving professional's service unit, as the report's rows by unit
        t.rows("update account set unit_id = 'test-unit' where id = $1", nurse.id());
        c.createQueue(ChatFixtures.queue(A, "pick"), nurse.id());
        c.createQueue(ChatFixtures.queue(B, "pick"), nurse.id());
        // A: waits 30-400 s; promoters 10 and 9, a passive 8, a detractor 6, a skip, one not answered; one left the queue
        chat(t, c, nurse, A, 30, "resolved", 10);
        chat(t, c, nurse, A, 60, "resolved", 9);
        chat(t, c, nurse, A, 90, "referred", 6);
        chat(t, c, nurse, A, 120, "resolved", 8);
        chat(t, c, nurse, A, 200, "resolved", -1);
        chat(t, c, nurse, A, 400, "appointment_booked", null);
        abandoned(t, c, A, 45);
        // B: one detractor
        chat(t, c, nurse, B, 10, "resolved", 3);
        requested = 7;
      }
      // the feedback requests are counted after each close, off the close's reply: wait for the node's own count
      awaitOwnCount(t, "kanava_feedback_requests_total", requested);
      long seededAt = System.currentTimeMillis();

      String month = YearMonth.from(t.clock.instant().atZone(fi.kanava.report.Reports.TIME_ZONE)).toString();
      // signed in now: the seeding moved the clock past a token's lifetime
      String supervisor = f.accessToken("promql-supervisor");
      var response = t.get("/api/reports/monthly?month=" + month, supervisor);
      assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
      JsonObject report = response.bodyAsJsonObject();
      assertThat(report.getJsonObject("total").getLong("contacts")).as(report.encode()).isEqualTo(8);
      var unitResponse = t.get("/api/reports/monthly?month=" + month + "&by=unit", supervisor);
      assertThat(unitResponse.statusCode()).as(unitResponse.bodyAsString()).isEqualTo(200);
      JsonObject unitRow = unitResponse.bodyAsJsonObject().getJsonArray("units").stream().map(JsonObject.class::cast)
          .filter(r -> "test-unit".equals(r.getString("unitId"))).findFirst().orElseThrow(() -> new AssertionError(unitResponse.bodyAsString()));

      Process prometheus = startPrometheus(dir, t.app.port());
      try {
        String api = "http://127.0.0.1:" + apiPort;
        // a scrape that began after the seeding is in
        awaitQuery(api, "timestamp(up{job=\"kanava\"} == 1) >= " + (seededAt / 1000.0));
        for (Map.Entry<String, String> e : expressions.entrySet()) {
          String field = e.getKey();
          Map<String, Double> byQueue = query(api, e.getValue());
          for (String queue : List.of(A, B)) {
            JsonObject row = row(report, queue);
            assertThat(comparable(field, byQueue.get(queue))).as("%s of %s: %s", field, queue, e.getValue())
                .isEqualTo(comparable(field, number(row, field)));
          }
          if (UNIT_FIELDS.contains(field)) {
            // the feedback figures by unit: the meters' unit label is the report's unit
            String byUnit = e.getValue().replace("by (queue)", "by (unit)");
            assertThat(comparable(field, query(api, byUnit).get("test-unit"))).as("%s of the unit: %s", field, byUnit)
                .isEqualTo(comparable(field, number(unitRow, field)));
          }
          String total = e.getValue().replace("by (queue) ", "");
          Map<String, Double> all = query(api, total);
          assertThat(comparable(field, all.get(""))).as("%s in total: %s", field, total)
              .isEqualTo(comparable(field, number(report.getJsonObject("total"), field)));
        }
      } finally {
        prometheus.destroy();
        if (!prometheus.waitFor(30, TimeUnit.SECONDS)) {
          prometheus.destroyForcibly().waitFor();
        }
      }
    }
  }

  /** A chat in {@code queue}: taken after {@code waitSeconds}, closed with {@code outcome}; answered with {@code score}, skipped (-1) or not (null). */
  private static void chat(TestApp t, ChatFixtures c, Pro nurse, String queue, long waitSeconds, String outcome, Integer score) {
    try (Patient patient = c.anonymousPatient()) {
      JsonObject entered = patient.ws().request(enter(queue));
      String id = entered.getJsonObject("conversation").getString("id");
      t.clock.advance(Duration.ofSeconds(waitSeconds));
      JsonObject taken = nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
      assertThat(taken.getString("code")).as(taken.encode()).isNull();
      t.clock.advance(Duration.ofMinutes(5));
      JsonObject close = new JsonObject().put("type", "conversation.close").put("conversationId", id).put("outcome", outcome);
      if ("referred".equals(outcome)) {
        close.put("detail", "to a physician");
      }
      JsonObject closed = nurse.ws().request(close);
      assertThat(closed.getString("type")).as(closed.encode()).isEqualTo("conversation.closed");
      if (score != null) {
        JsonObject answer = score < 0 ? new JsonObject().put("type", "feedback.skip").put("conversationId", id)
            : new JsonObject().put("type", "feedback.submit").put("conversationId", id).put("score", score);
        JsonObject recorded = patient.ws().request(answer);
        assertThat(recorded.getString("type")).as(recorded.encode()).isEqualTo("feedback.recorded");
      }
    }
  }

  /** A patient who leaves {@code queue} after {@code waitSeconds} before anyone takes them. */
  private static void abandoned(TestApp t, ChatFixtures c, String queue, long waitSeconds) {
    try (Patient patient = c.anonymousPatient()) {
      String id = patient.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
      t.clock.advance(Duration.ofSeconds(waitSeconds));
      JsonObject left = patient.ws().request(new JsonObject().put("type", "queue.leave").put("conversationId", id));
      assertThat(left.getString("type")).as(left.encode()).isEqualTo("conversation.closed");
    }
  }

  /** Reads the node's exposition until the counter's series add up to {@code expected}; each read is a round trip, no sleeping. */
  private static void awaitOwnCount(TestApp t, String counter, double expected) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    Pattern series = Pattern.compile("^" + counter + "\\{[^}]*} ([0-9.eE+-]+)$", Pattern.MULTILINE);
    double sum = -1;
    while (System.nanoTime() < deadline) {
      Matcher m = series.matcher(t.get("/metrics", SCRAPE_TOKEN).bodyAsString());
      sum = 0;
      while (m.find()) {
        sum += Double.parseDouble(m.group(1));
      }
      if (sum == expected) {
        return;
      }
    }
    throw new AssertionError(counter + " stayed at " + sum + ", expected " + expected);
  }

  private int apiPort;

  /**
   * Starts Prometheus with a temporary configuration scraping the node every second with the
   * scrape token, temporary storage and a free port; returns once it serves its API.
   */
  private Process startPrometheus(Path dir, int nodePort) throws IOException {
    try (ServerSocket free = new ServerSocket(0)) {
      apiPort = free.getLocalPort();
    }
    Path token = dir.resolve("scrape-token");
    Files.writeString(token, SCRAPE_TOKEN);
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 1s",
        "  evaluation_interval: 1s",
        "scrape_configs:",
        "  - job_name: kanava",
        "    metrics_path: /metrics",
        "    authorization:",
        "      type: Bearer",
        "      credentials_file: " + token,
        "    static_configs:",
        "      - targets: [\"127.0.0.1:" + nodePort + "\"]",
        ""));
    Process process = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + apiPort, "--log.level=info").redirectErrorStream(true).start();
    boolean[] ready = {false};
    // a Prometheus that never gets ready is stopped, which ends the wait below
    CompletableFuture.delayedExecutor(DEADLINE.toSeconds(), TimeUnit.SECONDS).execute(() -> {
      if (!ready[0]) {
        process.destroy();
      }
    });
    BufferedReader log = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    List<String> seen = new ArrayList<>();
    String line;
    while ((line = log.readLine()) != null) {
      seen.add(line);
      if (line.contains("Server is ready to receive web requests")) {
        ready[0] = true;
        Path kept = dir.resolve("prometheus.log");
        Thread drain = new Thread(() -> {
          try (var out = Files.newBufferedWriter(kept)) {
            for (String l : (Iterable<String>) log.lines()::iterator) {
              out.write(l);
              out.newLine();
            }
          } catch (IOException | java.io.UncheckedIOException e) {
            // Prometheus stopped
          }
        }, "prometheus-log");
        drain.setDaemon(true);
        drain.start();
        return process;
      }
    }
    throw new AssertionError("Prometheus exited before it was ready:\n" + String.join("\n", seen));
  }

  /** Queries until the instant vector is not empty; each query is a round trip, no sleeping. */
  private void awaitQuery(String api, String promql) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (System.nanoTime() < deadline) {
      if (!query(api, promql).isEmpty()) {
        return;
      }
    }
    throw new AssertionError("Prometheus never answered " + promql);
  }

  /** The report's fields that the meters also give by unit (the feedback's). */
  private static final Set<String> UNIT_FIELDS = Set.of("promoters", "passives", "detractors", "npsResponses", "nps");

  /** An instant query's result, by the value of its {@code queue} label, else its {@code unit} label ("" when it has neither). */
  private Map<String, Double> query(String api, String promql) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(api + "/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("%s: %s", promql, response.body()).isEqualTo(200);
    JsonObject data = new JsonObject(response.body()).getJsonObject("data");
    assertThat(data.getString("resultType")).as(promql).isEqualTo("vector");
    Map<String, Double> out = new HashMap<>();
    for (Object o : data.getJsonArray("result")) {
      JsonObject sample = (JsonObject) o;
      JsonArray value = sample.getJsonArray("value");
      JsonObject metric = sample.getJsonObject("metric");
      out.put(metric.getString("queue", metric.getString("unit", "")), Double.parseDouble(value.getString(1)));
    }
    return out;
  }

  /** The docs' exact expressions, by report field, in the order documented. */
  private static Map<String, String> documentedExpressions() throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(PromtoolTest.repository().resolve("docs/metrics.md"))) {
      Matcher m = EXACT.matcher(line);
      if (m.matches() && m.group(2).contains("kanava_")) {
        out.put(m.group(1), m.group(2));
      }
    }
    return out;
  }

  private static JsonObject row(JsonObject report, String queue) {
    return report.getJsonArray("queues").stream().map(JsonObject.class::cast).filter(r -> queue.equals(r.getString("queueId"))).findFirst()
        .orElseThrow(() -> new AssertionError("no row for " + queue + " in " + report.encode()));
  }

  private static Double number(JsonObject row, String field) {
    Object value = row.getValue(field);
    assertThat(value).as("report field %s", field).isInstanceOf(Number.class);
    return ((Number) value).doubleValue();
  }

  /** A figure as the report rounds it: NPS to one decimal, the response rate to four; counts as they are. */
  private static BigDecimal comparable(String field, Double value) {
    assertThat(value).as("%s has a value", field).isNotNull();
    int decimals = switch (field) {
      case "nps" -> 1;
      case "responseRate" -> 4;
      default -> 6;
    };
    return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP);
  }
}
