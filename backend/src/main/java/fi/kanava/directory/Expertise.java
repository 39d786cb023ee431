package fi.kanava.directory;

import fi.kanava.auth.Language;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Require;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A professional's entry in the expert registry: specialties ("diabetes", "child psychiatry"),
 * skills ("wound care", "sign language") and the languages they serve in. Terms are normalised
 * once, here: trimmed, inner whitespace collapsed, lower case, duplicates dropped, so that search
 * compares like with like.
 */
public record Expertise(List<String> specialties, List<String> skills, List<Language> languages) {
  public static final int MAX_TERMS = 20;
  public static final int MAX_TERM_LENGTH = 60;

  public Expertise {
    specialties = List.copyOf(specialties);
    skills = List.copyOf(skills);
    languages = List.copyOf(languages);
  }

  /** The body of {@code PUT /api/me/expertise} and {@code PUT /api/admin/accounts/{id}/expertise}: the whole entry. */
  @com.fasterxml.jackson.annotation.JsonCreator
  public static Expertise fromJson(
      @com.fasterxml.jackson.annotation.JsonProperty("specialties") List<String> specialties,
      @com.fasterxml.jackson.annotation.JsonProperty("skills") List<String> skills,
      @com.fasterxml.jackson.annotation.JsonProperty("languages") List<String> languages) {
    return new Expertise(terms(Require.present(specialties, "specialties"), "specialties"),
        terms(Require.present(skills, "skills"), "skills"), Require.codes(languages, "languages", Language::fromCode));
  }

  /** Normalised terms (null or absent: none); each 1 to {@value #MAX_TERM_LENGTH} characters, at most {@value #MAX_TERMS}. */
  public static List<String> terms(List<String> values, String field) {
    if (values == null) {
      return List.of();
    }
    Set<String> out = new LinkedHashSet<>();
    for (String value : values) {
      String term = normalise(value);
      if (term == null || term.isEmpty() || term.length() > MAX_TERM_LENGTH) {
        throw ApiError.badRequest("invalid_field",
            "Each of '" + field + "' must be 1 to " + MAX_TERM_LENGTH + " characters");
      }
      out.add(term);
    }
    if (out.size() > MAX_TERMS) {
      throw ApiError.badRequest("invalid_field", "Field '" + field + "' takes at most " + MAX_TERMS + " terms");
    }
    return new ArrayList<>(out);
  }

  /** Trimmed, inner whitespace collapsed, lower case; control characters refused (null). */
  static String normalise(String value) {
    if (value == null || value.chars().anyMatch(Character::isISOControl)) {
      return null;
    }
    return value.strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
  }
}
