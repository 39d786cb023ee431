package fi.kanava.access;

import fi.kanava.conversation.ConversationState;

import fi.kanava.auth.Principal;
import fi.kanava.auth.Role;

import java.util.List;
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
 *   <li>transfer and consultation recipients read it and write while it is open; a conversation
 *       transferred to a named professional is not previewed by the queue meanwhile;
 *   <li>after a transfer without the patient's consent, professionals other than the one who
 *       transferred it read only the messages from the handover note on ({@link #historyFrom});
 *   <li>partner staff (a municipal exercise counsellor, say) only when the patient was referred to
 *       their organisation with recorded consent: they read and write in the referral's own thread
 *       while it is open, and read the conversation the referral was made in, read-only and only
 *       as the patient saw it ({@link #readsInternal}: no internal or handover notes, no triage);
 *   <li>supervisors see figures, never message bodies; admins manage accounts, not care.
 * </ul>
 *
 * <p>Administration is scoped: an admin manages the accounts, units and queues of its own
 * organisation only, and never a platform admin's account; a platform admin creates organisations
 * and manages any of them. Neither has care access.
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
    /** The accounts and units of an organisation (decided with an {@link AdminTarget}). */
    MANAGE_ACCOUNTS,
    /** The queues of an organisation, who serves them, and its professionals' capacity (with an {@link AdminTarget}). */
    MANAGE_QUEUES,
    /** Creating organisations: the platform's business, not any one organisation's. */
    MANAGE_ORGANISATIONS,
    /** Aggregated figures: queue lengths, waits, outcomes, NPS. No message bodies. */
    READ_FIGURES,
    READ_OWN_ACCESS_LOG,
    /** The professional console: waiting lists, own conversations, canned phrases. */
    USE_CONSOLE,
    /**
     * The expert registry: searching the colleagues of one's own organisation (specialties,
     * languages, availability, load) and keeping one's own entry. Care professionals only.
     */
    EXPERT_REGISTRY
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
      Set<String> consentedPartnerOrganisationIds,
      Optional<UUID> heldFor,
      List<HistoryCut> historyCuts,
      Set<UUID> readerIds,
      boolean referralThread) {

    public ConversationFacts {
      readerIds = readerIds == null ? Set.of() : Set.copyOf(readerIds);
      Objects.requireNonNull(state);
      transferRecipientIds = Set.copyOf(transferRecipientIds);
      consultantIds = Set.copyOf(consultantIds);
      consentedPartnerOrganisationIds = Set.copyOf(consentedPartnerOrganisationIds);
      heldFor = heldFor == null ? Optional.empty() : heldFor;
      historyCuts = historyCuts == null ? List.of() : List.copyOf(historyCuts);
    }

    /** Not a referral's thread, and nobody only reads along (no consultant who has not joined it yet). */
    public ConversationFacts(UUID patientId, String queueId, ConversationState state, Optional<UUID> assignedProfessionalId,
        Set<UUID> transferRecipientIds, Set<UUID> consultantIds, Set<String> consentedPartnerOrganisationIds, Optional<UUID> heldFor,
        List<HistoryCut> historyCuts) {
      this(patientId, queueId, state, assignedProfessionalId, transferRecipientIds, consultantIds, consentedPartnerOrganisationIds,
          heldFor, historyCuts, Set.of(), false);
    }

    /** The same conversation, as a referral's thread ({@code true}) or not. */
    public ConversationFacts asReferralThread(boolean thread) {
      return new ConversationFacts(patientId, queueId, state, assignedProfessionalId, transferRecipientIds, consultantIds,
          consentedPartnerOrganisationIds, heldFor, historyCuts, readerIds, thread);
    }

    /** A conversation never transferred, held for nobody. */
    public ConversationFacts(UUID patientId, String queueId, ConversationState state, Optional<UUID> assignedProfessionalId,
        Set<UUID> transferRecipientIds, Set<UUID> consultantIds, Set<String> consentedPartnerOrganisationIds) {
      this(patientId, queueId, state, assignedProfessionalId, transferRecipientIds, consultantIds, consentedPartnerOrganisationIds,
          Optional.empty(), List.of(), Set.of(), false);
    }
  }

  /**
   * A transfer whose earlier messages the patient has not (or not yet) allowed the next
   * professional to see: everyone but {@code fromAccount} (who held the conversation before it)
   * sees the messages from {@code fromSeq} (the handover note) on.
   */
  public record HistoryCut(long fromSeq, UUID fromAccount) {
    public HistoryCut {
      Objects.requireNonNull(fromAccount);
    }
  }

  /**
   * The principal and what the policy needs to know of them beyond their token: the queues they
   * serve, and for partner staff whether they hold one of their organisation's seats.
   */
  public record Actor(Principal principal, Set<String> servedQueueIds, boolean partnerSeat) {
    public Actor {
      Objects.requireNonNull(principal);
      servedQueueIds = Set.copyOf(servedQueueIds);
    }

    /** Anyone but partner staff (who hold no seat this way). */
    public Actor(Principal principal, Set<String> servedQueueIds) {
      this(principal, servedQueueIds, false);
    }

    public static Actor of(Principal principal) {
      return new Actor(principal, Set.of());
    }
  }

  /**
   * What an administrative action is about: an organisation (null for a queue made before queues
   * belonged to one), and the role of the account it creates or changes, if it is about one.
   */
  public record AdminTarget(String organisationId, Optional<Role> accountRole) {
    public static AdminTarget organisation(String organisationId) {
      return new AdminTarget(organisationId, Optional.empty());
    }

    public static AdminTarget account(String organisationId, Role role) {
      return new AdminTarget(organisationId, Optional.of(role));
    }
  }

  /** The organisations a principal administers: all of them, one, or none. */
  public record AdminScope(boolean everyOrganisation, Optional<String> organisationId) {
    static final AdminScope NONE = new AdminScope(false, Optional.empty());

    public boolean includes(String organisation) {
      return everyOrganisation || (organisation != null && organisationId.filter(organisation::equals).isPresent());
    }

    /** For a query: null for every organisation, else the one (an empty string, matching none, for no scope). */
    public String filter() {
      return everyOrganisation ? null : organisationId.orElse("");
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

  /**
   * A system function as such. For {@code MANAGE_ACCOUNTS} and {@code MANAGE_QUEUES} this says
   * only whether the principal administers anything (a list then shows its {@link #adminScope});
   * acting on one organisation's accounts or queues is decided with its {@link AdminTarget}.
   */
  public Decision decide(Principal principal, SystemAction action) {
    return switch (action) {
      case MANAGE_ACCOUNTS, MANAGE_QUEUES ->
          principal.hasRole(Role.PLATFORM_ADMIN) ? Decision.allow("platform_admin")
              : principal.hasRole(Role.ADMIN) ? Decision.allow("admin") : Decision.deny("admin_only");
      case MANAGE_ORGANISATIONS ->
          principal.hasRole(Role.PLATFORM_ADMIN) ? Decision.allow("platform_admin") : Decision.deny("platform_admin_only");
      case READ_FIGURES ->
          principal.hasRole(Role.SUPERVISOR) || principal.hasRole(Role.ADMIN) || principal.hasRole(Role.PLATFORM_ADMIN)
              ? Decision.allow("figures_role")
              : Decision.deny("figures_role_only");
      case READ_OWN_ACCESS_LOG ->
          principal.isPatient() ? Decision.allow("patient_own") : Decision.deny("patients_only");
      case USE_CONSOLE ->
          principal.role().filter(r -> r.isCareProfessional() || r == Role.PARTNER).isPresent()
              ? Decision.allow("care_role")
              : Decision.deny("care_roles_only");
      case EXPERT_REGISTRY ->
          principal.role().filter(Role::isCareProfessional).isPresent() ? Decision.allow("care_role") : Decision.deny("care_roles_only");
    };
  }

  /**
   * An administrative action on one organisation's accounts, units or queues, or the figures of
   * one organisation's queue ({@code READ_FIGURES}, see {@link #figuresScope}): a platform admin
   * may act on any; an admin on its own organisation's only, and never on a platform admin's
   * account (nor make one).
   */
  public Decision decide(Principal principal, SystemAction action, AdminTarget target) {
    Decision asSuch = decide(principal, action);
    if (!asSuch.allowed() || action == SystemAction.MANAGE_ORGANISATIONS) {
      return asSuch;
    }
    if (action == SystemAction.READ_FIGURES) {
      return figuresScope(principal).includes(target.organisationId())
          ? Decision.allow(principal.hasRole(Role.PLATFORM_ADMIN) ? "platform_admin" : "figures_own_organisation")
          : Decision.deny("other_organisation");
    }
    if (action != SystemAction.MANAGE_ACCOUNTS && action != SystemAction.MANAGE_QUEUES) {
      throw new IllegalArgumentException(action + " is not about an organisation");
    }
    if (principal.hasRole(Role.PLATFORM_ADMIN)) {
      return Decision.allow("platform_admin");
    }
    if (target.accountRole().filter(role -> role == Role.PLATFORM_ADMIN).isPresent()) {
      return Decision.deny("platform_admin_only");
    }
    return adminScope(principal).includes(target.organisationId())
        ? Decision.allow("admin_own_organisation")
        : Decision.deny("other_organisation");
  }

  /** Which organisations the principal administers: every one for a platform admin, its own for an admin, none otherwise. */
  public AdminScope adminScope(Principal principal) {
    if (principal.hasRole(Role.PLATFORM_ADMIN)) {
      return new AdminScope(true, Optional.empty());
    }
    if (principal.hasRole(Role.ADMIN)) {
      return new AdminScope(false, principal.organisationId());
    }
    return AdminScope.NONE;
  }

  /**
   * Whose figures the principal reads (monthly reports): every organisation's for a platform
   * admin, its own for a supervisor or an admin, none otherwise.
   */
  public AdminScope figuresScope(Principal principal) {
    if (principal.hasRole(Role.PLATFORM_ADMIN)) {
      return new AdminScope(true, Optional.empty());
    }
    if (principal.hasRole(Role.SUPERVISOR) || principal.hasRole(Role.ADMIN)) {
      return new AdminScope(false, principal.organisationId());
    }
    return AdminScope.NONE;
  }

  public Decision decide(Actor actor, ConversationAction action, ConversationFacts conversation) {
    Principal principal = actor.principal();
    if (principal.isPatient()) {
      return patient(principal, action, conversation);
    }
    Role role = principal.role().orElseThrow();
    return switch (role) {
      case SUPERVISOR -> Decision.deny("supervisor_figures_only");
      case ADMIN, PLATFORM_ADMIN -> Decision.deny("admin_no_care_access");
      case PARTNER -> partner(actor, action, conversation);
      case NURSE, PHYSICIAN, SPECIALIST -> careProfessional(actor, action, conversation);
    };
  }

  /**
   * The first sequence number of the conversation's messages that the principal may read, for
   * every read of messages (REST history, the replay of {@code conversation.open}, a socket's gap
   * fill and resync): 0 (everything) for the patient and when the patient consented at every
   * transfer; otherwise the handover note of the latest transfer whose consent is missing, unless
   * the principal is the professional who made that transfer (they had read it all before). Only
   * meaningful once {@link ConversationAction#READ} is allowed.
   */
  public long historyFrom(Principal principal, ConversationFacts conversation) {
    if (principal.isPatient()) {
      return 0;
    }
    long from = 0;
    for (HistoryCut cut : conversation.historyCuts()) {
      if (!cut.fromAccount().equals(principal.id())) {
        from = Math.max(from, cut.fromSeq());
      }
    }
    return from;
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

  /**
   * Partner seats: the seats of a partner organisation are administered as the accounts of the
   * wellbeing area it works with ({@code partnerOf}): by that area's admins and by a platform admin
   * (decided as {@code MANAGE_ACCOUNTS} on this target). A partner organisation working with no
   * area has its seats assigned by a platform admin only. Partner staff never assign seats.
   */
  public static AdminTarget partnerSeats(String partnerOf) {
    return AdminTarget.organisation(partnerOf);
  }

  /**
   * A referral to a partner organisation ({@code partnerOrganisationId}), made by {@code
   * referredBy}: partner staff of that organisation holding a seat read it and record notes and
   * the outcome ({@code write}); the professional who made it reads it (its notes and outcome)
   * but records nothing; nobody else sees it. The list of an organisation's referrals is the
   * same check with no referrer.
   */
  public Decision referral(Actor actor, String partnerOrganisationId, UUID referredBy, boolean write) {
    Principal principal = actor.principal();
    if (principal.hasRole(Role.PARTNER)) {
      if (!actor.partnerSeat()) {
        return Decision.deny("partner_no_seat");
      }
      return principal.organisationId().filter(own -> own.equals(partnerOrganisationId)).isPresent()
          ? Decision.allow("partner_referral")
          : Decision.deny("not_referred_to_organisation");
    }
    if (referredBy != null && principal.id().equals(referredBy) && principal.role().filter(Role::isCareProfessional).isPresent()) {
      return write ? Decision.deny("partner_staff_only") : Decision.allow("referring_professional");
    }
    return Decision.deny("not_entitled");
  }

  private static Decision partner(Actor actor, ConversationAction action, ConversationFacts c) {
    Principal principal = actor.principal();
    if (!actor.partnerSeat()) {
      return Decision.deny("partner_no_seat");
    }
    if (!c.consentedPartnerOrganisationIds().contains(principal.organisationId().orElseThrow())) {
      return Decision.deny("no_referral_consent");
    }
    if (!c.referralThread()) {
      // the conversation the referral was made in: read-only, as the patient saw it
      return action == ConversationAction.READ ? Decision.allow("partner_referral_source") : Decision.deny("partner_source_read_only");
    }
    return switch (action) {
      case READ -> Decision.allow("partner_referral_thread");
      case WRITE, PARTICIPATE ->
          c.state() == ConversationState.CLOSED
              ? Decision.deny("conversation_closed")
              : Decision.allow("partner_referral_thread");
      case EXPORT -> Decision.deny("partner_no_export");
    };
  }

  /**
   * Whether the principal, once allowed to read the conversation, reads what only professionals
   * see: internal notes (ISBAR handover notes are notes), the staff view with the triage answers,
   * the staff side of its events. Care professionals do; patients never; partner staff only in a
   * referral's own thread, never in the conversation the referral was made in (docs/security.md,
   * "Partner organisations": the triage answers were given for the nurse's care, not the partner's).
   */
  public boolean readsInternal(Principal principal, ConversationFacts c) {
    if (principal.isPatient()) {
      return false;
    }
    return !principal.hasRole(Role.PARTNER) || c.referralThread();
  }

  private static Decision careProfessional(Actor actor, ConversationAction action, ConversationFacts c) {
    UUID id = actor.principal().id();
    Optional<String> relation = relation(id, c);
    if (relation.isPresent()) {
      if (relation.get().equals("reader") && action != ConversationAction.READ) {
        // a consultant who accepted reads the case; writing to the patient waits until they join it (and the patient is told)
        return Decision.deny("reads_only");
      }
      if (changes(action) && c.state() == ConversationState.CLOSED) {
        return Decision.deny("conversation_closed");
      }
      if (action == ConversationAction.EXPORT && !relation.get().equals("assigned")) {
        return Decision.deny("export_assigned_only");
      }
      return Decision.allow(relation.get());
    }
    // a conversation transferred to a named professional waits for them alone, not for the queue
    boolean servesWaitingQueue =
        c.state() == ConversationState.QUEUED && c.heldFor().isEmpty() && actor.servedQueueIds().contains(c.queueId());
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
    if (c.readerIds().contains(professionalId)) {
      return Optional.of("reader");
    }
    return Optional.empty();
  }

  /**
   * What the policy needs to know of a photo (an attachment): who uploaded it, and the sequence
   * number and kind of the message it was sent in (empty while it is not sent yet).
   */
  public record AttachmentFacts(UUID uploadedBy, Optional<Long> messageSeq, Optional<String> messageKind) {
    public AttachmentFacts {
      Objects.requireNonNull(uploadedBy);
      messageSeq = messageSeq == null ? Optional.empty() : messageSeq;
      messageKind = messageKind == null ? Optional.empty() : messageKind;
    }
  }

  /**
   * Viewing a photo: whoever may read the conversation's message it was sent in may view it, as
   * far as that message is visible to them: not before a history cut the patient has not lifted
   * ({@link #historyFrom}), and a patient never sees one in an internal note. A photo not sent yet
   * is its uploader's alone.
   */
  public Decision decideAttachment(Actor actor, ConversationFacts conversation, AttachmentFacts attachment) {
    Decision read = decide(actor, ConversationAction.READ, conversation);
    if (!read.allowed()) {
      return read;
    }
    Principal principal = actor.principal();
    if (attachment.messageSeq().isEmpty()) {
      return attachment.uploadedBy().equals(principal.id()) ? Decision.allow("attachment_uploader") : Decision.deny("attachment_not_sent");
    }
    if (principal.isPatient() && attachment.messageKind().filter("note"::equals).isPresent()) {
      return Decision.deny("internal_note");
    }
    if (attachment.messageSeq().get() < historyFrom(principal, conversation)) {
      return Decision.deny("before_history_cut");
    }
    return read;
  }

  // --- consultations (docs/security.md, "Consultations") ---------------------------------------------------

  /** What one may do with a consultation between professionals; reading its thread is a {@link ConversationAction}. */
  public enum ConsultationAction {
    /** Take a waiting consultation: a member of its consult queue, or the colleague it names. */
    ACCEPT,
    /** Join the linked patient conversation, or take it over: the consultant who accepted. */
    JOIN,
    TAKE_OVER,
    /** Close with the answer: the requester or the consultant. */
    CLOSE
  }

  /** What the policy needs to know of a consultation: who asked, its target (a consult queue or a named colleague), who took it. */
  public record ConsultationFacts(UUID requesterId, String queueId, UUID toAccountId, Optional<UUID> consultantId) {
    public ConsultationFacts {
      Objects.requireNonNull(requesterId);
      consultantId = consultantId == null ? Optional.empty() : consultantId;
    }
  }

  /**
   * A consultation action. Only care professionals take part in consultations; the thread itself is
   * read and written by its participants (the requester and the consultant) under the conversation
   * rules above, and the linked case by the consultant as a {@code consultant} participant.
   */
  public Decision decide(Actor actor, ConsultationAction action, ConsultationFacts c) {
    Principal principal = actor.principal();
    if (principal.isPatient() || principal.role().filter(Role::isCareProfessional).isEmpty()) {
      return Decision.deny("care_roles_only");
    }
    UUID id = principal.id();
    boolean consultant = c.consultantId().filter(id::equals).isPresent();
    return switch (action) {
      case ACCEPT -> id.equals(c.toAccountId()) ? Decision.allow("named_consultant")
          : c.queueId() != null && actor.servedQueueIds().contains(c.queueId()) ? Decision.allow("consult_queue_member")
          : Decision.deny("not_consult_queue_member");
      case JOIN, TAKE_OVER -> consultant ? Decision.allow("consultant") : Decision.deny("not_consultant");
      case CLOSE -> consultant ? Decision.allow("consultant")
          : id.equals(c.requesterId()) ? Decision.allow("requester") : Decision.deny("not_consultation_party");
    };
  }

  // --- remote visits (docs/security.md, "Remote visits") ---------------------------------------------------

  /** What one may do with a remote visit. */
  public enum VisitAction {
    /** Book a visit (the booker becomes one of its professionals). */
    BOOK,
    /** Read a visit: the day list, its detail with members and network checks. */
    READ,
    /** Change it: cancel, reschedule, a new join link, invite a member; admit and the late notice. */
    MANAGE,
    /** Take part as a patient-side member: arrive in the waiting room, watch it, join the call once admitted. */
    ATTEND
  }

  /**
   * What the policy needs to know of a visit: its organisation, the accounts holding it (its
   * professionals and invited colleagues) and the patient-kind principals taking part (the patient,
   * an interpreter or relative without an account). Removed members are not in the sets.
   */
  public record VisitFacts(String organisationId, Set<UUID> professionalIds, Set<UUID> patientSideIds) {
    public VisitFacts {
      Objects.requireNonNull(organisationId);
      professionalIds = Set.copyOf(professionalIds);
      patientSideIds = Set.copyOf(patientSideIds);
    }
  }

  /**
   * A visit action. Care professionals book visits in their own organisation and read and manage
   * the visits they hold (as a professional or an invited colleague), in their own organisation
   * only; a colleague of the same organisation who does not hold the visit sees nothing of it.
   * Patient-side members attend their own visit only and never read its professional view.
   * Supervisors, admins and partner staff have no part in visits. {@code visit} is null for
   * {@code BOOK}.
   */
  public Decision decide(Principal principal, VisitAction action, VisitFacts visit) {
    if (principal.isPatient()) {
      return action == VisitAction.ATTEND && visit != null && visit.patientSideIds().contains(principal.id())
          ? Decision.allow("visit_member")
          : Decision.deny("not_visit_member");
    }
    if (principal.role().filter(Role::isCareProfessional).isEmpty()) {
      return Decision.deny("care_roles_only");
    }
    if (action == VisitAction.BOOK) {
      return Decision.allow("care_role");
    }
    if (action == VisitAction.ATTEND) {
      return Decision.deny("patient_side_only");
    }
    if (!principal.organisationId().filter(visit.organisationId()::equals).isPresent()) {
      return Decision.deny("other_organisation");
    }
    return visit.professionalIds().contains(principal.id()) ? Decision.allow("visit_professional") : Decision.deny("not_visit_member");
  }
}
