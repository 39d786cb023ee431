package fi.kanava.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import fi.kanava.infra.JsonBodies;
import fi.kanava.queue.QueueSettings;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The REST request bodies: raw bytes (invalid UTF-8 included, as Jackson reads a body) decoded with
 * {@link JsonBodies} into each route's request record, then validated as the route validates it.
 * The last byte of the input picks the record (Jazzer's {@link FuzzedDataProvider} reads numbers
 * from the end), the rest is the body. A body is read or refused with a 4xx {@code ApiError}.
 */
@DisplayName("Fuzzing: REST request bodies")
class RequestBodyFuzzTest {
  /** Every record a route decodes its body into, as the routes name them. */
  static final List<Class<?>> BODIES = Stream.of(
      "fi.kanava.auth.Logins$LoginRequest",
      "fi.kanava.auth.Accounts$NewAccount",
      "fi.kanava.auth.Organisations$NewOrganisation",
      "fi.kanava.auth.Organisations$NewUnit",
      "fi.kanava.auth.AuthRoutes$RefreshRequest",
      "fi.kanava.auth.AuthRoutes$EmptyRequest",
      "fi.kanava.auth.DevIdentityProvider$Request",
      "fi.kanava.visit.VisitRequests$Book",
      "fi.kanava.visit.VisitRequests$Cancel",
      "fi.kanava.visit.VisitRequests$Reschedule",
      "fi.kanava.visit.VisitRequests$Invite",
      "fi.kanava.visit.VisitRequests$Exchange",
      "fi.kanava.queue.QueueSettings$Request",
      "fi.kanava.queue.Queues$Members",
      "fi.kanava.queue.Queues$Capacity",
      "fi.kanava.directory.Expertise",
      "fi.kanava.referral.ReferralRequests$NewReferral",
      "fi.kanava.referral.ReferralRequests$Note",
      "fi.kanava.referral.ReferralRequests$Outcome").map(RequestBodyFuzzTest::load).toList();

  private static Class<?> load(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("A route's request record moved: " + name, e);
    }
  }

  @FuzzTest
  void aRequestBodyIsReadOrRefused(FuzzedDataProvider data) {
    Class<?> type = BODIES.get(data.consumeInt(0, BODIES.size() - 1));
    byte[] body = data.consumeRemainingAsBytes();
    read(type, body);
  }

  /** What the route makes of the body: the validated request, or null if it was refused. */
  private static Object read(Class<?> type, byte[] body) {
    return Hostile.readOrRefused(() -> {
      Object value = JsonBodies.decode(Buffer.buffer(body), type);
      if (value instanceof QueueSettings.Request request) {
        // the queue routes validate (and parse the opening hours and questionnaire) before anything else
        return request.validate(null);
      }
      return value;
    });
  }

  /** Up to http.body-limit-bytes (64 KiB by default): the largest bodies a route gets to decode. */
  static Stream<String> oversized() {
    return Stream.of(
        "{\"username\":" + Hostile.longString(65_000) + ",\"password\":\"x\"}",
        "{\"username\":\"a\",\"password\":\"" + "\\u0000".repeat(10) + "\"}",
        "{\"username\":" + "1".repeat(2_000) + "}",
        "{\"maxConcurrent\":" + "9".repeat(60_000) + "}",
        "{\"username\":\"a\",\"password\":\"b\",\"x\":" + Hostile.nestedArrays(30_000, "1") + "}",
        "{\"openingHours\":" + Hostile.nestedObjects(10_000, "weekly", "{}") + "}",
        "{\"questionnaire\":{\"questions\":" + Hostile.nestedArrays(900, "{}") + "}}",
        Hostile.nestedArrays(30_000, ""),
        Hostile.nestedObjects(10_000, "username", "\"a\""));
  }

  @DisplayName("Oversized strings, numbers and nesting up to the body limit, beyond the fuzzer's short inputs, are refused")
  @ParameterizedTest
  @MethodSource("oversized")
  void oversizedBodiesAreRefused(String body) {
    for (Class<?> type : BODIES) {
      assertThat(read(type, body.getBytes(StandardCharsets.UTF_8))).as(type.getName()).isNull();
    }
  }
}
