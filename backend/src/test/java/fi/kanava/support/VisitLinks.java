package fi.kanava.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/** Joining a visit as its patient-side member in tests: the link's code exchanged for a session, and the visit frames. */
public final class VisitLinks {
  private VisitLinks() {}

  /** A patient-side member's socket, signed in with their join link's ({@code {url, expiresAt}}) one-time code. */
  public static WsClient join(TestApp t, JsonObject link) {
    String url = link.getString("url");
    HttpResponse<Buffer> r = t.post("/api/visit-codes/exchange", null, new JsonObject().put("code", url.substring(url.indexOf("#code=") + 6)));
    assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
    return WsClient.connect(t, r.bodyAsJsonObject().getString("accessToken"));
  }

  /** A visit frame: {@code {type, visitId}}. */
  public static JsonObject frame(String type, String visitId) {
    return new JsonObject().put("type", type).put("visitId", visitId);
  }
}
