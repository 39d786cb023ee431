package fi.kanava.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/** Assertions on the API's error answers. */
public final class HttpAssertions {
  private HttpAssertions() {}

  /** The status, and a body with at least {code, message} (details may follow) and no stack trace in it. */
  public static void assertError(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.fieldNames()).contains("code", "message");
    assertThat(body.getString("code")).isEqualTo(code);
    assertThat(response.bodyAsString()).doesNotContain("Exception").doesNotContain("\tat ");
  }
}
