package fi.kanava.ops;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.DebianPackages;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The monitoring in ops/monitoring, checked with Debian's promtool (package prometheus): the
 * Prometheus configuration, the recording and alert rules and their unit tests, and a live node's
 * exposition. Without the package these tests skip with a message naming it; with CI=true they fail.
 */
@DisplayName("ops/monitoring passes promtool, and a live node's metrics pass promtool check metrics")
class PromtoolTest {
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");
  private static final String PACKAGE = "prometheus";
  /** A lint finding on a meter of the JVM, the process or Vert.x, whose names are kept for the standard dashboards. */
  private static final Pattern STANDARD_FINDING = Pattern.compile("(jvm|process|system|vertx)_[a-z0-9_]+ .*");
  private static final List<String> RULE_FILES = List.of("rules/kanava-recording.yml", "rules/kanava-feedback.yml", "rules/kanava-alerts.yml");
  private static final String SCRAPE_TOKEN = "promtool-test-scrape-token-0123456789";
  /** A metric name in PromQL, recorded names (level:metric:operations) included. */
  private static final Pattern KANAVA_NAME = Pattern.compile("[a-z0-9_:]*kanava_[a-z0-9_:]+");

  @Test
  void the_configuration_the_rules_and_the_rule_tests_pass() throws Exception {
    Path monitoring = repository().resolve("ops/monitoring");
    // the credentials file is the deployment's; syntax only
    run(monitoring, null, "check", "config", "--syntax-only", "prometheus.yml");
    List<String> checkRules = new ArrayList<>(List.of("check", "rules"));
    checkRules.addAll(RULE_FILES);
    run(monitoring, null, checkRules.toArray(String[]::new));
    run(monitoring.resolve("tests"), null, "test", "rules", "kanava-rules-test.yml", "kanava-feedback-rules-test.yml");
  }

  @Test
  void every_dashboard_query_is_valid_promql(@TempDir Path temp) throws Exception {
    // promtool has no "check query": each panel's query becomes a recording rule, which check rules parses
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
    int n = 0;
    for (String expr : dashboardQueries()) {
      // a JSON string is a double-quoted YAML scalar
      rules.append("      - record: dashboard:query:").append(++n).append("\n        expr: ").append(Json.encode(expr)).append("\n");
    }
    assertThat(n).as("queries in ops/monitoring/grafana/dashboards").isGreaterThan(10);
    Path file = temp.resolve("dashboard-queries.yml");
    Files.writeString(file, rules);
    run(temp, null, "check", "rules", file.getFileName().toString());
  }

  /** Every panel query of every dashboard, with Grafana's variables replaced by what they stand for. */
  private static List<String> dashboardQueries() throws IOException {
    List<String> out = new ArrayList<>();
    try (var files = Files.list(repository().resolve("ops/monitoring/grafana/dashboards"))) {
      for (Path dashboard : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
        JsonObject json = new JsonObject(Files.readString(dashboard));
        for (Object panel : json.getJsonArray("panels")) {
          for (Object target : ((JsonObject) panel).getJsonArray("targets")) {
            out.add(((JsonObject) target).getString("expr").replace("$queue", ".*").replace("$__rate_interval", "5m"));
          }
        }
      }
    }
    return out;
  }

  @Test
  void every_kanava_meter_the_rules_and_dashboards_use_is_documented() throws IOException {
    Path root = repository();
    String docs = Files.readString(root.resolve("docs/metrics.md"));
    String recording = Files.readString(root.resolve("ops/monitoring/rules/kanava-recording.yml"))
        + Files.readString(root.resolve("ops/monitoring/rules/kanava-feedback.yml"));
    Set<String> used = new TreeSet<>();
    Set<String> recorded = new TreeSet<>();
    List<String> sources = new ArrayList<>(dashboardQueries());
    for (String file : RULE_FILES) {
      sources.add(Files.readString(root.resolve("ops/monitoring").resolve(file)));
    }
    for (String source : sources) {
      Matcher m = KANAVA_NAME.matcher(source);
      while (m.find()) {
        // recorded names (level:metric:operations) come from the recording rules; histogram series belong to their family
        if (m.group().contains(":")) {
          recorded.add(m.group());
        } else {
          used.add(m.group().replaceFirst("_(bucket|count|sum)$", ""));
        }
      }
    }
    assertThat(used).isNotEmpty();
    assertThat(used.stream().filter(name -> !docs.contains("`" + name + "`")).toList())
        .as("meters the rules and dashboards use but docs/metrics.md does not describe").isEmpty();
    assertThat(recorded.stream().filter(name -> !recording.contains("record: " + name + "\n")).toList())
        .as("recorded figures used but not recorded by rules/kanava-recording.yml").isEmpty();
  }

  @Test
  void a_live_node_exposition_passes_promtool_and_known_label_sets_start_at_zero() throws Exception {
    try (TestApp t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN))) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures chat = new ChatFixtures(t, f);
      chat.createQueue(ChatFixtures.queue("metrics-q", "auto"));
      try (Patient patient = chat.anonymousPatient()) {
        patient.ws().request(ChatFixtures.enter("metrics-q", Map.of("breathing", false, "topic", "fever")));
        TestApp.await(t.app.services().sweeper().sweep());
        String exposition = t.get("/metrics", SCRAPE_TOKEN).bodyAsString();

        run(Path.of("."), exposition, "check", "metrics");
        // counters and histograms of the queue exist before their first event
        assertThat(exposition)
            .contains("kanava_queue_entries_total{queue=\"metrics-q\",urgency=\"non_urgent\"} 0.0")
            .contains("kanava_conversation_outcomes_total{outcome=\"referred\",queue=\"metrics-q\"} 0.0")
            .contains("kanava_conversation_handling_seconds_count{outcome=\"resolved\",queue=\"metrics-q\"} 0")
            .contains("kanava_conversations_requeued_total{queue=\"metrics-q\",reason=\"declined\"} 0.0")
            // the entry counted, and the sweep's gauges: one waiting, nobody available, open
            .contains("kanava_queue_entries_total{queue=\"metrics-q\",urgency=\"same_day\"} 1.0")
            .contains("kanava_queue_length{queue=\"metrics-q\"} 1.0")
            .contains("kanava_professionals_available{queue=\"metrics-q\"} 0.0")
            .contains("kanava_queue_open{queue=\"metrics-q\"} 1.0")
            .contains("kanava_queue_oldest_wait_seconds{queue=\"metrics-q\",urgency=\"immediate\"} 0.0");
      }
    }
  }

  /** Runs promtool with the arguments in {@code dir}, feeding {@code stdin} if given; fails with its output unless it exits 0. */
  private static void run(Path dir, String stdin, String... args) throws Exception {
    requirePromtool();
    List<String> command = new ArrayList<>();
    command.add(PROMTOOL.toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    if (stdin != null) {
      try (var in = process.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    } else {
      process.getOutputStream().close();
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool %s finished", String.join(" ", args)).isTrue();
    if (stdin == null) {
      assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
      return;
    }
    // check metrics prints lint findings (names, units, help) and exits 3 on any; a parse error is something
    // else. Kanava's own meters must have none. The JVM's, process's and Vert.x's keep their standard names
    // (process_cpu_time_ns_total, say) because the standard dashboards query them by those names.
    assertThat(output.lines().filter(line -> !STANDARD_FINDING.matcher(line).matches()).toList())
        .as("promtool check metrics: findings other than on standard meters (exit %d)", process.exitValue()).isEmpty();
  }

  private static void requirePromtool() {
    DebianPackages.require(PROMTOOL, PACKAGE, "The monitoring checks");
  }


  /** The checkout's root: the first directory above this one with ops/monitoring. */
  static Path repository() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isDirectory(p.resolve("ops/monitoring"))) {
        return p;
      }
    }
    throw new IllegalStateException("ops/monitoring not found above " + here);
  }
}
