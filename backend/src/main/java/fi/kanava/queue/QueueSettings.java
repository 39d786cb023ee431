package fi.kanava.queue;

import fi.kanava.conversation.ConversationFrames;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import fi.kanava.auth.Language;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Require;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** A service queue's settings, validated once (from an admin request or a database row). */
public record QueueSettings(
    String id,
    Map<String, String> names,
    String serviceArea,
    List<String> municipalities,
    List<String> languages,
    OpeningHours openingHours,
    boolean anonymousAllowed,
    boolean strongIdRequired,
    int maxLength,
    String routingMode,
    Questionnaire questionnaire,
    Map<String, List<String>> cannedPhrases,
    boolean patientMayWriteWhileQueued,
    List<String> feedbackStatements) {

  public static final String AUTO = "auto";
  public static final String PICK = "pick";
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");

  /** True when the queue serves the municipality (case-insensitive); a queue with no list serves everyone. */
  public boolean serves(String municipality) {
    if (municipalities.isEmpty()) {
      return true;
    }
    return municipality != null && municipalities.stream().anyMatch(m -> m.equalsIgnoreCase(municipality.strip()));
  }

  /**
   * The body of POST/PUT /api/admin/queues; the id comes from the path for PUT. {@code
   * organisationId}, optional, is whose the queue is (POST: the admin's own by default; PUT: it
   * cannot change); it is not a setting and is not in {@link QueueSettings}.
   */
  public record Request(String id, String organisationId, Map<String, String> names, String serviceArea, List<String> municipalities,
      List<String> languages, Map<String, Object> openingHours, Boolean anonymousAllowed, Boolean strongIdRequired,
      Integer maxLength, String routingMode, Map<String, Object> questionnaire, Map<String, List<String>> cannedPhrases,
      Boolean patientMayWriteWhileQueued, List<String> feedbackStatements) {

    @JsonCreator
    public Request(
        @JsonProperty("id") String id,
        @JsonProperty("organisationId") String organisationId,
        @JsonProperty("names") Map<String, String> names,
        @JsonProperty("serviceArea") String serviceArea,
        @JsonProperty("municipalities") List<String> municipalities,
        @JsonProperty("languages") List<String> languages,
        @JsonProperty("openingHours") Map<String, Object> openingHours,
        @JsonProperty("anonymousAllowed") Boolean anonymousAllowed,
        @JsonProperty("strongIdRequired") Boolean strongIdRequired,
        @JsonProperty("maxLength") Integer maxLength,
        @JsonProperty("routingMode") String routingMode,
        @JsonProperty("questionnaire") Map<String, Object> questionnaire,
        @JsonProperty("cannedPhrases") Map<String, List<String>> cannedPhrases,
        @JsonProperty("patientMayWriteWhileQueued") Boolean patientMayWriteWhileQueued,
        @JsonProperty("feedbackStatements") List<String> feedbackStatements) {
      this.id = id;
      this.organisationId = Require.optionalText(organisationId, "organisationId", 63);
      this.names = names;
      this.serviceArea = serviceArea;
      this.municipalities = municipalities;
      this.languages = languages;
      this.openingHours = openingHours;
      this.anonymousAllowed = anonymousAllowed;
      this.strongIdRequired = strongIdRequired;
      this.maxLength = maxLength;
      this.routingMode = routingMode;
      this.questionnaire = questionnaire;
      this.cannedPhrases = cannedPhrases;
      this.patientMayWriteWhileQueued = patientMayWriteWhileQueued;
      this.feedbackStatements = feedbackStatements;
    }

    /** Validates everything; {@code pathId} wins over the body's id (PUT). */
    public QueueSettings validate(String pathId) {
      String queueId = pathId != null ? pathId : Require.text(id, "id", 63);
      if (!ID.matcher(queueId).matches()) {
        throw invalid("id", "must be 2-63 lower-case letters, digits and hyphens");
      }
      Require.present(names, "names");
      if (names.get("fi") == null || names.get("fi").isBlank()) {
        throw invalid("names", "needs at least a Finnish name (fi)");
      }
      names.forEach((lang, name) -> {
        language(lang, "names");
        Require.text(name, "names." + lang, 200);
      });
      List<String> langs = Require.codes(languages, "languages", Language::fromCode).stream().map(Language::code).toList();
      List<String> places = municipalities == null ? List.of()
          : municipalities.stream().map(m -> Require.text(m, "municipalities", 100)).distinct().toList();
      int max = Require.present(maxLength, "maxLength");
      if (max < 1 || max > 100_000) {
        throw invalid("maxLength", "must be between 1 and 100000");
      }
      String mode = Require.text(routingMode, "routingMode", 10);
      if (!mode.equals(AUTO) && !mode.equals(PICK)) {
        throw invalid("routingMode", "must be auto or pick");
      }
      OpeningHours hours;
      try {
        hours = OpeningHours.parse(Require.present(openingHours, "openingHours"));
      } catch (IllegalArgumentException e) {
        throw invalid("openingHours", e.getMessage());
      }
      Questionnaire parsed;
      try {
        parsed = Questionnaire.parse(Require.present(questionnaire, "questionnaire"));
      } catch (IllegalArgumentException e) {
        throw invalid("questionnaire", e.getMessage());
      }
      Map<String, List<String>> phrases = new LinkedHashMap<>();
      if (cannedPhrases != null) {
        cannedPhrases.forEach((lang, list) -> {
          language(lang, "cannedPhrases");
          List<String> texts = new ArrayList<>();
          for (String phrase : Require.present(list, "cannedPhrases." + lang)) {
            texts.add(Require.text(phrase, "cannedPhrases." + lang, ConversationFrames.MAX_TEXT));
          }
          phrases.put(lang, List.copyOf(texts));
        });
      }
      return new QueueSettings(queueId, Map.copyOf(names), Require.text(serviceArea, "serviceArea", 200), places, langs, hours,
          Require.present(anonymousAllowed, "anonymousAllowed"), Require.present(strongIdRequired, "strongIdRequired"), max, mode,
          parsed, phrases, patientMayWriteWhileQueued != null && patientMayWriteWhileQueued, statements(feedbackStatements));
    }

    /** The core statements the queue's feedback asks: 2 to 5 distinct ones of THL's model; all five when missing. */
    private static List<String> statements(List<String> ids) {
      if (ids == null) {
        return fi.kanava.feedback.FeedbackStatements.ALL;
      }
      if (ids.size() < 2 || ids.size() > fi.kanava.feedback.FeedbackStatements.ALL.size() || Set.copyOf(ids).size() != ids.size()
          || !fi.kanava.feedback.FeedbackStatements.ALL.containsAll(ids)) {
        throw ApiError.badRequest("invalid_field", "'feedbackStatements' must list 2 to 5 distinct ids of "
            + fi.kanava.feedback.FeedbackStatements.ALL);
      }
      return List.copyOf(ids);
    }

    private static void language(String code, String field) {
      try {
        Language.fromCode(code);
      } catch (IllegalArgumentException e) {
        throw invalid(field, "has an unknown language '" + code + "'");
      }
    }
  }

  private static ApiError invalid(String field, String problem) {
    return ApiError.badRequest("invalid_field", "Field '" + field + "' " + problem).with("field", field);
  }

  @SuppressWarnings("unchecked")
  static QueueSettings fromRow(Row row) {
    Map<String, String> names = new LinkedHashMap<>();
    row.getJsonObject("names").forEach(e -> names.put(e.getKey(), (String) e.getValue()));
    Map<String, List<String>> phrases = new LinkedHashMap<>();
    row.getJsonObject("canned_phrases").forEach(e -> phrases.put(e.getKey(), ((JsonArray) e.getValue()).getList()));
    return new QueueSettings(
        row.getString("id"),
        names,
        row.getString("service_area"),
        List.of(row.getArrayOfStrings("municipalities")),
        List.of(row.getArrayOfStrings("languages")),
        OpeningHours.parse(row.getJsonObject("opening_hours").getMap()),
        row.getBoolean("anonymous_allowed"),
        row.getBoolean("strong_id_required"),
        row.getInteger("max_length"),
        row.getString("routing_mode"),
        Questionnaire.parse(row.getJsonObject("questionnaire").getMap()),
        phrases,
        row.getBoolean("patient_may_write_while_queued"),
        List.of(row.getArrayOfStrings("feedback_statements")));
  }

  /** Everything, for admins. */
  public JsonObject toJson() {
    JsonObject phrases = new JsonObject();
    cannedPhrases.forEach((lang, list) -> phrases.put(lang, new JsonArray(list)));
    return new JsonObject()
        .put("id", id)
        .put("names", new JsonObject(new LinkedHashMap<>(names)))
        .put("serviceArea", serviceArea)
        .put("municipalities", new JsonArray(municipalities))
        .put("languages", new JsonArray(languages))
        .put("openingHours", new JsonObject(openingHours.toMap()))
        .put("anonymousAllowed", anonymousAllowed)
        .put("strongIdRequired", strongIdRequired)
        .put("maxLength", maxLength)
        .put("routingMode", routingMode)
        .put("questionnaire", new JsonObject(questionnaire.toMap()))
        .put("cannedPhrases", phrases)
        .put("patientMayWriteWhileQueued", patientMayWriteWhileQueued)
        .put("feedbackStatements", new JsonArray(feedbackStatements));
  }

  /** The phrases for a language (falling back to Finnish). */
  public List<String> phrases(String language) {
    List<String> list = cannedPhrases.get(language == null ? "fi" : language.toLowerCase(Locale.ROOT));
    return list != null ? list : cannedPhrases.getOrDefault("fi", List.of());
  }
}
