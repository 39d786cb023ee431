package fi.kanava.ws;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import fi.kanava.infra.ApiError;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.VertxModule;

/**
 * Encodes every server frame, in one place: a {@link ServerFrame} record becomes a JSON object with
 * {@code type} first, then its non-null components; a frame built as JSON is written as it is.
 * A reply gets the request's {@code ref}.
 */
public final class ServerFrames {
  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .addModule(new VertxModule())
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  private ServerFrames() {}

  /** The frame as JSON text, with {@code ref} when it answers a request. */
  public static String encode(Object frame, String ref) {
    if (frame instanceof ServerFrame record) {
      ObjectNode node = MAPPER.createObjectNode().put("type", record.type());
      node.setAll((ObjectNode) MAPPER.valueToTree(record));
      if (ref != null) {
        node.put("ref", ref);
      }
      return node.toString();
    }
    if (frame instanceof JsonObject json) {
      return (ref == null ? json : json.copy().put("ref", ref)).encode();
    }
    throw new IllegalArgumentException("Not a frame: " + frame.getClass().getName());
  }

  /** The frame as a JSON object (for events that carry a frame, and for tests). */
  public static JsonObject toJson(Object frame) {
    return new JsonObject(encode(frame, null));
  }

  /** A frame of this type with no fields yet (for frames still built as JSON). */
  public static JsonObject frame(String type) {
    return new JsonObject().put("type", type);
  }

  public static JsonObject error(ApiError error, String ref) {
    JsonObject frame = error.toJson().put("type", "error");
    if (ref != null) {
      frame.put("ref", ref);
    }
    return frame;
  }

  static void warmUp() {
    encode(new Pong(), "warm-up");
  }

  /** The reply to {@code ping}. */
  public record Pong() implements ServerFrame {
    @Override
    public String type() {
      return "pong";
    }
  }
}
