package fi.kanava.infra;

import java.util.List;
import java.util.function.Function;

/** Field checks for request records; each failure is a 400 naming the field. */
public final class Require {
  private Require() {}

  public static String text(String value, String field, int maxLength) {
    if (value == null) {
      throw ApiError.badRequest("missing_field", "Field '" + field + "' is required");
    }
    String trimmed = value.strip();
    if (trimmed.isEmpty()) {
      throw ApiError.badRequest("invalid_field", "Field '" + field + "' must not be empty");
    }
    if (trimmed.length() > maxLength) {
      throw ApiError.badRequest("invalid_field", "Field '" + field + "' is longer than " + maxLength + " characters");
    }
    return trimmed;
  }

  public static String optionalText(String value, String field, int maxLength) {
    return value == null ? null : text(value, field, maxLength);
  }

  /** Like {@link #text} but keeps the value exactly as sent (passwords, tokens). */
  public static String secret(String value, String field, int maxLength) {
    if (value == null) {
      throw ApiError.badRequest("missing_field", "Field '" + field + "' is required");
    }
    if (value.isEmpty() || value.length() > maxLength) {
      throw ApiError.badRequest("invalid_field", "Field '" + field + "' must be 1 to " + maxLength + " characters");
    }
    return value;
  }

  public static <T> T present(T value, String field) {
    if (value == null) {
      throw ApiError.badRequest("missing_field", "Field '" + field + "' is required");
    }
    return value;
  }

  /** Parses a code with {@code parser}, which throws IllegalArgumentException for unknown codes. */
  public static <T> T code(String value, String field, Function<String, T> parser) {
    String text = text(value, field, 64);
    try {
      return parser.apply(text);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid_field", "Field '" + field + "' has an unknown value '" + text + "'");
    }
  }

  public static <T> List<T> codes(List<String> values, String field, Function<String, T> parser) {
    present(values, field);
    if (values.isEmpty()) {
      throw ApiError.badRequest("invalid_field", "Field '" + field + "' must not be empty");
    }
    return values.stream().map(v -> code(v, field, parser)).distinct().toList();
  }
}
