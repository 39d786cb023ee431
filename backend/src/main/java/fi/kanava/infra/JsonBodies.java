package fi.kanava.infra;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.vertx.core.buffer.Buffer;
import java.util.stream.Collectors;

/**
 * Decodes a request body once, at the edge, into a typed record. Strict: unknown fields, wrong
 * types (no "5" for 5, no 1 for true, no 1.5 or 2.0 for an integer), trailing garbage and duplicate
 * keys are errors that name the field. Text PostgreSQL cannot store (NUL, lone surrogates) is
 * {@code invalid_text} wherever it is, map keys included (see {@link StorableTextParser}). Records
 * validate their own required fields and ranges in their constructors by throwing {@link ApiError}.
 */
public final class JsonBodies {
  private static final ObjectMapper MAPPER = strictMapper();

  private JsonBodies() {}

  public static <T> T decode(Buffer body, Class<T> type) {
    if (body == null || body.length() == 0) {
      throw ApiError.badRequest("malformed_json", "The request body must be a JSON object");
    }
    return decode(body.getBytes(), type);
  }

  /** Decodes JSON text; the same rules and error codes as for request bodies. */
  public static <T> T decode(byte[] json, Class<T> type) {
    return decode(MAPPER, json, type);
  }

  /** Decodes JSON text with a mapper made by {@link #strictMapper()} (and given subtypes); the same rules and codes. */
  public static <T> T decode(ObjectMapper mapper, byte[] json, Class<T> type) {
    try (JsonParser parser = new StorableTextParser(mapper.createParser(json))) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw notAnObject();
      }
      T value = mapper.readValue(parser, type);
      if (value == null) {
        throw notAnObject();
      }
      return value;
    } catch (InvalidTypeIdException e) {
      if (e.getTypeId() != null && e.getProcessor() instanceof JsonParser parser && parser.currentToken() != JsonToken.VALUE_STRING) {
        // {"type": 1} or {"type": true}: Jackson reads the id as text, but it is not a string
        throw ApiError.badRequest("wrong_type", "Field '" + parser.getParsingContext().getCurrentName() + "' has the wrong type");
      }
      throw ApiError.badRequest("unknown_type", "Unknown type '" + e.getTypeId() + "'");
    } catch (UnrecognizedPropertyException e) {
      throw ApiError.badRequest("unknown_field", "Unknown field '" + e.getPropertyName() + "'");
    } catch (MismatchedInputException e) {
      if (e.getCause() instanceof ApiError apiError) {
        throw apiError;
      }
      String field = fieldPath(e);
      if (field.isEmpty()) {
        throw ApiError.badRequest("malformed_json", "The request body must be a JSON object");
      }
      throw ApiError.badRequest("wrong_type", "Field '" + field + "' has the wrong type");
    } catch (InputCoercionException e) {
      throw outOfRange(e);
    } catch (JsonParseException e) {
      throw ApiError.badRequest("malformed_json", "The request body is not valid JSON");
    } catch (JsonProcessingException e) {
      for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
        if (cause instanceof ApiError apiError) {
          throw apiError;
        }
        if (cause instanceof InputCoercionException coercion) {
          throw outOfRange(coercion);
        }
      }
      throw ApiError.badRequest("malformed_json", "The request body could not be read");
    } catch (java.io.IOException e) {
      throw ApiError.badRequest("malformed_json", "The request body could not be read");
    }
  }

  /** An integer too large for its field (Jackson reads it, then cannot fit it): the field's wrong_type, not an unreadable body. */
  private static ApiError outOfRange(InputCoercionException e) {
    JsonParser parser = e.getProcessor();
    String field = parser == null ? "" : StorableTextParser.path(parser.getParsingContext(), true);
    return field.isEmpty() ? notAnObject() : ApiError.badRequest("wrong_type", "Field '" + field + "' has the wrong type (out of range)");
  }

  private static ApiError notAnObject() {
    return ApiError.badRequest("malformed_json", "The request body must be a JSON object");
  }

  private static String fieldPath(MismatchedInputException e) {
    return e.getPath().stream()
        .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  /** A new mapper with the strict rules, for a decoder that registers its own subtypes. */
  public static ObjectMapper strictMapper() {
    JsonMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    for (LogicalType type : LogicalType.values()) {
      mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
    }
    mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    mapper.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }
}
