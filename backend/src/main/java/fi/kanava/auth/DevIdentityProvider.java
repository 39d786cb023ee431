package fi.kanava.auth;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.JsonBodies;
import fi.kanava.infra.Require;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Development login: pick one of a few fictitious demo persons. Only for development and demos;
 * off unless {@code identity.dev-login.enabled} is true, in which case it is not even routed.
 */
public final class DevIdentityProvider implements IdentityProvider {
  public static final String METHOD = "dev";

  public record DemoPerson(String id, String displayName, String language) {}

  static final List<DemoPerson> PERSONS =
      List.of(
          new DemoPerson("aino", "Aino Demo", "fi"),
          new DemoPerson("nils", "Nils Demo", "sv"),
          new DemoPerson("maret", "Máret Demo", "se"),
          new DemoPerson("alex", "Alex Demo", "en"));

  record Request(String person) {
    @JsonCreator
    static Request fromJson(@JsonProperty("person") String person) {
      return new Request(Require.text(person, "person", 50));
    }
  }

  @Override
  public String method() {
    return METHOD;
  }

  @Override
  public Future<VerifiedIdentity> verify(Buffer body) {
    Request request = JsonBodies.decode(body, Request.class);
    return PERSONS.stream()
        .filter(p -> p.id().equals(request.person()))
        .findFirst()
        .map(p -> Future.succeededFuture(new VerifiedIdentity(METHOD, p.id(), p.displayName())))
        .orElseGet(() -> Future.failedFuture(ApiError.badRequest("unknown_person", "No demo person '" + request.person() + "'")));
  }

  @Override
  public JsonObject describe() {
    JsonArray persons = new JsonArray();
    PERSONS.forEach(p -> persons.add(new JsonObject().put("id", p.id()).put("displayName", p.displayName()).put("language", p.language())));
    return new JsonObject().put("method", METHOD).put("persons", persons);
  }
}
