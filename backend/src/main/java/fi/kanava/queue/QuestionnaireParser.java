package fi.kanava.queue;

import fi.kanava.conversation.Urgency;

import static fi.kanava.queue.Definitions.element;
import static fi.kanava.queue.Definitions.field;
import static fi.kanava.queue.Definitions.invalid;

import fi.kanava.queue.Question.ChoiceQuestion;
import fi.kanava.queue.Question.NumberQuestion;
import fi.kanava.queue.Question.NumberRule;
import fi.kanava.queue.Question.Option;
import fi.kanava.queue.Question.TextQuestion;
import fi.kanava.queue.Question.YesNoQuestion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads and validates a {@link Questionnaire} definition. Errors name the question by position
 * and id, e.g. {@code questions[1] (fever_days).next: 'symptom' is not a later question}.
 */
final class QuestionnaireParser {
  static final int DEFAULT_TEXT_LENGTH = 500;
  static final int MAX_TEXT_LENGTH = 2000;
  private static final Pattern ID = Pattern.compile("[a-z0-9_]{1,40}");
  private static final Set<String> COMMON = Set.of("id", "type", "required", "text", "next");
  private static final Map<String, Set<String>> TYPE_FIELDS = Map.of(
      "choice", Set.of("options"),
      "yesno", Set.of("yesUrgency", "noUrgency", "nextYes", "nextNo"),
      "number", Set.of("min", "max", "rules"),
      "text", Set.of("maxLength"));

  /** Question ids in list order, to check that every next points forward. */
  private final Map<String, Integer> positions = new HashMap<>();

  private QuestionnaireParser() {}

  /** The questions of a definition, in order. */
  static List<Question> parse(Map<String, Object> definition) {
    if (definition == null) {
      throw new IllegalArgumentException("questionnaire: definition is missing");
    }
    Definitions.onlyKnownFields(definition, "", Set.of("questions"));
    Object value = definition.get("questions");
    if (value == null) {
      throw invalid("questions", "missing");
    }
    List<?> list = Definitions.list(value, "questions");
    if (list.isEmpty()) {
      throw invalid("questions", "at least one question is required");
    }
    return new QuestionnaireParser().questions(list);
  }

  private List<Question> questions(List<?> list) {
    List<Map<String, Object>> objects = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      Map<String, Object> object = Definitions.object(list.get(i), element("questions", i));
      String id = id(object.get("id"), field(element("questions", i), "id"));
      if (positions.putIfAbsent(id, i) != null) {
        throw invalid(field(element("questions", i), "id"), "duplicate question id '" + id + "'");
      }
      objects.add(object);
    }
    List<Question> questions = new ArrayList<>();
    for (int i = 0; i < objects.size(); i++) {
      questions.add(question(objects.get(i), i));
    }
    return List.copyOf(questions);
  }

  private Question question(Map<String, Object> object, int position) {
    String id = (String) object.get("id");
    String path = element("questions", position) + " (" + id + ")";
    Object typeValue = object.get("type");
    if (typeValue == null) {
      throw invalid(field(path, "type"), "missing");
    }
    String type = Definitions.string(typeValue, field(path, "type"));
    Set<String> extra = TYPE_FIELDS.get(type);
    if (extra == null) {
      throw invalid(field(path, "type"), "unknown type '" + type + "' (use choice, yesno, number or text)");
    }
    Set<String> allowed = new HashSet<>(COMMON);
    allowed.addAll(extra);
    Definitions.onlyKnownFields(object, path, allowed);
    LocalizedText text = LocalizedText.parse(object.get("text"), field(path, "text"));
    Object requiredValue = object.get("required");
    boolean required = requiredValue == null ? !type.equals("text") : Definitions.bool(requiredValue, field(path, "required"));
    String next = next(object.get("next"), field(path, "next"), position);
    return switch (type) {
      case "choice" -> new ChoiceQuestion(id, text, required, next, options(object.get("options"), field(path, "options"), position));
      case "yesno" -> new YesNoQuestion(id, text, required, next,
          urgency(object.get("yesUrgency"), field(path, "yesUrgency")), urgency(object.get("noUrgency"), field(path, "noUrgency")),
          next(object.get("nextYes"), field(path, "nextYes"), position), next(object.get("nextNo"), field(path, "nextNo"), position));
      case "number" -> number(object, path, id, text, required, next);
      default -> new TextQuestion(id, text, required, next, maxLength(object.get("maxLength"), field(path, "maxLength")));
    };
  }

  private List<Option> options(Object value, String path, int position) {
    if (value == null) {
      throw invalid(path, "missing");
    }
    List<?> list = Definitions.list(value, path);
    if (list.isEmpty()) {
      throw invalid(path, "at least one option is required");
    }
    List<Option> options = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String optionPath = element(path, i);
      Map<String, Object> object = Definitions.object(list.get(i), optionPath);
      Definitions.onlyKnownFields(object, optionPath, Set.of("id", "text", "urgency", "next"));
      String id = id(object.get("id"), field(optionPath, "id"));
      if (!ids.add(id)) {
        throw invalid(field(optionPath, "id"), "duplicate option id '" + id + "'");
      }
      options.add(new Option(id, LocalizedText.parse(object.get("text"), field(optionPath, "text")),
          urgency(object.get("urgency"), field(optionPath, "urgency")), next(object.get("next"), field(optionPath, "next"), position)));
    }
    return List.copyOf(options);
  }

  private static NumberQuestion number(Map<String, Object> object, String path, String id, LocalizedText text, boolean required,
      String next) {
    Long min = optionalWhole(object.get("min"), field(path, "min"));
    Long max = optionalWhole(object.get("max"), field(path, "max"));
    checkOrder(min, max, field(path, "max"));
    List<NumberRule> rules = new ArrayList<>();
    Object value = object.get("rules");
    List<?> list = value == null ? List.of() : Definitions.list(value, field(path, "rules"));
    for (int i = 0; i < list.size(); i++) {
      String rulePath = element(field(path, "rules"), i);
      Map<String, Object> rule = Definitions.object(list.get(i), rulePath);
      Definitions.onlyKnownFields(rule, rulePath, Set.of("min", "max", "urgency"));
      Long ruleMin = optionalWhole(rule.get("min"), field(rulePath, "min"));
      Long ruleMax = optionalWhole(rule.get("max"), field(rulePath, "max"));
      checkOrder(ruleMin, ruleMax, field(rulePath, "max"));
      Urgency urgency = urgency(rule.get("urgency"), field(rulePath, "urgency"));
      if (urgency == null) {
        throw invalid(field(rulePath, "urgency"), "missing");
      }
      rules.add(new NumberRule(ruleMin, ruleMax, urgency));
    }
    return new NumberQuestion(id, text, required, next, min, max, List.copyOf(rules));
  }

  private static void checkOrder(Long min, Long max, String maxPath) {
    if (min != null && max != null && max < min) {
      throw invalid(maxPath, "must not be less than min");
    }
  }

  private static int maxLength(Object value, String path) {
    if (value == null) {
      return DEFAULT_TEXT_LENGTH;
    }
    long length = Definitions.wholeNumber(value, path);
    if (length < 1 || length > MAX_TEXT_LENGTH) {
      throw invalid(path, "must be between 1 and " + MAX_TEXT_LENGTH);
    }
    return (int) length;
  }

  private static Long optionalWhole(Object value, String path) {
    return value == null ? null : Definitions.wholeNumber(value, path);
  }

  private static String id(Object value, String path) {
    if (value == null) {
      throw invalid(path, "missing");
    }
    String id = Definitions.string(value, path);
    if (!ID.matcher(id).matches()) {
      throw invalid(path, "'" + id + "' must be 1 to 40 characters of a-z, 0-9 and _");
    }
    if (id.equals(Question.END)) {
      throw invalid(path, "'end' is reserved for ending the questionnaire");
    }
    return id;
  }

  private static Urgency urgency(Object value, String path) {
    if (value == null) {
      return null;
    }
    String code = Definitions.string(value, path);
    try {
      return Urgency.fromCode(code);
    } catch (IllegalArgumentException e) {
      throw invalid(path, "unknown urgency '" + code + "' (use immediate, same_day or non_urgent)");
    }
  }

  /** A next target: "end" or the id of a question after {@code position}; null if absent. */
  private String next(Object value, String path, int position) {
    if (value == null) {
      return null;
    }
    String target = Definitions.string(value, path);
    if (target.equals(Question.END)) {
      return target;
    }
    Integer targetPosition = positions.get(target);
    if (targetPosition == null) {
      throw invalid(path, "unknown question '" + target + "'");
    }
    if (targetPosition <= position) {
      throw invalid(path, "'" + target + "' is not a later question (a next may only point forward or to 'end')");
    }
    return target;
  }
}
