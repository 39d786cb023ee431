package fi.kanava.auth;

import fi.kanava.access.AccessPolicy;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.access.AccessPolicy.Actor;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.access.AccessPolicy.ConversationFacts;
import fi.kanava.conversation.ConversationState;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("Patient sessions")
class PatientSessionsTest {

  @Nested
  @DisplayName("with the default configuration")
  class Defaults {
    @Test
    void an_anonymous_session_stores_no_identity_and_the_development_login_is_off() {
      try (TestApp t = TestApp.start()) {
        var response = t.post("/api/patient/session", null, null);
        assertThat(response.statusCode()).isEqualTo(201);
        String token = response.bodyAsJsonObject().getString("accessToken");
        UUID id = Fixtures.subject(token);
        Row row = TestApp.await(t.pool().preparedQuery("select * from patient where id = $1").execute(Tuple.of(id))).iterator().next();
        assertThat(row.getString("kind")).isEqualTo("anonymous");
        assertThat(row.getString("identity_method")).isNull();
        assertThat(row.getString("identity_subject")).isNull();
        assertThat(row.getString("display_name")).isNull();

        assertThat(t.post("/api/patient/session", null, new JsonObject()).statusCode()).isEqualTo(201);
        assertThat(t.post("/api/patient/session", null, new JsonObject().put("name", "x")).bodyAsJsonObject().getString("code"))
            .isEqualTo("unknown_field");

        var dev = t.post("/api/patient/session/dev", null, new JsonObject().put("person", "aino"));
        assertThat(dev.statusCode()).isEqualTo(404);
        assertThat(dev.bodyAsJsonObject().getString("code")).isEqualTo("identity_method_unavailable");
        assertThat(t.get("/api/patient/identity-methods", null).bodyAsJsonArray()).isEmpty();
        var count = TestApp.await(t.pool().query("select count(*) from patient where kind = 'identified'").execute());
        assertThat(count.iterator().next().getLong(0)).isZero();
      }
    }
  }

  @Nested
  @DisplayName("with the development login turned on")
  class DevLogin {
    @Test
    void a_demo_person_signs_in_as_the_same_identified_patient_each_time_and_sees_who_accessed_their_data() {
      try (TestApp t = TestApp.start(Map.of("identity.dev-login.enabled", "true"))) {
        JsonArray methods = t.get("/api/patient/identity-methods", null).bodyAsJsonArray();
        assertThat(methods.getJsonObject(0).getString("method")).isEqualTo("dev");
        assertThat(methods.getJsonObject(0).getJsonArray("persons")).isNotEmpty();

        var first = t.post("/api/patient/session/dev", null, new JsonObject().put("person", "aino"));
        assertThat(first.statusCode()).isEqualTo(201);
        String token = first.bodyAsJsonObject().getString("accessToken");
        UUID patient = Fixtures.subject(token);
        UUID again = Fixtures.subject(t.post("/api/patient/session/dev", null, new JsonObject().put("person", "aino")).bodyAsJsonObject()
            .getString("accessToken"));
        assertThat(again).isEqualTo(patient);
        assertThat(t.post("/api/patient/session/dev", null, new JsonObject().put("person", "nobody")).bodyAsJsonObject().getString("code"))
            .isEqualTo("unknown_person");

        // a nurse reads the patient's conversation, another professional is refused
        Fixtures f = new Fixtures(t).organisations();
        UUID nurse = f.account("reading-nurse", "nurse");
        ConversationFacts facts = new ConversationFacts(patient, "nurse-chat", ConversationState.ACTIVE, Optional.of(nurse), Set.of(),
            Set.of(), Set.of());
        TestApp.await(t.app.services().guard().require(Actor.of(Principal.professional(nurse, Role.NURSE, Fixtures.ORG)),
            ConversationAction.READ, UUID.randomUUID(), facts, "care"));
        TestApp.await(t.app.services().guard().require(Actor.of(Principal.professional(UUID.randomUUID(), Role.NURSE, Fixtures.ORG)),
            ConversationAction.READ, UUID.randomUUID(), facts, "care").recover(e -> io.vertx.core.Future.succeededFuture()));

        var log = t.get("/api/patient/access-log", token);
        assertThat(log.statusCode()).isEqualTo(200);
        JsonArray entries = log.bodyAsJsonArray();
        assertThat(entries).hasSize(2);
        JsonObject allowed = entries.stream().map(JsonObject.class::cast).filter(e -> e.getString("outcome").equals("allowed")).findFirst()
            .orElseThrow();
        assertThat(allowed.getString("actorName")).isEqualTo("Test reading-nurse");
        assertThat(allowed.getString("actorRole")).isEqualTo("nurse");
        assertThat(allowed.getString("organisation")).isEqualTo("Test area");
        assertThat(allowed.getString("purpose")).isEqualTo("care");
        assertThat(allowed.getString("at")).isEqualTo(TestApp.START.toString());

        // another patient sees nothing of it; a professional cannot call the patient endpoint
        String other = t.post("/api/patient/session", null, null).bodyAsJsonObject().getString("accessToken");
        assertThat(t.get("/api/patient/access-log", other).bodyAsJsonArray()).isEmpty();
        assertThat(t.get("/api/patient/access-log", f.accessToken("reading-nurse")).statusCode()).isEqualTo(403);
        assertThat(t.get("/api/patient/access-log", null).statusCode()).isEqualTo(401);
      }
    }
  }
}
