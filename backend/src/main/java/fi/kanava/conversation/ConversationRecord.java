package fi.kanava.conversation;

import fi.kanava.access.AccessPolicy.ConversationFacts;
import fi.kanava.access.AccessPolicy.HistoryCut;
import fi.kanava.conversation.Participants.Participant;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A conversation row with the names and open participants joined in. What each side may see of it
 * is built by {@link PatientView#of} and {@link StaffView#of}, never by removing fields from one
 * another.
 */
public record ConversationRecord(
    UUID id,
    String queueId,
    UUID patientId,
    ConversationState state,
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
    long professionalReadSeq,
    List<Participant> participants,
    UUID heldFor,
    List<HistoryCut> historyCuts,
    LatestTransfer latestTransfer,
    boolean referralThread,
    /** The visit this conversation holds (a chat-channel visit, V24); null for a chat contact. */
    UUID visitId) {

  /**
   * The latest transfer of the conversation while it stands (pending, or accepted by its
   * receiver), as the patient may see it: where it goes and their answer about the earlier
   * messages. Never the handover note. Null when never transferred or when the latest transfer
   * returned to its sender.
   */
  public record LatestTransfer(UUID id, String toQueue, String toName, String toRole, Instant answerBy, String consent,
      Instant consentAt) {}

  /** The latest transfer and the name and role of a named target, joined laterally; {@code lt_*} columns. */
  static final String LATEST_TRANSFER = " left join lateral (select t.id as lt_id, t.to_queue as lt_to_queue,"
      + " ta.display_name as lt_to_name, ta.role as lt_to_role, t.consent_deadline as lt_answer_by, t.consent as lt_consent,"
      + " t.consent_at as lt_consent_at, t.state as lt_state from conversation_transfer t left join account ta on ta.id = t.to_account"
      + " where t.conversation_id = c.id order by t.created_at desc, t.id limit 1) lt on true ";

  /**
   * The transfers whose earlier messages the patient has not allowed the next professional to see
   * (pending, refused or expired consent), as {@code fromSeq:fromAccount} text: the access
   * policy's history cuts. Null for a conversation never transferred.
   */
  static final String HISTORY_CUTS = "(select array_agg(t.history_from_seq || ':' || t.from_account) from conversation_transfer t"
      + " where t.conversation_id = c.id and t.consent <> 'granted')";

  /** Selects every column {@link #from(Row)} reads; append a where clause. */
  public static final String SELECT =
      "select c.id, c.queue_id, c.patient_id, c.state, c.urgency, c.language, c.municipality, c.triage_summary, c.enqueued_at,"
          + " c.assigned_to, c.assigned_at, c.accepted_at, c.first_response_at, c.last_activity_at, c.closed_at, c.outcome,"
          + " c.outcome_detail, c.last_seq, c.requeue_count, a.display_name as pro_name, a.role as pro_role,"
          // a chat visit's patient is known by the name the visit was booked with
          + " p.kind as patient_kind, coalesce(p.display_name, (select m.display_name from visit_member m where m.visit_id = c.visit_id"
          + "   and m.kind = 'patient' limit 1)) as patient_name,"
          + " coalesce((select max(r.seq) from conversation_read r where r.conversation_id = c.id and r.reader_id = c.patient_id), 0)"
          + " as patient_read,"
          + " coalesce((select max(r.seq) from conversation_read r where r.conversation_id = c.id"
          + " and r.reader_id is distinct from c.patient_id), 0) as professional_read, "
          + Participants.OPEN_AS_JSON + " as participants, c.held_for, "
          + HISTORY_CUTS + " as history_cuts, lt.lt_id, lt.lt_to_queue, lt.lt_to_name, lt.lt_to_role, lt.lt_answer_by, lt.lt_consent,"
          + " lt.lt_consent_at, lt.lt_state, c.referral_thread, c.visit_id"
          + " from conversation c left join patient p on p.id = c.patient_id left join account a on a.id = c.assigned_to"
          + LATEST_TRANSFER;

  public static ConversationRecord from(Row row) {
    return new ConversationRecord(
        row.getUUID("id"),
        row.getString("queue_id"),
        row.getUUID("patient_id"),
        ConversationState.fromCode(row.getString("state")),
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
        row.getLong("professional_read"),
        Participants.fromJson(row.getValue("participants")),
        row.getUUID("held_for"),
        cuts(row.getArrayOfStrings("history_cuts")),
        latestTransfer(row),
        row.getBoolean("referral_thread"),
        row.getUUID("visit_id"));
  }

  private static LatestTransfer latestTransfer(Row row) {
    String state = row.getString("lt_state");
    if (row.getUUID("lt_id") == null || !("pending".equals(state) || "accepted".equals(state))) {
      return null;
    }
    return new LatestTransfer(row.getUUID("lt_id"), row.getString("lt_to_queue"), row.getString("lt_to_name"), row.getString("lt_to_role"),
        instant(row.getOffsetDateTime("lt_answer_by")), row.getString("lt_consent"), instant(row.getOffsetDateTime("lt_consent_at")));
  }

  public boolean isQueued() {
    return state == ConversationState.QUEUED;
  }

  public boolean isActive() {
    return state == ConversationState.ACTIVE;
  }

  public boolean isClosed() {
    return state == ConversationState.CLOSED;
  }

  /** What the access policy needs of this conversation: the assigned professional, the open participants by kind, transfers. */
  public ConversationFacts facts() {
    ConversationFacts f = facts(patientId, queueId, state, assignedTo, participants);
    return new ConversationFacts(f.patientId(), f.queueId(), f.state(), f.assignedProfessionalId(), f.transferRecipientIds(),
        f.consultantIds(), f.consentedPartnerOrganisationIds(), Optional.ofNullable(heldFor), historyCuts, f.readerIds(), referralThread);
  }

  static List<HistoryCut> cuts(String[] column) {
    if (column == null) {
      return List.of();
    }
    return java.util.Arrays.stream(column).map(entry -> {
      int colon = entry.indexOf(':');
      return new HistoryCut(Long.parseLong(entry.substring(0, colon)), UUID.fromString(entry.substring(colon + 1)));
    }).toList();
  }

  /** The access facts from the columns and the open participants. */
  static ConversationFacts facts(UUID patientId, String queueId, ConversationState state, UUID assignedTo, List<Participant> participants) {
    return new ConversationFacts(patientId, queueId, state, Optional.ofNullable(assignedTo),
        accounts(participants, ParticipantKind.TRANSFER_RECIPIENT), accounts(participants, ParticipantKind.CONSULTANT),
        participants.stream().filter(p -> p.kind() == ParticipantKind.PARTNER && p.organisationId() != null)
            .map(Participant::organisationId).collect(Collectors.toSet()),
        Optional.empty(), List.of(), accounts(participants, ParticipantKind.OBSERVER), false);
  }

  private static Set<UUID> accounts(List<Participant> participants, ParticipantKind kind) {
    return participants.stream().filter(p -> p.kind() == kind && p.accountId() != null).map(Participant::accountId)
        .collect(Collectors.toSet());
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
