package fi.kanava.infra;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A parser that refuses, as each token is read, a string or a field name that PostgreSQL could not
 * store in a text or jsonb column: one holding NUL (U+0000) or a lone UTF-16 surrogate, which has no
 * UTF-8 form. Checking the tokens covers every field, list and nested map, keys included, whatever
 * type they are decoded into. Only {@code nextToken} is overridden: Jackson's other {@code next...}
 * methods, and its buffering of fields read before a {@code type}, all read through it.
 */
final class StorableTextParser extends JsonParserDelegate {

  StorableTextParser(JsonParser parser) {
    super(parser);
  }

  @Override
  public JsonToken nextToken() throws IOException {
    JsonToken token = delegate.nextToken();
    if (token == JsonToken.VALUE_STRING) {
      if (!storable(delegate.getTextCharacters(), delegate.getTextOffset(), delegate.getTextLength())) {
        String field = path(delegate.getParsingContext(), true);
        throw invalidText(field.isEmpty() ? "The value" : "Field '" + field + "'");
      }
    } else if (token == JsonToken.FIELD_NAME) {
      String name = delegate.currentName();
      if (!storable(name.toCharArray(), 0, name.length())) {
        String parent = path(delegate.getParsingContext(), false);
        throw invalidText(parent.isEmpty() ? "A field name" : "A key in '" + parent + "'");
      }
    }
    return token;
  }

  /** As {@link JsonParser#nextValue}, but through {@link #nextToken} so that field names are checked too. */
  @Override
  public JsonToken nextValue() throws IOException {
    JsonToken token = nextToken();
    return token == JsonToken.FIELD_NAME ? nextToken() : token;
  }

  /** False for text holding NUL or a surrogate that is not part of a pair. */
  static boolean storable(char[] text, int offset, int length) {
    int end = offset + length;
    for (int i = offset; i < end; i++) {
      char c = text[i];
      if (c == '\0' || Character.isLowSurrogate(c)) {
        return false;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= end || !Character.isLowSurrogate(text[i + 1])) {
          return false;
        }
        i++;
      }
    }
    return true;
  }

  private static ApiError invalidText(String what) {
    return ApiError.badRequest("invalid_text", what + " holds a character that cannot be stored (NUL or a lone surrogate)");
  }

  /** The path to the current value as {@link JsonBodies} names fields ({@code questions.[0].id}); without the current name for a key. */
  static String path(JsonStreamContext current, boolean withCurrentName) {
    Deque<String> parts = new ArrayDeque<>();
    for (JsonStreamContext context = current; context != null && !context.inRoot(); context = context.getParent()) {
      if (context.inArray()) {
        parts.addFirst("[" + context.getCurrentIndex() + "]");
      } else if ((withCurrentName || context != current) && context.getCurrentName() != null) {
        parts.addFirst(context.getCurrentName());
      }
    }
    return String.join(".", parts);
  }
}
