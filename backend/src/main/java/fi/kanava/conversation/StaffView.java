package fi.kanava.conversation;

import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.util.List;

/**
 * What professionals entitled to a conversation see of it: everything in {@link PatientView} plus
 * the triage summary, who the patient is, the professional's id and the participants. Sent only to
 * professionals' sockets, on the conversation's staff address.
 */
public record StaffView(
    String id,
    String queueId,
    String state,
    String urgency,
    String language,
    String municipality,
    Instant enqueuedAt,
    Instant assignedAt,
    Instant acceptedAt,
    Instant lastActivityAt,
    Instant closedAt,
    Professional professional,
    long lastSeq,
    PatientView.ReadUpTo readUpTo,
    String outcome,
    String outcomeDetail,
    Integer position,
    Long estimatedWaitSeconds,
    Long estimatedWaitLowSeconds,
    Long estimatedWaitHighSeconds,
    String noEstimateReason,
    JsonArray triage,
    Patient patient,
    List<Participant> participants,
    PatientView.Transfer transfer) {

  public record Professional(String id, String name, String role) {}

  /** The patient as professionals see them: identified or anonymous, and a name if known. Null in a professional-only thread. */
  public record Patient(String kind, String name) {}

  public record Participant(String kind, String accountId, String organisationId) {}

  public static StaffView of(ConversationRecord c) {
    return of(c, null);
  }

  public static StaffView of(ConversationRecord c, QueuePlaces.Place place) {
    return new StaffView(c.id().toString(), c.queueId(), c.state().code(), c.urgency(), c.language(), c.municipality(),
        c.enqueuedAt(), c.assignedAt(), c.acceptedAt(), c.lastActivityAt(), c.closedAt(),
        c.assignedTo() == null ? null : new Professional(c.assignedTo().toString(), c.professionalName(), c.professionalRole()),
        c.lastSeq(), new PatientView.ReadUpTo(c.patientReadSeq(), c.professionalReadSeq()), c.outcome(), c.outcomeDetail(),
        place == null ? null : place.position(), place == null ? null : place.estimatedWaitSeconds(),
        place == null ? null : place.estimatedWaitLowSeconds(), place == null ? null : place.estimatedWaitHighSeconds(),
        place == null ? null : place.noEstimateReason(),
        c.triage() == null ? new JsonArray() : c.triage().copy(),
        c.patientId() == null ? null : new Patient(c.patientKind(), c.patientName()),
        c.participants().stream().map(p -> new Participant(p.kind().code(),
            p.accountId() == null ? null : p.accountId().toString(), p.organisationId())).toList(),
        PatientView.transfer(c.latestTransfer()));
  }
}
