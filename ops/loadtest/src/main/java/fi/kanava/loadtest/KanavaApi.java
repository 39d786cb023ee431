package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.List;

/** The REST calls the harness makes: sign-in, patient sessions, account and queue set-up, and /metrics. */
final class KanavaApi {
  static final String DEMO_PASSWORD = "kanava-demo-password";
  static final String NURSE_PASSWORD = "loadtest-nurse-password";

  private final WebClient http;
  private final int port;

  KanavaApi(WebClient http, int port) {
    this.http = http;
    this.port = port;
  }

  Future<String> login(String username, String password) {
    return call(HttpMethod.POST, "/api/auth/login", null, new JsonObject().put("username", username).put("password", password), 200)
        .map(r -> r.bodyAsJsonObject().getString("accessToken"));
  }

  /** An anonymous patient session's access token. */
  Future<String> patientSession() {
    return call(HttpMethod.POST, "/api/patient/session", null, null, 201).map(r -> r.bodyAsJsonObject().getString("accessToken"));
  }

  /** Creates nurse {@code username} in lappi / lappi-digi speaking Finnish; returns the account id. */
  Future<String> createNurse(String adminToken, String username, String displayName) {
    JsonObject body = new JsonObject().put("username", username).put("password", NURSE_PASSWORD).put("displayName", displayName)
        .put("role", "nurse").put("organisationId", "lappi").put("unitId", "lappi-digi").put("languages", new JsonArray().add("fi"));
    return call(HttpMethod.POST, "/api/admin/accounts", adminToken, body, 201).map(r -> r.bodyAsJsonObject().getString("id"));
  }

  Future<Void> capacity(String adminToken, String accountId, int maxConcurrent) {
    return call(HttpMethod.PUT, "/api/admin/accounts/" + accountId + "/capacity", adminToken,
        new JsonObject().put("maxConcurrent", maxConcurrent), 200).mapEmpty();
  }

  /** An always-open, auto-routed Finnish queue with room for everyone and a one-question questionnaire. */
  Future<Void> createQueue(String adminToken, String queueId) {
    JsonObject question = new JsonObject().put("id", "topic").put("type", "choice").put("required", true)
        .put("text", new JsonObject().put("fi", "Mitä asiasi koskee?"))
        .put("options", new JsonArray().add(new JsonObject().put("id", "other").put("text", new JsonObject().put("fi", "Jokin muu"))));
    JsonObject body = new JsonObject()
        .put("id", queueId)
        .put("names", new JsonObject().put("fi", "Kuormitustesti"))
        .put("serviceArea", "Lappi")
        .put("municipalities", new JsonArray())
        .put("languages", new JsonArray().add("fi"))
        .put("openingHours", new JsonObject().put("timeZone", "Europe/Helsinki").put("alwaysOpen", true))
        .put("anonymousAllowed", true)
        .put("strongIdRequired", false)
        .put("maxLength", 100_000)
        .put("routingMode", "auto")
        .put("questionnaire", new JsonObject().put("questions", new JsonArray().add(question)))
        .put("cannedPhrases", new JsonObject().put("fi", new JsonArray().add("Hei, olen sairaanhoitaja.")));
    return call(HttpMethod.POST, "/api/admin/queues", adminToken, body, 201).mapEmpty();
  }

  Future<Void> members(String adminToken, String queueId, List<String> accountIds) {
    return call(HttpMethod.PUT, "/api/admin/queues/" + queueId + "/members", adminToken,
        new JsonObject().put("accountIds", new JsonArray(accountIds)), 200).mapEmpty();
  }

  /** JVM memory figures from /metrics, summed over pools, in bytes. */
  record JvmMemory(long heapUsed, long heapCommitted, long nonHeapUsed, long directBuffers) {}

  Future<JvmMemory> jvmMemory(String token) {
    return call(HttpMethod.GET, "/metrics", token, null, 200).map(r -> {
      double[] sums = new double[4];
      for (String line : r.bodyAsString().split("\n")) {
        int slot = line.startsWith("jvm_memory_used_bytes{") ? (line.contains("area=\"heap\"") ? 0 : 2)
            : line.startsWith("jvm_memory_committed_bytes{") && line.contains("area=\"heap\"") ? 1
            : line.startsWith("jvm_buffer_memory_used_bytes{") && line.contains("id=\"direct\"") ? 3 : -1;
        if (slot >= 0) {
          sums[slot] += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
      }
      return new JvmMemory((long) sums[0], (long) sums[1], (long) sums[2], (long) sums[3]);
    });
  }

  private Future<HttpResponse<Buffer>> call(HttpMethod method, String path, String token, JsonObject body, int expected) {
    HttpRequest<Buffer> request = http.request(method, port, "127.0.0.1", path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    Future<HttpResponse<Buffer>> response = body == null ? request.send() : request.sendJsonObject(body);
    return response.compose(r -> r.statusCode() == expected ? Future.succeededFuture(r)
        : Future.failedFuture(method + " " + path + " answered " + r.statusCode() + ": " + r.bodyAsString()));
  }
}
