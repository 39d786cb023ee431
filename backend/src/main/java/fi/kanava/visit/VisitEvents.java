package fi.kanava.visit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;

/**
 * What the visit feature tells others on the event bus, on the node where it happened (they listen
 * with local consumers, as to a conversation's close). A visit that took place asks for feedback
 * (fi.kanava.feedback); a cancel or a no-show does not.
 */
public final class VisitEvents {
  /** A visit completed: {@link Completed}. */
  public static final String COMPLETED = "kanava.visit.completed";

  private VisitEvents() {}

  /**
   * A completed visit: its queue (null when booked without one), unit (null when its professional has none), channel ({@code video}
   * or {@code chat}), and the patient-kind principals to ask for feedback (the patient and
   * relatives who were let in; never an interpreter or a professional).
   */
  public record Completed(UUID visitId, String queueId, String unitId, String channel, List<UUID> respondents) {
    public JsonObject toJson() {
      JsonArray ids = new JsonArray();
      respondents.forEach(id -> ids.add(id.toString()));
      return new JsonObject().put("visitId", visitId.toString()).put("queueId", queueId).put("unitId", unitId)
          .put("channel", channel).put("respondents", ids);
    }

    public static Completed fromJson(JsonObject json) {
      return new Completed(UUID.fromString(json.getString("visitId")), json.getString("queueId"), json.getString("unitId"),
          json.getString("channel"),
          json.getJsonArray("respondents").stream().map(id -> UUID.fromString((String) id)).toList());
    }

    static Completed of(Visit v) {
      return new Completed(v.id(), v.queueId(), v.unitId(), v.channel(),
          v.patientSide().stream().filter(Visit.Member::asksFeedback).map(Visit.Member::patientId).toList());
    }
  }
}
