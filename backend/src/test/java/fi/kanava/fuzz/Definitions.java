package fi.kanava.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.infra.JsonBodies;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Function;

/**
 * The path of a queue's opening hours and questionnaire: the admin's JSON is read by
 * {@link JsonBodies} into a map (as the queue routes read it), parsed, stored as jsonb and parsed
 * again from the stored row ({@code QueueSettings.fromRow}) on every start.
 */
final class Definitions {
  private Definitions() {}

  /**
   * Reads {@code json} as the route does and parses it; a refusal is the route's 4xx or the
   * parser's documented IllegalArgumentException naming the bad part. What is accepted must come
   * back from its stored form (JSON text read by Vert.x, as from a jsonb column) equal.
   *
   * @return the parsed value, or null if the input was refused
   */
  @SuppressWarnings("unchecked")
  static <T> T parseOrRefuse(byte[] json, Function<Map<String, Object>, T> parse, Function<T, Map<String, Object>> stored) {
    Map<String, Object> definition = Hostile.readOrRefused(() -> JsonBodies.decode(json, Map.class));
    if (definition == null) {
      return null;
    }
    T parsed;
    try {
      parsed = parse.apply(definition);
    } catch (IllegalArgumentException refused) {
      assertThat(refused.getMessage()).as("the refusal names the problem").isNotBlank();
      return null;
    }
    String row = new JsonObject(stored.apply(parsed)).encode();
    T reloaded = parse.apply(new JsonObject(row).getMap());
    assertThat(stored.apply(reloaded)).as("the definition read back from its stored form").isEqualTo(stored.apply(parsed));
    return parsed;
  }
}
