package fi.kanava.chat;

import fi.kanava.infra.ApiError;
import fi.kanava.infra.JsonBodies;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/** Decoding of client frames and building of server frames for {@code /ws}. */
public final class Frames {
  /** Request-body error codes that, on the socket, all mean "this frame is malformed". */
  private static final Set<String> JSON_CODES = Set.of("malformed_json", "unknown_field", "wrong_type", "missing_field", "invalid_field");

  private Frames() {}

  /** Decodes one text frame; failures are ApiErrors carrying the protocol's error code. */
  public static ClientFrame decode(String text) {
    try {
      return JsonBodies.decode(text.getBytes(StandardCharsets.UTF_8), ClientFrame.class);
    } catch (ApiError e) {
      if (e.code().equals("unknown_type") && e.getMessage().contains("'null'")) {
        throw malformed("Every frame needs a 'type'");
      }
      if (JSON_CODES.contains(e.code())) {
        throw malformed(e.getMessage());
      }
      throw e;
    }
  }

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

  static ApiError malformed(String message) {
    return new ApiError(400, "malformed_frame", message);
  }

  static String ref(String ref) {
    if (ref != null && ref.length() > 64) {
      throw malformed("'ref' is longer than 64 characters");
    }
    return ref;
  }

  static String required(String value, String field) {
    if (value == null) {
      throw malformed("'" + field + "' is required");
    }
    return value;
  }

  static <T> T required(T value, String field) {
    if (value == null) {
      throw malformed("'" + field + "' is required");
    }
    return value;
  }
}
