package fi.kanava.infra;

import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("HTTP basics: health, metrics, errors, schema")
class HttpBasicsTest {
  static final String SCRAPE_TOKEN = "scrape-token-for-tests-0123456789";
  static TestApp t;
  static Fixtures f;

  @BeforeAll
  static void start() {
    t = TestApp.start(Map.of("metrics.scrape-token", SCRAPE_TOKEN, "http.body-limit-bytes", "2048"));
    f = new Fixtures(t).organisations();
  }

  @AfterAll
  static void stop() {
    t.close();
  }


  @Test
  void migrations_build_the_schema_on_an_empty_database() {
    var rows = TestApp.await(t.ownerPool().query("select version, success from flyway_schema_history where version is not null order by installed_rank").execute());
    assertThat(rows.iterator().next().getString("version")).isEqualTo("1");
    rows.forEach(r -> assertThat(r.getBoolean("success")).isTrue());
  }

  @Test
  void health_probes_answer_without_a_token() {
    assertThat(t.get("/health/live", null).bodyAsJsonObject().getString("status")).isEqualTo("up");
    HttpResponse<Buffer> ready = t.get("/health/ready", null);
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.bodyAsJsonObject().getString("database")).isEqualTo("up");
  }

  @Test
  void metrics_need_the_scrape_token_or_a_supervisor_and_keep_standard_names_beside_kanava_s_own() {
    assertError(t.get("/metrics", null), 401, "unauthenticated");
    assertError(t.get("/metrics", "wrong-scrape-token"), 401, "invalid_token");
    f.account("metrics-nurse", "nurse");
    assertError(t.get("/metrics", f.accessToken("metrics-nurse")), 403, "forbidden");

    HttpResponse<Buffer> scraped = t.get("/metrics", SCRAPE_TOKEN);
    assertThat(scraped.statusCode()).isEqualTo(200);
    assertThat(scraped.getHeader("content-type")).startsWith("text/plain");
    String text = scraped.bodyAsString();
    assertThat(text).contains("jvm_memory_used_bytes", "vertx_http_server_requests_total", "vertx_pool_");
    text.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
        .forEach(line -> assertThat(line).as("metric name prefix").matches("(kanava|jvm|process|system|vertx)_.*"));
    assertThat(text).as("the JVM's and Vert.x's meters under their standard names").doesNotContain("kanava_jvm_", "kanava_vertx_");

    f.account("metrics-supervisor", "supervisor");
    assertThat(t.get("/metrics", f.accessToken("metrics-supervisor")).statusCode()).isEqualTo(200);
  }

  @Test
  void malformed_json_wrong_types_unknown_fields_and_missing_fields_get_400_with_a_code() {
    assertError(t.post("/api/auth/login", null, "{\"username\":"), 400, "malformed_json");
    assertError(t.post("/api/auth/login", null, "[1,2]"), 400, "malformed_json");
    assertError(t.post("/api/auth/login", null, "{\"username\":\"a\",\"password\":\"b\"} trailing"), 400, "malformed_json");
    assertError(t.post("/api/auth/login", null, "{\"username\":\"a\",\"username\":\"b\",\"password\":\"c\"}"), 400, "malformed_json");
    assertError(t.post("/api/auth/login", null, new JsonObject().put("username", 42).put("password", "x")), 400, "wrong_type");
    assertError(t.post("/api/auth/login", null, new JsonObject().put("username", "a").put("password", "x").put("admin", true)),
        400, "unknown_field");
    assertError(t.post("/api/auth/login", null, new JsonObject().put("username", "a")), 400, "missing_field");
    assertError(t.post("/api/auth/login", null, new JsonObject().put("username", " ").put("password", "x")), 400, "invalid_field");
    assertError(t.post("/api/auth/login", null, null), 400, "malformed_json");
  }

  @Test
  void a_body_over_the_limit_gets_400() {
    String big = new JsonObject().put("username", "a".repeat(4000)).put("password", "x").encode();
    assertError(t.post("/api/auth/login", null, big), 400, "body_too_large");
  }

  @Test
  void unknown_api_paths_and_methods_get_json_errors() {
    assertError(t.get("/api/no-such-thing", null), 404, "not_found");
    assertError(t.send(HttpMethod.DELETE, "/api/auth/login", null, null), 404, "not_found");
  }

  @Test
  void pages_are_served_with_security_headers() {
    HttpResponse<Buffer> page = t.get("/", null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("x-content-type-options")).isEqualTo("nosniff");
    assertThat(page.bodyAsString()).contains("<html");
  }
}
