package fi.kanava.ops;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.TestApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * docs/metrics.md describes every meter of Kanava's own that a node exports, as a scrape of a
 * running node shows them. Adding a meter without describing it fails this test.
 */
@DisplayName("docs/metrics.md describes every kanava_ meter a node exports; the JVM's and Vert.x's keep their standard names")
class MetricsDocsTest {
  private static final String SCRAPE_TOKEN = "metrics-docs-test-scrape-token-0123456789";
  private static final Pattern FAMILY = Pattern.compile("(?m)^# HELP ([a-z][a-z0-9_]*) ");
  /** Meters of the JVM, the process and Vert.x: standard names, for standard dashboards. */
  private static final Pattern STANDARD = Pattern.compile("(jvm|process|system|vertx)_.*");

  @Test
  void every_exported_kanava_meter_is_described() throws IOException {
    String docs = Files.readString(docsPath());
    Set<String> exported = new TreeSet<>();
    Set<String> standard = new TreeSet<>();
    try (TestApp t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN))) {
      Matcher m = FAMILY.matcher(t.get("/metrics", SCRAPE_TOKEN).bodyAsString());
      while (m.find()) {
        // a timer's or summary's maximum is its own family; the docs describe the meter once
        String family = m.group(1).replaceFirst("_max$", "");
        (STANDARD.matcher(family).matches() ? standard : exported).add(family);
      }
    }
    assertThat(standard).as("the JVM's and Vert.x's meters, under their standard names")
        .contains("jvm_memory_used_bytes", "vertx_http_server_active_connections", "process_cpu_usage");
    assertThat(exported).as("every other meter is Kanava's own").isNotEmpty().allMatch(name -> name.startsWith("kanava_"));
    Set<String> missing = new TreeSet<>(exported);
    missing.removeIf(docs::contains);
    assertThat(missing).as("meters missing from docs/metrics.md").isEmpty();
  }

  private static Path docsPath() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      Path candidate = p.resolve("docs/metrics.md");
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("docs/metrics.md not found above " + here);
  }
}
