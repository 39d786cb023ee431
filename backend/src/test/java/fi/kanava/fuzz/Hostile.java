package fi.kanava.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.infra.ApiError;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The contract every fuzz target checks: hostile input is either read into a value or refused with
 * the project's own error, the one the route or socket turns into a 4xx answer. Anything else that
 * escapes (a NullPointerException, ClassCastException, NumberFormatException, a Jackson exception,
 * StackOverflowError, OutOfMemoryError) is thrown on, and Jazzer reports it as a finding.
 */
final class Hostile {
  private Hostile() {}

  /** The value {@code read} returns, or null if it refused the input with an {@link ApiError} of 4xx. */
  static <T> T readOrRefused(Supplier<T> read) {
    try {
      T value = read.get();
      assertThat(value).as("a read value").isNotNull();
      return value;
    } catch (ApiError refused) {
      assertRefusal(refused);
      return null;
    }
  }

  /** A refusal a client can be told about: a 4xx status, a code and a message. */
  static void assertRefusal(ApiError refused) {
    assertThat(refused.status()).as("status of %s: %s", refused.code(), refused.getMessage()).isBetween(400, 499);
    assertThat(refused.code()).as("error code").isNotBlank();
    assertThat(refused.getMessage()).as("error message").isNotBlank();
  }

  /** What a handler sees of raw bytes that arrived as a text frame: Vert.x's UTF-8 decoding (invalid sequences become U+FFFD). */
  static String textFrame(byte[] raw) {
    return Buffer.buffer(raw).toString(StandardCharsets.UTF_8);
  }

  /** A JSON string literal of {@code length} characters, to build oversized fields. */
  static String longString(int length) {
    return "\"" + "x".repeat(length) + "\"";
  }

  /** {@code depth} nested arrays around {@code inner}. */
  static String nestedArrays(int depth, String inner) {
    return "[".repeat(depth) + inner + "]".repeat(depth);
  }

  /** {@code depth} nested objects under key {@code key}, around {@code inner}. */
  static String nestedObjects(int depth, String key, String inner) {
    return ("{\"" + key + "\":").repeat(depth) + inner + "}".repeat(depth);
  }
}
