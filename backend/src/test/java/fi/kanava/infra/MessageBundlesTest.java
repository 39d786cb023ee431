package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The web client's message bundles")
class MessageBundlesTest {
  private static final List<String> LANGUAGES = List.of("fi", "sv", "en", "se");

  private static JsonObject bundle(String language) throws Exception {
    try (InputStream in = MessageBundlesTest.class.getClassLoader().getResourceAsStream("webroot/i18n/" + language + ".json")) {
      assertThat(in).as("bundle " + language).isNotNull();
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void every_language_has_every_key_and_no_empty_text() throws Exception {
    JsonObject finnish = bundle("fi");
    for (String language : LANGUAGES) {
      JsonObject other = bundle(language);
      assertThat(other.fieldNames()).as(language).containsExactlyInAnyOrderElementsOf(finnish.fieldNames());
      other.forEach(entry -> assertThat((String) entry.getValue()).as(language + " " + entry.getKey()).isNotBlank());
    }
  }
}
