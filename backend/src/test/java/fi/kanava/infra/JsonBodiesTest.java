package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("JsonBodies: the one strict decoder of REST bodies and socket frames")
class JsonBodiesTest {
  record Body(String name, Long seq, Integer count, List<String> tags, Map<String, Object> answers) {}

  record Primitive(int max) {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({@JsonSubTypes.Type(value = Frame.Dot.class, name = "dot")})
  sealed interface Frame {
    record Dot(String ref, Long seq) implements Frame {}
  }

  private static <T> T decode(String json, Class<T> type) {
    return JsonBodies.decode(json.getBytes(StandardCharsets.UTF_8), type);
  }

  private static AbstractThrowableAssert<?, ?> refused(String json, Class<?> type, String code) {
    return assertThatThrownBy(() -> decode(json, type)).as(json)
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.code()).isEqualTo(code);
          assertThat(e.status()).isEqualTo(400);
        });
  }

  @Nested
  @DisplayName("text PostgreSQL cannot store is invalid_text")
  class StorableText {
    @Test
    @DisplayName("a NUL in a field is refused, naming the field but not echoing the text")
    void nul_in_a_field() {
      refused("{\"name\":\"a\\u0000b\"}", Body.class, "invalid_text")
          .hasMessageContaining("'name'").hasMessageNotContaining("\0");
    }

    @Test
    @DisplayName("lone surrogates are refused, escaped or sent as raw bytes; a real pair is kept")
    void lone_surrogates() {
      refused("{\"name\":\"a\\ud800\"}", Body.class, "invalid_text");
      refused("{\"name\":\"\\ud800b\"}", Body.class, "invalid_text");
      refused("{\"name\":\"\\udc00\"}", Body.class, "invalid_text");
      refused("{\"name\":\"\\ude00\\ud83d\"}", Body.class, "invalid_text");
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      raw.writeBytes("{\"name\":\"a".getBytes(StandardCharsets.UTF_8));
      raw.writeBytes(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // U+D800 encoded as if it were a character
      raw.writeBytes("\"}".getBytes(StandardCharsets.UTF_8));
      assertThatThrownBy(() -> JsonBodies.decode(raw.toByteArray(), Body.class))
          .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo("invalid_text"));

      assertThat(decode("{\"name\":\"\\ud83d\\ude00\"}", Body.class).name()).isEqualTo("\uD83D\uDE00");
      assertThat(decode("{\"name\":\"hymy \uD83D\uDE00 ä\"}", Body.class).name()).isEqualTo("hymy \uD83D\uDE00 ä");
      assertThat(decode("{\"name\":\"\\\\u0000\"}", Body.class).name()).isEqualTo("\\u0000");
    }

    @Test
    @DisplayName("list items, nested values and map keys at any depth are checked")
    void lists_maps_and_keys() {
      refused("{\"tags\":[\"ok\",\"x\\u0000\"]}", Body.class, "invalid_text").hasMessageContaining("'tags.[1]'");
      refused("{\"answers\":{\"topic\":\"other\\u0000\"}}", Body.class, "invalid_text").hasMessageContaining("'answers.topic'");
      refused("{\"answers\":{\"topic\\u0000\":\"other\"}}", Body.class, "invalid_text").hasMessageContaining("A key in 'answers'");
      refused("{\"answers\":{\"a\":[{\"b\":{\"c\\ud800\":1}}]}}", Body.class, "invalid_text").hasMessageContaining("'answers.a.[0].b'");
      refused("{\"answers\":{\"a\":[1,[\"\\u0000\"]]}}", Body.class, "invalid_text");
      refused("{\"na\\u0000me\":\"x\"}", Body.class, "invalid_text").hasMessageContaining("A field name");
    }

    @Test
    @DisplayName("fields read before the type of a typed frame are checked too")
    void fields_before_the_type() {
      refused("{\"ref\":\"a\\u0000\",\"type\":\"dot\"}", Frame.class, "invalid_text").hasMessageContaining("'ref'");
      refused("{\"type\":\"dot\",\"ref\":\"a\\u0000\"}", Frame.class, "invalid_text").hasMessageContaining("'ref'");
    }
  }

  @Nested
  @DisplayName("an integer field takes JSON integers only")
  class Integers {
    @Test
    @DisplayName("1.5, 2.0 and 2e0 are wrong_type, never truncated")
    void floats_are_refused() {
      refused("{\"seq\":1.5}", Body.class, "wrong_type").hasMessageContaining("'seq'");
      refused("{\"seq\":2.0}", Body.class, "wrong_type");
      refused("{\"seq\":2e0}", Body.class, "wrong_type");
      refused("{\"count\":3.0}", Body.class, "wrong_type").hasMessageContaining("'count'");
      refused("{\"type\":\"dot\",\"seq\":0.5}", Frame.class, "wrong_type");
    }

    @Test
    @DisplayName("an integer too large for its field is wrong_type naming the field, not an unreadable body")
    void out_of_range_integers_are_refused() {
      refused("{\"count\":99999999999}", Body.class, "wrong_type").hasMessageContaining("'count'");
      refused("{\"count\":-2147483649}", Body.class, "wrong_type").hasMessageContaining("'count'");
      refused("{\"seq\":99999999999999999999}", Body.class, "wrong_type").hasMessageContaining("'seq'");
      refused("{\"type\":\"dot\",\"seq\":-99999999999999999999}", Frame.class, "wrong_type").hasMessageContaining("'seq'");
      refused("{\"max\":99999999999}", Primitive.class, "wrong_type").hasMessageContaining("'max'");
    }

    @Test
    @DisplayName("integers are accepted, and an untyped answer may still be a fraction")
    void integers_are_accepted() {
      Body body = decode("{\"seq\":2,\"count\":-3,\"answers\":{\"temperature\":37.5}}", Body.class);
      assertThat(body.seq()).isEqualTo(2L);
      assertThat(body.count()).isEqualTo(-3);
      assertThat(body.answers()).containsEntry("temperature", 37.5);
    }
  }

  @Nested
  @DisplayName("the body must be a JSON object with a string type")
  class Shape {
    @Test
    @DisplayName("an array, a scalar or null is malformed_json")
    void not_an_object() {
      for (String json : List.of("[]", "[{\"type\":\"dot\"}]", "1", "\"x\"", "null", "true", "")) {
        refused(json, Frame.class, "malformed_json").hasMessageContaining("must be a JSON object");
        refused(json, Body.class, "malformed_json");
      }
    }

    @Test
    @DisplayName("a type that is not a string is wrong_type; an unknown string is unknown_type")
    void type_must_be_a_string() {
      refused("{\"type\":1}", Frame.class, "wrong_type").hasMessageContaining("'type'");
      refused("{\"type\":true}", Frame.class, "wrong_type");
      refused("{\"ref\":\"r\",\"type\":1.5}", Frame.class, "wrong_type");
      refused("{\"type\":\"teleport\"}", Frame.class, "unknown_type");
      assertThat(decode("{\"ref\":\"r\",\"type\":\"dot\",\"seq\":7}", Frame.class)).isEqualTo(new Frame.Dot("r", 7L));
    }

    @Test
    @DisplayName("the strict rules before this change still hold")
    void strict_rules_still_hold() {
      refused("{\"name\":\"a\"} trailing", Body.class, "malformed_json");
      refused("{\"name\":\"a\",\"name\":\"b\"}", Body.class, "malformed_json");
      refused("{\"name\":1}", Body.class, "wrong_type");
      refused("{\"seq\":\"5\"}", Body.class, "wrong_type");
      refused("{\"other\":1}", Body.class, "unknown_field");
      refused("{\"name\":", Body.class, "malformed_json");
    }
  }
}
