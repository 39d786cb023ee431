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

  /** Decodes one text frame; failures are ApiErrors carrying the protocol's error code and, when readable, the frame's ref. */
  public static ClientFrame decode(String text) {
    try {
      return JsonBodies.decode(text.getBytes(StandardCharsets.UTF_8), ClientFrame.class);
    } catch (ApiError e) {
      String ref = refOf(text);
      if (e.code().equals("unknown_type") && e.getMessage().contains("'null'")) {
        throw new DecodeError(malformed("Every frame needs a 'type'"), ref);
      }
      if (JSON_CODES.contains(e.code())) {
        throw new DecodeError(malformed(e.getMessage().replace("request body", "frame")), ref);
      }
      throw new DecodeError(e, ref);
    }
  }

  /** A frame that could not be decoded, with its ref if one could be read. */
  public static final class DecodeError extends RuntimeException {
    private final ApiError error;
    private final String ref;

    DecodeError(ApiError error, String ref) {
      super(error.getMessage(), null, false, false);
      this.error = error;
      this.ref = ref;
    }

    public ApiError error() {
      return error;
    }

    public String ref() {
      return ref;
    }
  }

  private static String refOf(String text) {
    try {
      Object ref = new JsonObject(text).getValue("ref");
      return ref instanceof String s && s.length() <= 64 ? s : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Builds the decoders of every frame type once, at start, on a worker: the first decode of each
   * type costs class loading and reflection that must not land on an event loop.
   */
  public static void warmUp() {
    String id = java.util.UUID.randomUUID().toString();
    for (String frame : java.util.List.of(
        "{\"type\":\"auth\",\"token\":\"x\"}",
        "{\"type\":\"queue.enter\",\"queueId\":\"q\",\"language\":\"fi\",\"answers\":{\"a\":1}}",
        "{\"type\":\"queue.leave\",\"conversationId\":\"" + id + "\"}",
        "{\"type\":\"conversation.open\",\"conversationId\":\"" + id + "\",\"afterSeq\":0}",
        "{\"type\":\"conversation.leave\",\"conversationId\":\"" + id + "\"}",
        "{\"type\":\"message.send\",\"conversationId\":\"" + id + "\",\"clientMsgId\":\"c\",\"text\":\"t\"}",
        "{\"type\":\"typing\",\"conversationId\":\"" + id + "\",\"typing\":true}",
        "{\"type\":\"read\",\"conversationId\":\"" + id + "\",\"seq\":1}",
        "{\"type\":\"presence\",\"status\":\"away\"}",
        "{\"type\":\"queues.watch\"}",
        "{\"type\":\"conversation.take\",\"conversationId\":\"" + id + "\"}",
        "{\"type\":\"conversation.accept\",\"conversationId\":\"" + id + "\"}",
        "{\"type\":\"conversation.close\",\"conversationId\":\"" + id + "\",\"outcome\":\"resolved\"}",
        "{\"type\":\"ping\"}", "{\"type\":\"nonsense\"}", "{bad")) {
      try {
        decode(frame);
      } catch (DecodeError expected) {
        // the error paths are warmed up too
      }
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

  /** The {@code queue.waiting} frame of a waiting-list snapshot. */
  static JsonObject waitingList(JsonObject snapshot) {
    return snapshot.copy().put("type", "queue.waiting");
  }

  static ApiError malformed(String message) {
    return ApiError.badRequest("malformed_frame", message);
  }

  static String ref(String ref) {
    if (ref != null && ref.length() > 64) {
      throw malformed("'ref' is longer than 64 characters");
    }
    return ref;
  }

  static <T> T required(T value, String field) {
    if (value == null) {
      throw malformed("'" + field + "' is required");
    }
    return value;
  }
}
