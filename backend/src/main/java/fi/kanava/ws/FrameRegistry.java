package fi.kanava.ws;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.JsonBodies;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Every frame type a client may send, registered by the feature that owns it: the type name, the
 * record it decodes into, who may send it and the handler. The socket decodes each text frame once
 * through the registry and dispatches it; it knows no feature. Features also register what runs
 * when a socket becomes ready. Registration happens once at start, before any socket opens; after
 * {@link #seal()} the registry is read-only and shared by all event loops.
 */
public final class FrameRegistry {
  /** Request-body error codes that, on the socket, all mean "this frame is malformed". */
  private static final Set<String> JSON_CODES = Set.of("malformed_json", "unknown_field", "wrong_type", "missing_field", "invalid_field");
  private static final JsonFactory STREAMS = new JsonFactory();

  /** One registered frame type. */
  public record Registration<F extends ClientFrame>(String type, Class<F> record, Senders senders, FrameHandler<F> handler) {}

  private final Map<String, Registration<?>> byType = new LinkedHashMap<>();
  private final Map<Class<?>, Registration<?>> byRecord = new LinkedHashMap<>();
  private final List<Function<SocketSession, Future<Void>>> readyHooks = new ArrayList<>();
  private final List<RefusalHook> refusalHooks = new ArrayList<>();
  private ObjectMapper mapper;

  /** Registers a frame type; a type or record registered twice is a programming error. */
  public <F extends ClientFrame> FrameRegistry register(String type, Class<F> record, Senders senders, FrameHandler<F> handler) {
    if (mapper != null) {
      throw new IllegalStateException("The frame registry is sealed");
    }
    Registration<F> registration = new Registration<>(type, record, senders, handler);
    if (byType.putIfAbsent(type, registration) != null || byRecord.putIfAbsent(record, registration) != null) {
      throw new IllegalStateException("Frame type " + type + " is registered twice");
    }
    return this;
  }

  /** Runs for every socket once it is authenticated, before its first frame is handled, in registration order. */
  public FrameRegistry onReady(Function<SocketSession, Future<Void>> hook) {
    readyHooks.add(hook);
    return this;
  }

  /**
   * Runs, in registration order, when the socket refuses a frame because its sender may not send
   * that type at all ({@link Senders}), before the refusal goes out: a feature audits there the
   * refusals that concern its data.
   */
  public FrameRegistry onRefused(RefusalHook hook) {
    if (mapper != null) {
      throw new IllegalStateException("The frame registry is sealed");
    }
    refusalHooks.add(hook);
    return this;
  }

  /** What a feature does with a frame refused to its sender by {@link Senders}. */
  @FunctionalInterface
  public interface RefusalHook {
    Future<Void> refused(SocketSession session, String type, ClientFrame frame);
  }

  /** Ends registration and builds the decoder. */
  public FrameRegistry seal() {
    if (mapper == null) {
      mapper = JsonBodies.strictMapper();
      byType.values().forEach(r -> mapper.registerSubtypes(new NamedType(r.record(), r.type())));
    }
    return this;
  }

  public Map<String, Registration<?>> registrations() {
    return Collections.unmodifiableMap(byType);
  }

  List<Function<SocketSession, Future<Void>>> readyHooks() {
    return readyHooks;
  }

  List<RefusalHook> refusalHooks() {
    return refusalHooks;
  }

  @SuppressWarnings("unchecked")
  <F extends ClientFrame> Registration<F> registrationOf(F frame) {
    return (Registration<F>) byRecord.get(frame.getClass());
  }

  /**
   * Decodes one text frame, in one pass on the happy path; failures carry the protocol's error code
   * and, when readable, the frame's ref (the text is read a second time only then).
   */
  public ClientFrame decode(String text) {
    try {
      return JsonBodies.decode(mapper, text.getBytes(StandardCharsets.UTF_8), ClientFrame.class);
    } catch (ApiError e) {
      String ref = refOf(text);
      if (e.code().equals("unknown_type") && e.getMessage().contains("'null'")) {
        throw new DecodeError(malformed("Every frame needs a 'type' that is a string"), ref);
      }
      if (JSON_CODES.contains(e.code())) {
        throw new DecodeError(malformed(e.getMessage().replace("request body", "frame")), ref);
      }
      throw new DecodeError(e, ref);
    }
  }

  /**
   * The ref of a frame that is not (or could not be) decoded, so that its error still answers it: the
   * string under the top-level {@code ref} of a JSON object, if it has at most 64 characters. The text
   * is read as a stream up to that field, without building anything; what follows it is not checked.
   */
  public static String refOf(String text) {
    try (JsonParser parser = STREAMS.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("ref".equals(name)) {
          return value == JsonToken.VALUE_STRING && parser.getTextLength() <= 64 ? parser.getText() : null;
        }
        parser.skipChildren();
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Builds the decoder of every registered frame type once, at start, on a worker: the first decode
   * of each type costs class loading and reflection that must not land on an event loop.
   */
  public void warmUp() {
    seal();
    List<String> samples = new ArrayList<>(List.of("{bad", "[]", "{\"type\":1}", "{\"type\":\"no.such.type\"}"));
    byType.keySet().forEach(type -> samples.add(new JsonObject().put("type", type).put("ref", "warm-up").encode()));
    for (String sample : samples) {
      try {
        decode(sample);
      } catch (DecodeError | ApiError expected) {
        // the error paths are warmed up too
      }
    }
    ServerFrames.warmUp();
  }

  public static ApiError malformed(String message) {
    return ApiError.badRequest("malformed_frame", message);
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
}
