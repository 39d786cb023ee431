package fi.kanava.queue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Reads JSON-like definitions (maps, lists, strings, booleans and numbers as a JSON parser
 * produces them) with errors that name the offending part by its path, such as
 * {@code weekly.mon[0]: end must be after start}. A JSON {@code null} counts as absent.
 */
final class Definitions {
  private Definitions() {}

  /** An {@link IllegalArgumentException} whose message is {@code path: problem}. */
  static IllegalArgumentException invalid(String path, String problem) {
    return new IllegalArgumentException(path.isEmpty() ? problem : path + ": " + problem);
  }

  /** The path of a field inside the object at {@code path}. */
  static String field(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** The path of an element of the list at {@code path}. */
  static String element(String path, int index) {
    return path + "[" + index + "]";
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object value, String path) {
    if (!(value instanceof Map<?, ?> map)) {
      throw invalid(path, "must be an object");
    }
    for (Object key : map.keySet()) {
      if (!(key instanceof String)) {
        throw invalid(path, "keys must be strings");
      }
    }
    return (Map<String, Object>) map;
  }

  static List<?> list(Object value, String path) {
    if (!(value instanceof List<?> list)) {
      throw invalid(path, "must be a list");
    }
    return list;
  }

  static String string(Object value, String path) {
    if (!(value instanceof String string)) {
      throw invalid(path, "must be a string");
    }
    return string;
  }

  static boolean bool(Object value, String path) {
    if (!(value instanceof Boolean bool)) {
      throw invalid(path, "must be true or false");
    }
    return bool;
  }

  static long wholeNumber(Object value, String path) {
    return whole(value).orElseThrow(() -> invalid(path, "must be a whole number"));
  }

  /** Rejects keys of {@code object} outside {@code allowed}, naming the first unknown one. */
  static void onlyKnownFields(Map<String, Object> object, String path, Set<String> allowed) {
    for (String key : object.keySet()) {
      if (!allowed.contains(key)) {
        throw invalid(field(path, key), "unknown field");
      }
    }
  }

  /**
   * The value as a long if it is a whole number: an Integer, Long, Short or Byte, a BigInteger
   * within range, or a Double, Float or BigDecimal with no fractional part within range.
   */
  static OptionalLong whole(Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return OptionalLong.of(((Number) value).longValue());
    }
    if (value instanceof BigInteger big) {
      return big.bitLength() < 64 ? OptionalLong.of(big.longValue()) : OptionalLong.empty();
    }
    if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      boolean fits = Double.isFinite(d) && d == Math.rint(d) && d >= -0x1p63 && d < 0x1p63;
      return fits ? OptionalLong.of((long) d) : OptionalLong.empty();
    }
    if (value instanceof BigDecimal decimal) {
      try {
        return OptionalLong.of(decimal.longValueExact());
      } catch (ArithmeticException notWhole) {
        return OptionalLong.empty();
      }
    }
    return OptionalLong.empty();
  }

  /** An unmodifiable deep copy of maps (keeping their order and null values) and lists. */
  static Object deepCopy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, deepCopy(v)));
      return Collections.unmodifiableMap(copy);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      list.forEach(v -> copy.add(deepCopy(v)));
      return Collections.unmodifiableList(copy);
    }
    return value;
  }
}
