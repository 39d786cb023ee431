package fi.kanava.queue;

import fi.kanava.auth.Language;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A text in several languages, keyed by language code ({@code fi}, {@code sv}, {@code en},
 * {@code se}, {@code smn}, {@code sms}). Finnish is always present and stands in for any language
 * the text lacks.
 */
record LocalizedText(Map<String, String> texts) {
  static final String FALLBACK = Language.FI.code();
  private static final String CODES = Arrays.stream(Language.values()).map(Language::code).collect(Collectors.joining(", "));

  LocalizedText {
    texts = Map.copyOf(texts);
    if (!texts.containsKey(FALLBACK)) {
      throw new IllegalArgumentException("a Finnish text is required");
    }
  }

  /** The same text in every language, such as a number or free text the patient wrote. */
  static LocalizedText literal(String text) {
    return new LocalizedText(Map.of(FALLBACK, text));
  }

  /**
   * Reads {@code {"fi": "...", "sv": "...", ...}}: Finnish required, other known languages
   * optional, every text non-blank.
   *
   * @throws IllegalArgumentException naming {@code path} if it is missing or malformed
   */
  static LocalizedText parse(Object value, String path) {
    if (value == null) {
      throw Definitions.invalid(path, "missing");
    }
    Map<String, Object> object = Definitions.object(value, path);
    Map<String, String> texts = new LinkedHashMap<>();
    for (Map.Entry<String, Object> entry : object.entrySet()) {
      String languagePath = Definitions.field(path, entry.getKey());
      try {
        Language.fromCode(entry.getKey());
      } catch (IllegalArgumentException e) {
        throw Definitions.invalid(languagePath, "unknown language (use " + CODES + ")");
      }
      if (!(entry.getValue() instanceof String text) || text.isBlank()) {
        throw Definitions.invalid(languagePath, "must be a non-empty string");
      }
      texts.put(entry.getKey(), text);
    }
    if (!texts.containsKey(FALLBACK)) {
      throw Definitions.invalid(Definitions.field(path, FALLBACK), "missing (a Finnish text is required)");
    }
    return new LocalizedText(texts);
  }

  /** The text in {@code language}, or in Finnish if it has none in that language (or the language is null). */
  String in(String language) {
    String text = language == null ? null : texts.get(language);
    return text != null ? text : texts.get(FALLBACK);
  }
}
