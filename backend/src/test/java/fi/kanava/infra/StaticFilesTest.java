package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.TestApp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@DisplayName("Static files: compressed, with validators, revalidated; the API never cached")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StaticFilesTest {
  private TestApp t;
  // java.net.http neither asks for nor undoes compression: what it gets is what went over the wire
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  void start() {
    t = TestApp.start();
  }

  @AfterAll
  void stop() {
    t.close();
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + t.app.port() + path))
        .timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      request.headers(headers);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static byte[] resource(String path) throws IOException {
    try (InputStream in = StaticFilesTest.class.getClassLoader().getResourceAsStream("webroot" + path)) {
      return in.readAllBytes();
    }
  }

  private static byte[] gunzip(byte[] bytes) throws IOException {
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
      return in.readAllBytes();
    }
  }

  @Nested
  @DisplayName("compression")
  class Compression {
    @Test
    @DisplayName("a browser that accepts gzip gets the script gzipped, smaller, and the same once unpacked")
    void gzip_when_accepted() throws Exception {
      HttpResponse<byte[]> r = get("/js/socket.js", "Accept-Encoding", "gzip, deflate, br");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
      assertThat(r.headers().firstValue("vary")).hasValueSatisfying(v -> assertThat(v).containsIgnoringCase("accept-encoding"));
      assertThat(r.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
      byte[] original = resource("/js/socket.js");
      assertThat(r.body().length).isLessThan(original.length / 2);
      assertThat(gunzip(r.body())).isEqualTo(original);
    }

    @Test
    @DisplayName("a client that does not ask for gzip, or refuses it with q=0, gets the file as it is")
    void identity_otherwise() throws Exception {
      for (HttpResponse<byte[]> r : new HttpResponse[] {get("/i18n/fi.json"), get("/i18n/fi.json", "Accept-Encoding", "gzip;q=0, br")}) {
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-encoding")).isEmpty();
        assertThat(r.body()).isEqualTo(resource("/i18n/fi.json"));
      }
    }

    @Test
    @DisplayName("the start page is served at / and compressed, with its security headers kept")
    void index_page() throws Exception {
      HttpResponse<byte[]> r = get("/", "Accept-Encoding", "gzip");
      assertThat(r.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
      assertThat(new String(gunzip(r.body()), StandardCharsets.UTF_8)).isEqualTo(new String(resource("/index.html"), StandardCharsets.UTF_8));
      assertThat(r.headers().firstValue("content-security-policy")).hasValueSatisfying(v -> assertThat(v).contains("script-src 'self'"));
      assertThat(r.headers().firstValue("x-content-type-options")).hasValue("nosniff");
    }
  }

  @Nested
  @DisplayName("validators and caching")
  class Validators {
    @Test
    @DisplayName("each file has a strong ETag and no-cache; the gzip copy has its own ETag")
    void etag_and_no_cache() throws Exception {
      HttpResponse<byte[]> plain = get("/css/kanava.css");
      HttpResponse<byte[]> gzip = get("/css/kanava.css", "Accept-Encoding", "gzip");
      String etag = plain.headers().firstValue("etag").orElseThrow();
      assertThat(etag).matches("\"[A-Za-z0-9_-]+\"");
      assertThat(gzip.headers().firstValue("etag").orElseThrow()).isNotEqualTo(etag).startsWith(etag.substring(0, etag.length() - 1));
      assertThat(plain.headers().firstValue("cache-control")).hasValue("no-cache");
      assertThat(gzip.headers().firstValue("cache-control")).hasValue("no-cache");
    }

    @Test
    @DisplayName("a revisit that sends the ETag back gets 304 with no body, for both copies")
    void conditional_get() throws Exception {
      for (String encoding : new String[] {"gzip", "identity"}) {
        HttpResponse<byte[]> first = get("/js/patient.js", "Accept-Encoding", encoding);
        String etag = first.headers().firstValue("etag").orElseThrow();
        HttpResponse<byte[]> again = get("/js/patient.js", "Accept-Encoding", encoding, "If-None-Match", etag);
        assertThat(again.statusCode()).as(encoding).isEqualTo(304);
        assertThat(again.body()).as(encoding).isEmpty();
        assertThat(again.headers().firstValue("etag")).hasValue(etag);
      }
    }

    @Test
    @DisplayName("an ETag of another file or of the other copy gets the whole file")
    void stale_etag() throws Exception {
      String cssEtag = get("/css/kanava.css").headers().firstValue("etag").orElseThrow();
      assertThat(get("/js/patient.js", "If-None-Match", cssEtag).statusCode()).isEqualTo(200);
      String gzipEtag = get("/js/patient.js", "Accept-Encoding", "gzip").headers().firstValue("etag").orElseThrow();
      HttpResponse<byte[]> r = get("/js/patient.js", "If-None-Match", gzipEtag);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo(resource("/js/patient.js"));
    }

    @Test
    @DisplayName("paths outside the web root or to hidden files are not found")
    void not_found() throws Exception {
      for (String path : new String[] {"/nothing.js", "/js/", "/%2e%2e/kanava-defaults.properties", "/.hidden", "/js/..%2f..%2fkanava-defaults.properties"}) {
        assertThat(get(path).statusCode()).as(path).isEqualTo(404);
      }
    }
  }

  @Test
  @DisplayName("API and health answers are no-store and not compressed")
  void api_no_store() throws Exception {
    for (String path : new String[] {"/api/queues", "/health/live", "/api/nothing"}) {
      HttpResponse<byte[]> r = get(path, "Accept-Encoding", "gzip");
      assertThat(r.headers().firstValue("cache-control")).as(path).hasValue("no-store");
      assertThat(r.headers().firstValue("content-encoding")).as(path).isEmpty();
      assertThat(r.headers().firstValue("etag")).as(path).isEmpty();
    }
  }

  @Test
  @DisplayName("Accept-Encoding and If-None-Match are read as RFC 9110 says")
  void header_parsing() {
    assertThat(StaticFiles.acceptsGzip("gzip")).isTrue();
    assertThat(StaticFiles.acceptsGzip("br, GZIP;q=0.5")).isTrue();
    assertThat(StaticFiles.acceptsGzip("*")).isTrue();
    assertThat(StaticFiles.acceptsGzip("gzip; q=0")).isFalse();
    assertThat(StaticFiles.acceptsGzip("gzip;q=0.000")).isFalse();
    assertThat(StaticFiles.acceptsGzip("br, deflate")).isFalse();
    assertThat(StaticFiles.acceptsGzip(null)).isFalse();
    assertThat(StaticFiles.matches("\"a\", W/\"b\"", "\"b\"")).isTrue();
    assertThat(StaticFiles.matches("*", "\"b\"")).isTrue();
    assertThat(StaticFiles.matches("\"a\"", "\"b\"")).isFalse();
    assertThat(StaticFiles.matches(null, "\"b\"")).isFalse();
  }
}
