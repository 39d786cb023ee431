package fi.kanava.chat;

import fi.kanava.auth.AccessPolicy.ConversationFacts;
import fi.kanava.auth.AccessPolicy.ConversationState;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** A conversation row with the names joined in, and the views built from it. */
public record ConversationRecord(
    UUID id,
    String queueId,
    UUID patientId,
    String state,
    String urgency,
    String language,
    String municipality,
    JsonArray triage,
    Instant enqueuedAt,
    UUID assignedTo,
    Instant assignedAt,
    Instant acceptedAt,
    Instant firstResponseAt,
    Instant lastActivityAt,
    Instant closedAt,
    String outcome,
    String outcomeDetail,
    long lastSeq,
    int requeueCount,
    String professionalName,
    String professionalRole,
    String patientKind,
    String patientName,
    long patientReadSeq,
    long professionalReadSeq) {

  public static final String QUEUED = "queued";
  public static final String ACTIVE = "active";
  public static final String CLOSED = "closed";

  /** Selects every column {@link #from(Row)} reads; append a where clause. */
  static final String SELECT =
      "select c.id, c.queue_id, c.patient_id, c.state, c.urgency, c.language, c.municipality, c.triage_summary, c.enqueued_at,"
          + " c.assigned_to, c.assigned_at, c.accepted_at, c.first_response_at, c.last_activity_at, c.closed_at, c.outcome,"
          + " c.outcome_detail, c.last_seq, c.requeue_count, a.display_name as pro_name, a.role as pro_role,"
          + " p.kind as patient_kind, p.display_name as patient_name,"
          + " coalesce((select max(r.seq) from conversation_read r where r.conversation_id = c.id and r.reader_id = c.patient_id), 0)"
          + " as patient_read,"
          + " coalesce((select max(r.seq) from conversation_read r where r.conversation_id = c.id and r.reader_id <> c.patient_id), 0)"
          + " as professional_read"
          + " from conversation c join patient p on p.id = c.patient_id left join account a on a.id = c.assigned_to ";

  static ConversationRecord from(Row row) {
    return new ConversationRecord(
        row.getUUID("id"),
        row.getString("queue_id"),
        row.getUUID("patient_id"),
        row.getString("state"),
        row.getString("urgency"),
        row.getString("language"),
        row.getString("municipality"),
        (JsonArray) row.getValue("triage_summary"),
        instant(row.getOffsetDateTime("enqueued_at")),
        row.getUUID("assigned_to"),
        instant(row.getOffsetDateTime("assigned_at")),
        instant(row.getOffsetDateTime("accepted_at")),
        instant(row.getOffsetDateTime("first_response_at")),
        instant(row.getOffsetDateTime("last_activity_at")),
        instant(row.getOffsetDateTime("closed_at")),
        row.getString("outcome"),
        row.getString("outcome_detail"),
        row.getLong("last_seq"),
        row.getInteger("requeue_count"),
        row.getString("pro_name"),
        row.getString("pro_role"),
        row.getString("patient_kind"),
        row.getString("patient_name"),
        row.getLong("patient_read"),
        row.getLong("professional_read"));
  }

  public boolean isQueued() {
    return QUEUED.equals(state);
  }

  public boolean isActive() {
    return ACTIVE.equals(state);
  }

  public boolean isClosed() {
    return CLOSED.equals(state);
  }

  public ConversationFacts facts() {
    return facts(patientId, queueId, state, assignedTo);
  }

  /** What the access policy needs of a conversation, from its columns. */
  static ConversationFacts facts(UUID patientId, String queueId, String state, UUID assignedTo) {
    return new ConversationFacts(patientId, queueId, ConversationState.valueOf(state.toUpperCase(Locale.ROOT)),
        Optional.ofNullable(assignedTo), Set.of(), Set.of(), Set.of());
  }

  /** The professional's view: everything, including the triage and who the patient is. */
  public JsonObject professionalView() {
    JsonObject view = patientView();
    view.put("triage", triage == null ? new JsonArray() : triage.copy());
    view.put("patient", new JsonObject().put("kind", patientKind).put("name", patientName));
    if (assignedTo != null) {
      view.getJsonObject("professional").put("id", assignedTo.toString());
    }
    return view;
  }

  /** The patient's view: no triage internals, the professional by name and role. */
  public JsonObject patientView() {
    return new JsonObject()
        .put("id", id.toString())
        .put("queueId", queueId)
        .put("state", state)
        .put("urgency", urgency)
        .put("language", language)
        .put("municipality", municipality)
        .put("enqueuedAt", text(enqueuedAt))
        .put("assignedAt", text(assignedAt))
        .put("acceptedAt", text(acceptedAt))
        .put("professional", assignedTo == null ? null : new JsonObject().put("name", professionalName).put("role", professionalRole))
        .put("lastSeq", lastSeq)
        .put("readUpTo", new JsonObject().put("patient", patientReadSeq).put("professional", professionalReadSeq))
        .put("outcome", outcome)
        .put("outcomeDetail", outcomeDetail);
  }

  /** Turns a professional's view into the patient's (for events that carry the former). */
  public static JsonObject forPatient(JsonObject professionalView) {
    JsonObject view = professionalView.copy();
    view.remove("triage");
    view.remove("patient");
    JsonObject pro = view.getJsonObject("professional");
    if (pro != null) {
      pro.remove("id");
    }
    return view;
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }

  private static String text(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
