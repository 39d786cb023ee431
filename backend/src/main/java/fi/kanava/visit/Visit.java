package fi.kanava.visit;

import fi.kanava.access.AccessPolicy.VisitFacts;
import fi.kanava.auth.Principal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** One visit as loaded, with its current members (removed ones left out) and its open call. */
record Visit(UUID id, String organisationId, String unitId, String queueId, UUID patientId, UUID conversationId, Instant startsAt, int durationMinutes,
    String channel, String language, boolean interpreterNeeded, VisitState state, UUID bookedBy, Instant bookedAt, Instant arrivedAt,
    Instant admittedAt, Integer lateMinutes, Instant endedAt, String cancelReason, UUID callId, List<Member> members, UUID chatId) {

  /** A visit on the chat channel is held as a conversation ({@code chatId}, made at the first admission), not a call. */
  boolean isChat() {
    return "chat".equals(channel);
  }

  /** A member: an account (professional, colleague) or a patient-kind principal (patient, interpreter, relative). */
  record Member(UUID id, MemberKind kind, UUID accountId, UUID patientId, String name, String role, Instant arrivedAt, Instant admittedAt,
      NetworkCheck networkCheck) {

    /** The principal taking part as this member. */
    UUID subjectId() {
      return accountId != null ? accountId : patientId;
    }

    boolean waiting() {
      return !kind.holdsVisit() && arrivedAt != null && admittedAt == null;
    }

    /** Asked for feedback once the visit completes: the patient or a relative who was let in (an interpreter never). */
    boolean asksFeedback() {
      return (kind == MemberKind.PATIENT || kind == MemberKind.RELATIVE) && admittedAt != null;
    }

    /** docs/protocol.md, "Visits": the Member JSON (professionals' view). */
    JsonObject toJson() {
      return new JsonObject()
          .put("id", id.toString())
          .put("kind", kind.code())
          .put("accountId", accountId == null ? null : accountId.toString())
          .put("name", name)
          .put("arrivedAt", arrivedAt == null ? null : arrivedAt.toString())
          .put("admittedAt", admittedAt == null ? null : admittedAt.toString())
          .put("waiting", waiting())
          .put("networkCheck", networkCheck == null ? null : networkCheck.toJson());
    }
  }

  /** The member's latest network check for this visit. */
  record NetworkCheck(String result, Integer rttMs, Double lossPercent, Instant at) {
    JsonObject toJson() {
      return new JsonObject().put("result", result).put("rttMs", rttMs).put("lossPercent", lossPercent).put("at", at.toString());
    }
  }

  Instant endsAt() {
    return startsAt.plus(Duration.ofMinutes(durationMinutes));
  }

  Optional<Member> member(UUID memberId) {
    return members.stream().filter(m -> m.id().equals(memberId)).findFirst();
  }

  /** The member the principal is in this visit, if any. */
  Optional<Member> memberOf(Principal principal) {
    return members.stream().filter(m -> principal.isPatient() ? principal.id().equals(m.patientId()) : principal.id().equals(m.accountId()))
        .findFirst();
  }

  Optional<Member> patient() {
    return members.stream().filter(m -> m.kind() == MemberKind.PATIENT).findFirst();
  }

  List<UUID> professionalIds() {
    return members.stream().filter(m -> m.kind().holdsVisit()).map(Member::accountId).toList();
  }

  List<Member> patientSide() {
    return members.stream().filter(m -> !m.kind().holdsVisit()).toList();
  }

  List<Member> waiting() {
    return members.stream().filter(Member::waiting).toList();
  }

  VisitFacts facts() {
    Set<UUID> pros = new HashSet<>(professionalIds());
    Set<UUID> side = new HashSet<>();
    patientSide().forEach(m -> side.add(m.patientId()));
    return new VisitFacts(organisationId, pros, side);
  }

  /** docs/protocol.md, "Visits": the Visit JSON, as its professionals see it. */
  JsonObject toJson() {
    JsonArray list = new JsonArray();
    members.forEach(m -> list.add(m.toJson()));
    return new JsonObject()
        .put("id", id.toString())
        .put("startsAt", startsAt.toString())
        .put("durationMinutes", durationMinutes)
        .put("endsAt", endsAt().toString())
        .put("channel", channel)
        .put("language", language)
        .put("interpreterNeeded", interpreterNeeded)
        .put("state", state.code())
        .put("lateMinutes", lateMinutes)
        .put("patient", new JsonObject().put("name", patient().map(Member::name).orElse(null)))
        .put("members", list)
        .put("conversationId", conversationId == null ? null : conversationId.toString())
        .put("queueId", queueId)
        .put("callId", callId == null ? null : callId.toString())
        .put("visitConversationId", chatId == null ? null : chatId.toString());
  }

  /** docs/protocol.md, "Visits": the PatientVisit JSON, for patient-side members (no other members' check results). */
  JsonObject patientView() {
    JsonArray pros = new JsonArray();
    members.stream().filter(m -> m.kind().holdsVisit()).forEach(m -> pros.add(new JsonObject().put("name", m.name()).put("role", m.role())));
    return new JsonObject()
        .put("id", id.toString())
        .put("startsAt", startsAt.toString())
        .put("endsAt", endsAt().toString())
        .put("channel", channel)
        .put("language", language)
        .put("state", state.code())
        .put("lateMinutes", lateMinutes)
        .put("professionals", pros);
  }
}
