package fi.kanava.support;

import fi.kanava.auth.Accounts;
import fi.kanava.auth.Organisations;
import fi.kanava.infra.JsonBodies;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/** Test data created through the same services the API uses. */
public final class Fixtures {
  public static final String PASSWORD = "correct horse battery staple";
  public static final String ORG = "test-area";
  public static final String PARTNER_ORG = "test-partner";

  private final TestApp t;

  public Fixtures(TestApp t) {
    this.t = t;
  }

  public Fixtures organisations() {
    var orgs = t.app.services().organisations();
    TestApp.await(orgs.create(decode(new JsonObject().put("id", ORG).put("name", "Test area").put("kind", "wellbeing_area"),
        Organisations.NewOrganisation.class)));
    TestApp.await(orgs.createUnit(ORG, decode(new JsonObject().put("id", "test-unit").put("name", "Test unit"), Organisations.NewUnit.class)));
    TestApp.await(orgs.create(decode(new JsonObject().put("id", PARTNER_ORG).put("name", "Partner").put("kind", "partner").put("seatLimit", 1),
        Organisations.NewOrganisation.class)));
    return this;
  }

  /** Creates an account with {@link #PASSWORD} and returns its id. */
  public UUID account(String username, String role) {
    JsonObject body = new JsonObject().put("username", username).put("password", PASSWORD).put("displayName", "Test " + username)
        .put("role", role).put("organisationId", role.equals("partner") ? PARTNER_ORG : ORG)
        .put("languages", new JsonArray(List.of("fi", "sv")));
    if (role.equals("specialist")) {
      body.put("profession", "physiotherapist");
    }
    JsonObject created = TestApp.await(t.app.services().accounts().create(decode(body, Accounts.NewAccount.class)));
    return UUID.fromString(created.getString("id"));
  }

  /** Signs in and returns the whole login response. */
  public JsonObject login(String username) {
    var response = t.post("/api/auth/login", null, new JsonObject().put("username", username).put("password", PASSWORD));
    if (response.statusCode() != 200) {
      throw new AssertionError("login of " + username + " failed: " + response.statusCode() + " " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  /** The subject (account or patient id) in an access token's payload; the signature is the server's business. */
  public static UUID subject(String accessToken) {
    String payload = new String(java.util.Base64.getUrlDecoder().decode(accessToken.split("\\.")[1]));
    return UUID.fromString(new JsonObject(payload).getString("sub"));
  }

  public String accessToken(String username) {
    return login(username).getString("accessToken");
  }

  public static <T> T decode(JsonObject json, Class<T> type) {
    return JsonBodies.decode(Buffer.buffer(json.encode()), type);
  }
}
