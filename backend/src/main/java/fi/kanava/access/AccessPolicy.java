package fi.kanava.access;

import fi.kanava.conversation.ConversationState;

import fi.kanava.auth.Principal;
import fi.kanava.auth.Role;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Who may do what: the one place where access to conversations and system functions is decided.
 * Pure rules over facts the caller loads; no I/O. {@link AccessGuard} applies these decisions and
 * writes the audit trail.
 *
 * <p>Conversation rules:
 *
 * <ul>
 *   <li>the patient reads, exports and (until it closes) writes their own conversation;
 *   <li>the assigned professional reads and exports it and writes while it is open;
 *   <li>care professionals serving the queue read a conversation while it waits (to triage and
 *       pick), but cannot write before it is theirs;
 *   <li>transfer and consultation recipients read it and write while it is open;
 *   <li>partner staff (a municipal exercise counsellor, say) read and write only when the patient
 *       was referred to their organisation with recorded consent;
 *   <li>supervisors see figures, never message bodies; admins manage accounts, not care.
 * </ul>
 */
public final class AccessPolicy {

  /** What one may do with a conversation. */
  public enum ConversationAction {
    /** Read messages, the pre-questionnaire answers and the triage summary. */
    READ,
    /** Send a message or an internal note. */
    WRITE,
    /** Take a copy out of the system (a structured record for a patient-record system). */
    EXPORT,
    /**
     * Take part without writing a message: typing indicators and read receipts. Only participants
     * (not a professional previewing a waiting conversation) and only while it is open.
     */
    PARTICIPATE
  }

  /** System functions that are not about one conversation. */
  public enum SystemAction {
    MANAGE_ACCOUNTS,
    MANAGE_QUEUES,
    /** Aggregated figures: queue lengths, waits, outcomes, NPS. No message bodies. */
    READ_FIGURES,
    READ_OWN_ACCESS_LOG,
    /** The professional console: waiting lists, own conversations, canned phrases. */
    USE_CONSOLE
  }

  /**
   * What the policy needs to know of a conversation. The patient is null in a professional-only
   * thread; the queue is null for a conversation that never went through one.
   */
  public record ConversationFacts(
      UUID patientId,
      String queueId,
      ConversationState state,
      Optional<UUID> assignedProfessionalId,
      Set<UUID> transferRecipientIds,
      Set<UUID> consultantIds,
      Set<String> consentedPartnerOrganisationIds) {

    public ConversationFacts {
      Objects.requireNonNull(state);
      transferRecipientIds = Set.copyOf(transferRecipientIds);
      consultantIds = Set.copyOf(consultantIds);
      consentedPartnerOrganisationIds = Set.copyOf(consentedPartnerOrganisationIds);
    }
  }

  /** The principal and what the policy needs to know of them beyond their token. */
  public record Actor(Principal principal, Set<String> servedQueueIds) {
    public Actor {
      Objects.requireNonNull(principal);
      servedQueueIds = Set.copyOf(servedQueueIds);
    }

    public static Actor of(Principal principal) {
      return new Actor(principal, Set.of());
    }
  }

  /** A decision with the reason, a stable code that goes into the audit trail. */
  public record Decision(boolean allowed, String reason) {
    static Decision allow(String reason) {
      return new Decision(true, reason);
    }

    static Decision deny(String reason) {
      return new Decision(false, reason);
    }
  }

  public Decision decide(Principal principal, SystemAction action) {
    return switch (action) {
      case MANAGE_ACCOUNTS, MANAGE_QUEUES ->
          principal.hasRole(Role.ADMIN) ? Decision.allow("admin") : Decision.deny("admin_only");
      case READ_FIGURES ->
          principal.hasRole(Role.SUPERVISOR) || principal.hasRole(Role.ADMIN)
              ? Decision.allow("figures_role")
              : Decision.deny("figures_role_only");
      case READ_OWN_ACCESS_LOG ->
          principal.isPatient() ? Decision.allow("patient_own") : Decision.deny("patients_only");
      case USE_CONSOLE ->
          principal.role().filter(r -> r.isCareProfessional() || r == Role.PARTNER).isPresent()
              ? Decision.allow("care_role")
              : Decision.deny("care_roles_only");
    };
  }

  public Decision decide(Actor actor, ConversationAction action, ConversationFacts conversation) {
    Principal principal = actor.principal();
    if (principal.isPatient()) {
      return patient(principal, action, conversation);
    }
    Role role = principal.role().orElseThrow();
    return switch (role) {
      case SUPERVISOR -> Decision.deny("supervisor_figures_only");
      case ADMIN -> Decision.deny("admin_no_care_access");
      case PARTNER -> partner(principal, action, conversation);
      case NURSE, PHYSICIAN, SPECIALIST -> careProfessional(actor, action, conversation);
    };
  }

  private static Decision patient(Principal principal, ConversationAction action, ConversationFacts c) {
    if (!principal.id().equals(c.patientId())) {
      return Decision.deny("not_own_conversation");
    }
    if (changes(action) && c.state() == ConversationState.CLOSED) {
      return Decision.deny("conversation_closed");
    }
    return Decision.allow("patient_own");
  }

  private static Decision partner(Principal principal, ConversationAction action, ConversationFacts c) {
    if (!c.consentedPartnerOrganisationIds().contains(principal.organisationId().orElseThrow())) {
      return Decision.deny("no_referral_consent");
    }
    return switch (action) {
      case READ -> Decision.allow("partner_referral_consent");
      case WRITE, PARTICIPATE ->
          c.state() == ConversationState.CLOSED
              ? Decision.deny("conversation_closed")
              : Decision.allow("partner_referral_consent");
      case EXPORT -> Decision.deny("partner_no_export");
    };
  }

  private static Decision careProfessional(Actor actor, ConversationAction action, ConversationFacts c) {
    UUID id = actor.principal().id();
    Optional<String> relation = relation(id, c);
    if (relation.isPresent()) {
      if (changes(action) && c.state() == ConversationState.CLOSED) {
        return Decision.deny("conversation_closed");
      }
      if (action == ConversationAction.EXPORT && !relation.get().equals("assigned")) {
        return Decision.deny("export_assigned_only");
      }
      return Decision.allow(relation.get());
    }
    boolean servesWaitingQueue =
        c.state() == ConversationState.QUEUED && actor.servedQueueIds().contains(c.queueId());
    if (servesWaitingQueue) {
      return switch (action) {
        case READ -> Decision.allow("queue_server_waiting");
        case PARTICIPATE -> Decision.deny("not_participant");
        case WRITE, EXPORT -> Decision.deny("not_assigned");
      };
    }
    return Decision.deny("not_entitled");
  }

  /** Actions that change the conversation (or what its other side sees): none once it is closed. */
  private static boolean changes(ConversationAction action) {
    return action == ConversationAction.WRITE || action == ConversationAction.PARTICIPATE;
  }

  private static Optional<String> relation(UUID professionalId, ConversationFacts c) {
    if (c.assignedProfessionalId().filter(professionalId::equals).isPresent()) {
      return Optional.of("assigned");
    }
    if (c.transferRecipientIds().contains(professionalId)) {
      return Optional.of("transfer_recipient");
    }
    if (c.consultantIds().contains(professionalId)) {
      return Optional.of("consultant");
    }
    return Optional.empty();
  }
}
