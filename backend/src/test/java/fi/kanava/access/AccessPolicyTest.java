package fi.kanava.access;

import fi.kanava.auth.Principal;
import fi.kanava.auth.Role;
import fi.kanava.auth.Patients;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.access.AccessPolicy.Actor;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.access.AccessPolicy.ConversationFacts;
import fi.kanava.conversation.ConversationState;
import fi.kanava.access.AccessPolicy.Decision;
import fi.kanava.access.AccessPolicy.SystemAction;
import java.util.Optional;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("The access policy")
class AccessPolicyTest {
  private final AccessPolicy policy = new AccessPolicy();
  private final UUID patient = UUID.randomUUID();
  private final UUID nurse = UUID.randomUUID();
  private final UUID otherNurse = UUID.randomUUID();
  private final UUID physician = UUID.randomUUID();
  private final UUID consultant = UUID.randomUUID();

  private ConversationFacts conversation(ConversationState state, UUID assigned) {
    return new ConversationFacts(patient, "nurse-chat", state, Optional.ofNullable(assigned), Set.of(physician), Set.of(consultant),
        Set.of("exercise-partner"));
  }

  /** Partner staff here hold a seat of their organisation unless a test says otherwise. */
  private Decision decide(Principal who, Set<String> queues, ConversationAction action, ConversationFacts c) {
    return policy.decide(new Actor(who, queues, who.hasRole(Role.PARTNER)), action, c);
  }

  private static Principal pro(UUID id, Role role) {
    return Principal.professional(id, role, role == Role.PARTNER ? "exercise-partner" : "area");
  }

  @Nested
  @DisplayName("for patients")
  class Patients {
    @Test
    void a_patient_reads_and_writes_their_own_open_conversation() {
      ConversationFacts c = conversation(ConversationState.ACTIVE, nurse);
      assertThat(decide(Principal.patient(patient), Set.of(), ConversationAction.READ, c).allowed()).isTrue();
      assertThat(decide(Principal.patient(patient), Set.of(), ConversationAction.WRITE, c).allowed()).isTrue();
      assertThat(decide(Principal.patient(patient), Set.of(), ConversationAction.EXPORT, c).allowed()).isTrue();
    }

    @Test
    void a_patient_cannot_write_to_a_closed_conversation_but_can_read_it() {
      ConversationFacts c = conversation(ConversationState.CLOSED, nurse);
      assertThat(decide(Principal.patient(patient), Set.of(), ConversationAction.WRITE, c)).isEqualTo(new Decision(false, "conversation_closed"));
      assertThat(decide(Principal.patient(patient), Set.of(), ConversationAction.READ, c).allowed()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(ConversationAction.class)
    void another_patient_is_refused_everything(ConversationAction action) {
      Decision d = decide(Principal.patient(UUID.randomUUID()), Set.of(), action, conversation(ConversationState.ACTIVE, nurse));
      assertThat(d).isEqualTo(new Decision(false, "not_own_conversation"));
    }
  }

  @Nested
  @DisplayName("for care professionals")
  class CareProfessionals {
    @Test
    void the_assigned_nurse_reads_writes_and_exports() {
      ConversationFacts c = conversation(ConversationState.ACTIVE, nurse);
      for (ConversationAction action : ConversationAction.values()) {
        assertThat(decide(pro(nurse, Role.NURSE), Set.of(), action, c)).isEqualTo(new Decision(true, "assigned"));
      }
    }

    @Test
    void nobody_writes_to_a_closed_conversation_but_the_assigned_nurse_still_reads_it() {
      ConversationFacts c = conversation(ConversationState.CLOSED, nurse);
      assertThat(decide(pro(nurse, Role.NURSE), Set.of(), ConversationAction.WRITE, c)).isEqualTo(new Decision(false, "conversation_closed"));
      assertThat(decide(pro(nurse, Role.NURSE), Set.of(), ConversationAction.READ, c).allowed()).isTrue();
    }

    @Test
    void nurses_serving_the_queue_read_a_waiting_conversation_but_cannot_write_before_taking_it() {
      ConversationFacts c = conversation(ConversationState.QUEUED, null);
      assertThat(decide(pro(otherNurse, Role.NURSE), Set.of("nurse-chat"), ConversationAction.READ, c))
          .isEqualTo(new Decision(true, "queue_server_waiting"));
      assertThat(decide(pro(otherNurse, Role.NURSE), Set.of("nurse-chat"), ConversationAction.WRITE, c))
          .isEqualTo(new Decision(false, "not_assigned"));
    }

    @Test
    void serving_the_queue_gives_nothing_once_someone_has_taken_the_conversation() {
      ConversationFacts c = conversation(ConversationState.ACTIVE, nurse);
      assertThat(decide(pro(otherNurse, Role.NURSE), Set.of("nurse-chat"), ConversationAction.READ, c))
          .isEqualTo(new Decision(false, "not_entitled"));
    }

    @Test
    @DisplayName("typing and read receipts come only from participants: not from a nurse previewing a waiting conversation")
    void only_participants_participate() {
      ConversationFacts waiting = conversation(ConversationState.QUEUED, null);
      assertThat(decide(pro(otherNurse, Role.NURSE), Set.of("nurse-chat"), ConversationAction.PARTICIPATE, waiting))
          .isEqualTo(new Decision(false, "not_participant"));
      ConversationFacts active = conversation(ConversationState.ACTIVE, nurse);
      assertThat(decide(pro(nurse, Role.NURSE), Set.of(), ConversationAction.PARTICIPATE, active)).isEqualTo(new Decision(true, "assigned"));
      assertThat(decide(pro(consultant, Role.SPECIALIST), Set.of(), ConversationAction.PARTICIPATE, active))
          .isEqualTo(new Decision(true, "consultant"));
      assertThat(decide(Principal.patient(patient), Set.of(), ConversationAction.PARTICIPATE, active).allowed()).isTrue();
      ConversationFacts closed = conversation(ConversationState.CLOSED, nurse);
      assertThat(decide(pro(nurse, Role.NURSE), Set.of(), ConversationAction.PARTICIPATE, closed))
          .isEqualTo(new Decision(false, "conversation_closed"));
      assertThat(decide(Principal.patient(patient), Set.of(), ConversationAction.PARTICIPATE, closed))
          .isEqualTo(new Decision(false, "conversation_closed"));
    }

    @Test
    @DisplayName("a professional-only thread has no patient: no patient gets in, its participants do")
    void a_thread_without_a_patient() {
      ConversationFacts thread = new ConversationFacts(null, null, ConversationState.ACTIVE, Optional.of(nurse), Set.of(), Set.of(consultant),
          Set.of());
      assertThat(decide(Principal.patient(patient), Set.of(), ConversationAction.READ, thread))
          .isEqualTo(new Decision(false, "not_own_conversation"));
      assertThat(decide(pro(consultant, Role.PHYSICIAN), Set.of(), ConversationAction.WRITE, thread)).isEqualTo(new Decision(true, "consultant"));
      assertThat(decide(pro(otherNurse, Role.NURSE), Set.of("nurse-chat"), ConversationAction.READ, thread).allowed()).isFalse();
    }

    @Test
    void a_nurse_of_another_queue_is_refused() {
      ConversationFacts c = conversation(ConversationState.QUEUED, null);
      assertThat(decide(pro(otherNurse, Role.NURSE), Set.of("dental"), ConversationAction.READ, c).allowed()).isFalse();
    }

    @Test
    void transfer_and_consultation_recipients_read_and_write_but_do_not_export() {
      ConversationFacts c = conversation(ConversationState.ACTIVE, nurse);
      assertThat(decide(pro(physician, Role.PHYSICIAN), Set.of(), ConversationAction.READ, c)).isEqualTo(new Decision(true, "transfer_recipient"));
      assertThat(decide(pro(consultant, Role.SPECIALIST), Set.of(), ConversationAction.WRITE, c)).isEqualTo(new Decision(true, "consultant"));
      assertThat(decide(pro(consultant, Role.SPECIALIST), Set.of(), ConversationAction.EXPORT, c))
          .isEqualTo(new Decision(false, "export_assigned_only"));
    }
  }

  @Nested
  @DisplayName("for partner staff, supervisors and admins")
  class OtherRoles {
    @Test
    void partner_staff_see_only_clients_referred_to_their_organisation_with_consent() {
      ConversationFacts referred = conversation(ConversationState.ACTIVE, nurse);
      ConversationFacts notReferred = new ConversationFacts(patient, "nurse-chat", ConversationState.ACTIVE, Optional.of(nurse), Set.of(),
          Set.of(), Set.of());
      UUID partner = UUID.randomUUID();
      assertThat(decide(pro(partner, Role.PARTNER), Set.of(), ConversationAction.READ, referred).allowed()).isTrue();
      assertThat(decide(pro(partner, Role.PARTNER), Set.of(), ConversationAction.EXPORT, referred).allowed()).isFalse();
      assertThat(decide(pro(partner, Role.PARTNER), Set.of(), ConversationAction.READ, notReferred))
          .isEqualTo(new Decision(false, "no_referral_consent"));
    }

    @Test
    @DisplayName("partner staff write only in the referral's own thread; the source conversation they read, read-only, as the patient saw it")
    void partner_staff_write_in_the_thread_and_read_the_source_as_the_patient_saw_it() {
      Principal partner = pro(UUID.randomUUID(), Role.PARTNER);
      ConversationFacts source = conversation(ConversationState.ACTIVE, nurse);
      ConversationFacts thread = new ConversationFacts(patient, null, ConversationState.ACTIVE, Optional.empty(), Set.of(), Set.of(),
          Set.of("exercise-partner")).asReferralThread(true);
      assertThat(decide(partner, Set.of(), ConversationAction.READ, source)).isEqualTo(new Decision(true, "partner_referral_source"));
      assertThat(decide(partner, Set.of(), ConversationAction.WRITE, source)).isEqualTo(new Decision(false, "partner_source_read_only"));
      assertThat(decide(partner, Set.of(), ConversationAction.PARTICIPATE, source)).isEqualTo(new Decision(false, "partner_source_read_only"));
      assertThat(decide(partner, Set.of(), ConversationAction.WRITE, thread)).isEqualTo(new Decision(true, "partner_referral_thread"));
      assertThat(decide(partner, Set.of(), ConversationAction.PARTICIPATE, thread).allowed()).isTrue();
      assertThat(decide(partner, Set.of(), ConversationAction.EXPORT, thread).allowed()).isFalse();
      ConversationFacts closedThread = new ConversationFacts(patient, null, ConversationState.CLOSED, Optional.empty(), Set.of(), Set.of(),
          Set.of("exercise-partner")).asReferralThread(true);
      assertThat(decide(partner, Set.of(), ConversationAction.WRITE, closedThread)).isEqualTo(new Decision(false, "conversation_closed"));
      assertThat(decide(partner, Set.of(), ConversationAction.READ, closedThread).allowed()).isTrue();
      // the thread of another organisation's referral: nothing
      Principal otherPartner = Principal.professional(UUID.randomUUID(), Role.PARTNER, "some-other-partner");
      assertThat(decide(otherPartner, Set.of(), ConversationAction.READ, thread)).isEqualTo(new Decision(false, "no_referral_consent"));
      // nor does a nurse write in a referral's thread: it is with nobody
      assertThat(decide(pro(nurse, Role.NURSE), Set.of("nurse-chat"), ConversationAction.READ, thread).allowed()).isFalse();

      // internal notes, handover notes and the triage: professionals; partner staff only in their thread; never the patient
      assertThat(policy.readsInternal(partner, source)).isFalse();
      assertThat(policy.readsInternal(partner, thread)).isTrue();
      assertThat(policy.readsInternal(pro(nurse, Role.NURSE), source)).isTrue();
      assertThat(policy.readsInternal(Principal.patient(patient), thread)).isFalse();
    }

    @Test
    void partner_staff_without_a_seat_see_nothing_even_of_referred_clients() {
      Actor unseated = new Actor(pro(UUID.randomUUID(), Role.PARTNER), Set.of(), false);
      assertThat(policy.decide(unseated, ConversationAction.READ, conversation(ConversationState.ACTIVE, nurse)))
          .isEqualTo(new Decision(false, "partner_no_seat"));
      assertThat(policy.referral(unseated, "exercise-partner", null, false)).isEqualTo(new Decision(false, "partner_no_seat"));
    }

    @Test
    void a_referral_is_read_by_seated_partner_staff_of_its_organisation_and_by_the_referring_professional() {
      UUID referrer = UUID.randomUUID();
      Actor seated = new Actor(pro(UUID.randomUUID(), Role.PARTNER), Set.of(), true);
      assertThat(policy.referral(seated, "exercise-partner", referrer, true)).isEqualTo(new Decision(true, "partner_referral"));
      assertThat(policy.referral(seated, "another-partner", referrer, false)).isEqualTo(new Decision(false, "not_referred_to_organisation"));
      Actor nurseWhoReferred = Actor.of(pro(referrer, Role.NURSE));
      assertThat(policy.referral(nurseWhoReferred, "exercise-partner", referrer, false)).isEqualTo(new Decision(true, "referring_professional"));
      assertThat(policy.referral(nurseWhoReferred, "exercise-partner", referrer, true)).isEqualTo(new Decision(false, "partner_staff_only"));
      assertThat(policy.referral(Actor.of(pro(UUID.randomUUID(), Role.NURSE)), "exercise-partner", referrer, false))
          .isEqualTo(new Decision(false, "not_entitled"));
      assertThat(policy.referral(Actor.of(pro(UUID.randomUUID(), Role.SUPERVISOR)), "exercise-partner", null, false).allowed()).isFalse();
    }

    @Test
    void partner_seats_are_managed_by_admins_of_the_area_the_partner_works_with_and_platform_admins() {
      var target = AccessPolicy.partnerSeats("area");
      assertThat(policy.decide(pro(UUID.randomUUID(), Role.ADMIN), SystemAction.MANAGE_ACCOUNTS, target).allowed()).isTrue();
      assertThat(policy.decide(Principal.professional(UUID.randomUUID(), Role.ADMIN, "far-area"), SystemAction.MANAGE_ACCOUNTS, target)
          .allowed()).isFalse();
      assertThat(policy.decide(pro(UUID.randomUUID(), Role.PARTNER), SystemAction.MANAGE_ACCOUNTS, target).allowed()).isFalse();
      assertThat(policy.decide(pro(UUID.randomUUID(), Role.ADMIN), SystemAction.MANAGE_ACCOUNTS, AccessPolicy.partnerSeats(null))
          .allowed()).isFalse();
    }

    @Test
    void partner_staff_of_another_organisation_are_refused() {
      Principal otherPartner = Principal.professional(UUID.randomUUID(), Role.PARTNER, "some-other-partner");
      assertThat(decide(otherPartner, Set.of(), ConversationAction.READ, conversation(ConversationState.ACTIVE, nurse)).allowed()).isFalse();
    }

    @ParameterizedTest
    @EnumSource(ConversationAction.class)
    void supervisors_never_see_message_bodies(ConversationAction action) {
      Decision d = decide(pro(UUID.randomUUID(), Role.SUPERVISOR), Set.of("nurse-chat"), action, conversation(ConversationState.QUEUED, null));
      assertThat(d).isEqualTo(new Decision(false, "supervisor_figures_only"));
    }

    @Test
    void supervisors_and_admins_read_figures_and_nurses_do_not() {
      assertThat(policy.decide(pro(UUID.randomUUID(), Role.SUPERVISOR), SystemAction.READ_FIGURES).allowed()).isTrue();
      assertThat(policy.decide(pro(UUID.randomUUID(), Role.ADMIN), SystemAction.READ_FIGURES).allowed()).isTrue();
      assertThat(policy.decide(pro(nurse, Role.NURSE), SystemAction.READ_FIGURES).allowed()).isFalse();
    }

    @Test
    @DisplayName("the figures of a queue: its organisation's supervisors and admins, every platform admin, nobody else")
    void figures_are_scoped_to_the_organisation() {
      AccessPolicy.AdminTarget area = AccessPolicy.AdminTarget.organisation("area");
      assertThat(policy.decide(pro(UUID.randomUUID(), Role.SUPERVISOR), SystemAction.READ_FIGURES, area).allowed()).isTrue();
      assertThat(policy.decide(pro(UUID.randomUUID(), Role.ADMIN), SystemAction.READ_FIGURES, area).allowed()).isTrue();
      assertThat(policy.decide(Principal.professional(UUID.randomUUID(), Role.SUPERVISOR, "other-area"), SystemAction.READ_FIGURES, area))
          .isEqualTo(new Decision(false, "other_organisation"));
      assertThat(policy.decide(Principal.professional(UUID.randomUUID(), Role.PLATFORM_ADMIN, "platform"), SystemAction.READ_FIGURES, area)
          .allowed()).isTrue();
      assertThat(policy.decide(pro(nurse, Role.NURSE), SystemAction.READ_FIGURES, area)).isEqualTo(new Decision(false, "figures_role_only"));
      assertThat(policy.figuresScope(pro(UUID.randomUUID(), Role.SUPERVISOR)).filter()).isEqualTo("area");
      assertThat(policy.figuresScope(Principal.professional(UUID.randomUUID(), Role.PLATFORM_ADMIN, "platform")).filter()).isNull();
      assertThat(policy.figuresScope(pro(nurse, Role.NURSE)).includes("area")).isFalse();
      assertThat(policy.figuresScope(Principal.patient(UUID.randomUUID())).includes("area")).isFalse();
    }

    @Test
    void only_admins_manage_accounts_and_admins_have_no_care_access() {
      assertThat(policy.decide(pro(UUID.randomUUID(), Role.ADMIN), SystemAction.MANAGE_ACCOUNTS).allowed()).isTrue();
      for (Role role : new Role[] {Role.NURSE, Role.PHYSICIAN, Role.SPECIALIST, Role.PARTNER, Role.SUPERVISOR}) {
        assertThat(policy.decide(pro(UUID.randomUUID(), role), SystemAction.MANAGE_ACCOUNTS).allowed()).as(role.code()).isFalse();
      }
      assertThat(policy.decide(Principal.patient(patient), SystemAction.MANAGE_ACCOUNTS).allowed()).isFalse();
      assertThat(decide(pro(UUID.randomUUID(), Role.ADMIN), Set.of(), ConversationAction.READ, conversation(ConversationState.ACTIVE, nurse)))
          .isEqualTo(new Decision(false, "admin_no_care_access"));
    }

    @Test
    void platform_admins_have_no_care_access_either() {
      for (ConversationAction action : ConversationAction.values()) {
        assertThat(decide(pro(UUID.randomUUID(), Role.PLATFORM_ADMIN), Set.of("nurse-chat"), action,
            conversation(ConversationState.QUEUED, null))).isEqualTo(new Decision(false, "admin_no_care_access"));
      }
    }

    @Test
    void only_patients_read_their_own_access_log() {
      assertThat(policy.decide(Principal.patient(patient), SystemAction.READ_OWN_ACCESS_LOG).allowed()).isTrue();
      assertThat(policy.decide(pro(nurse, Role.NURSE), SystemAction.READ_OWN_ACCESS_LOG).allowed()).isFalse();
    }

    @Test
    void only_care_professionals_use_the_expert_registry() {
      for (Role role : List.of(Role.NURSE, Role.PHYSICIAN, Role.SPECIALIST)) {
        assertThat(policy.decide(pro(UUID.randomUUID(), role), SystemAction.EXPERT_REGISTRY)).as(role.code())
            .isEqualTo(new Decision(true, "care_role"));
      }
      for (Role role : List.of(Role.PARTNER, Role.SUPERVISOR, Role.ADMIN, Role.PLATFORM_ADMIN)) {
        assertThat(policy.decide(pro(UUID.randomUUID(), role), SystemAction.EXPERT_REGISTRY)).as(role.code())
            .isEqualTo(new Decision(false, "care_roles_only"));
      }
      assertThat(policy.decide(Principal.patient(patient), SystemAction.EXPERT_REGISTRY).allowed()).isFalse();
    }
  }

  @Nested
  @DisplayName("for administration, scoped to an organisation")
  class Administration {
    private final Principal adminOfArea = Principal.professional(UUID.randomUUID(), Role.ADMIN, "area");
    private final Principal adminOfOther = Principal.professional(UUID.randomUUID(), Role.ADMIN, "other-area");
    private final Principal platformAdmin = Principal.professional(UUID.randomUUID(), Role.PLATFORM_ADMIN, "platform");

    @ParameterizedTest
    @EnumSource(value = SystemAction.class, names = {"MANAGE_ACCOUNTS", "MANAGE_QUEUES"})
    void an_admin_manages_its_own_organisation_only_and_a_platform_admin_any(SystemAction action) {
      AccessPolicy.AdminTarget area = AccessPolicy.AdminTarget.organisation("area");
      assertThat(policy.decide(adminOfArea, action, area)).isEqualTo(new Decision(true, "admin_own_organisation"));
      assertThat(policy.decide(adminOfOther, action, area)).isEqualTo(new Decision(false, "other_organisation"));
      assertThat(policy.decide(platformAdmin, action, area)).isEqualTo(new Decision(true, "platform_admin"));
      // a queue from before queues had an organisation: the platform's to manage
      assertThat(policy.decide(adminOfArea, action, AccessPolicy.AdminTarget.organisation(null)).allowed()).isFalse();
      assertThat(policy.decide(platformAdmin, action, AccessPolicy.AdminTarget.organisation(null)).allowed()).isTrue();
      for (Role role : new Role[] {Role.NURSE, Role.PHYSICIAN, Role.SPECIALIST, Role.PARTNER, Role.SUPERVISOR}) {
        assertThat(policy.decide(Principal.professional(UUID.randomUUID(), role, "area"), action, area))
            .as(role.code()).isEqualTo(new Decision(false, "admin_only"));
      }
      assertThat(policy.decide(Principal.patient(patient), action, area)).isEqualTo(new Decision(false, "admin_only"));
    }

    @Test
    void an_admin_neither_makes_nor_changes_a_platform_admin_account_even_in_its_own_organisation() {
      var platformAccount = AccessPolicy.AdminTarget.account("area", Role.PLATFORM_ADMIN);
      assertThat(policy.decide(adminOfArea, SystemAction.MANAGE_ACCOUNTS, platformAccount))
          .isEqualTo(new Decision(false, "platform_admin_only"));
      assertThat(policy.decide(platformAdmin, SystemAction.MANAGE_ACCOUNTS, platformAccount).allowed()).isTrue();
      // another admin of its own organisation it may make
      assertThat(policy.decide(adminOfArea, SystemAction.MANAGE_ACCOUNTS, AccessPolicy.AdminTarget.account("area", Role.ADMIN)).allowed())
          .isTrue();
    }

    @Test
    void only_a_platform_admin_creates_organisations() {
      assertThat(policy.decide(platformAdmin, SystemAction.MANAGE_ORGANISATIONS)).isEqualTo(new Decision(true, "platform_admin"));
      assertThat(policy.decide(adminOfArea, SystemAction.MANAGE_ORGANISATIONS)).isEqualTo(new Decision(false, "platform_admin_only"));
      assertThat(policy.decide(Principal.patient(patient), SystemAction.MANAGE_ORGANISATIONS).allowed()).isFalse();
    }

    @Test
    void an_admin_s_lists_show_its_own_organisation_and_a_platform_admin_s_every_one() {
      assertThat(policy.adminScope(adminOfArea).filter()).isEqualTo("area");
      assertThat(policy.adminScope(adminOfArea).includes("other-area")).isFalse();
      assertThat(policy.adminScope(platformAdmin).filter()).isNull();
      assertThat(policy.adminScope(platformAdmin).includes("other-area")).isTrue();
      assertThat(policy.adminScope(pro(nurse, Role.NURSE)).includes("area")).isFalse();
    }
  }

  @Nested
  @DisplayName("for photos")
  class Photos {
    private AccessPolicy.AttachmentFacts sentAt(UUID uploader, long seq, String kind) {
      return new AccessPolicy.AttachmentFacts(uploader, Optional.of(seq), Optional.of(kind));
    }

    private Decision view(Principal who, ConversationFacts c, AccessPolicy.AttachmentFacts a) {
      return policy.decideAttachment(new Actor(who, Set.of()), c, a);
    }

    @Test
    void who_reads_the_conversation_views_a_sent_photo_and_others_are_refused_with_the_conversation_s_reason() {
      ConversationFacts c = conversation(ConversationState.ACTIVE, nurse);
      var photo = sentAt(patient, 3, "text");
      assertThat(view(Principal.patient(patient), c, photo)).isEqualTo(new Decision(true, "patient_own"));
      assertThat(view(pro(nurse, Role.NURSE), c, photo)).isEqualTo(new Decision(true, "assigned"));
      assertThat(view(pro(otherNurse, Role.NURSE), c, photo)).isEqualTo(new Decision(false, "not_entitled"));
      assertThat(view(Principal.patient(UUID.randomUUID()), c, photo)).isEqualTo(new Decision(false, "not_own_conversation"));
      assertThat(view(pro(UUID.randomUUID(), Role.SUPERVISOR), c, photo).allowed()).isFalse();
    }

    @Test
    void a_photo_not_sent_yet_is_its_uploader_s_alone() {
      ConversationFacts c = conversation(ConversationState.ACTIVE, nurse);
      var unsent = new AccessPolicy.AttachmentFacts(patient, Optional.empty(), Optional.empty());
      assertThat(view(Principal.patient(patient), c, unsent)).isEqualTo(new Decision(true, "attachment_uploader"));
      assertThat(view(pro(nurse, Role.NURSE), c, unsent)).isEqualTo(new Decision(false, "attachment_not_sent"));
    }

    @Test
    void a_photo_before_an_unlifted_history_cut_is_refused_to_everyone_but_the_patient_and_the_one_who_transferred() {
      ConversationFacts c = new ConversationFacts(patient, "nurse-chat", ConversationState.ACTIVE, Optional.of(physician), Set.of(),
          Set.of(), Set.of(), Optional.empty(), java.util.List.of(new AccessPolicy.HistoryCut(10, nurse)));
      assertThat(view(pro(physician, Role.PHYSICIAN), c, sentAt(patient, 9, "text"))).isEqualTo(new Decision(false, "before_history_cut"));
      assertThat(view(pro(physician, Role.PHYSICIAN), c, sentAt(patient, 11, "text"))).isEqualTo(new Decision(true, "assigned"));
      assertThat(view(Principal.patient(patient), c, sentAt(patient, 9, "text")).allowed()).isTrue();
    }

    @Test
    void a_patient_never_views_a_photo_in_an_internal_note() {
      ConversationFacts c = conversation(ConversationState.ACTIVE, nurse);
      assertThat(view(Principal.patient(patient), c, sentAt(nurse, 4, "note"))).isEqualTo(new Decision(false, "internal_note"));
      assertThat(view(pro(nurse, Role.NURSE), c, sentAt(nurse, 4, "note")).allowed()).isTrue();
    }
  }

  @Nested
  @DisplayName("consultations")
  class Consultations {
    private final AccessPolicy.ConsultationFacts toQueue =
        new AccessPolicy.ConsultationFacts(nurse, "on-duty", null, Optional.empty());

    /** A consultation's thread as the consult service makes it: no patient, no queue, nobody assigned, requester and consultant as participants. */
    private ConversationFacts thread(ConversationState state) {
      return new ConversationFacts(null, null, state, Optional.empty(), Set.of(), Set.of(nurse, consultant), Set.of());
    }

    private Decision consult(Principal who, Set<String> queues, AccessPolicy.ConsultationAction action, AccessPolicy.ConsultationFacts k) {
      return policy.decide(new Actor(who, queues), action, k);
    }

    @Test
    @DisplayName("the thread is read and written by the requester and the consultant and nobody else, and written only while open")
    void the_thread_is_the_requester_and_the_consultant() {
      ConversationFacts open = thread(ConversationState.ACTIVE);
      for (UUID party : new UUID[] {nurse, consultant}) {
        assertThat(decide(pro(party, Role.PHYSICIAN), Set.of(), ConversationAction.READ, open)).isEqualTo(new Decision(true, "consultant"));
        assertThat(decide(pro(party, Role.PHYSICIAN), Set.of(), ConversationAction.WRITE, open)).isEqualTo(new Decision(true, "consultant"));
      }
      // serving the consult queue, or any queue, gives nothing: the thread waits in none
      assertThat(decide(pro(otherNurse, Role.PHYSICIAN), Set.of("on-duty", "nurse-chat"), ConversationAction.READ, open))
          .isEqualTo(new Decision(false, "not_entitled"));
      assertThat(decide(Principal.patient(patient), Set.of(), ConversationAction.READ, open))
          .isEqualTo(new Decision(false, "not_own_conversation"));
      assertThat(decide(pro(consultant, Role.PHYSICIAN), Set.of(), ConversationAction.WRITE, thread(ConversationState.CLOSED)))
          .isEqualTo(new Decision(false, "conversation_closed"));
    }

    @Test
    @DisplayName("a consultant who accepted reads the patient's case but writes to it only once joined (and the patient told)")
    void the_case_is_read_after_accepting_and_written_after_joining() {
      ConversationFacts accepted = new ConversationFacts(patient, "nurse-chat", ConversationState.ACTIVE, Optional.of(nurse), Set.of(),
          Set.of(), Set.of(), Optional.empty(), java.util.List.of(), Set.of(consultant), false);
      Principal doctor = pro(consultant, Role.PHYSICIAN);
      assertThat(decide(doctor, Set.of(), ConversationAction.READ, accepted)).isEqualTo(new Decision(true, "reader"));
      for (ConversationAction action : new ConversationAction[] {ConversationAction.WRITE, ConversationAction.PARTICIPATE,
          ConversationAction.EXPORT}) {
        assertThat(decide(doctor, Set.of(), action, accepted)).isEqualTo(new Decision(false, "reads_only"));
      }
      ConversationFacts joined = new ConversationFacts(patient, "nurse-chat", ConversationState.ACTIVE, Optional.of(nurse), Set.of(),
          Set.of(consultant), Set.of());
      assertThat(decide(doctor, Set.of(), ConversationAction.WRITE, joined)).isEqualTo(new Decision(true, "consultant"));
      // the consent-scoped history applies to a reader as to anyone but the one who transferred
      ConversationFacts cut = new ConversationFacts(patient, "nurse-chat", ConversationState.ACTIVE, Optional.of(nurse), Set.of(),
          Set.of(), Set.of(), Optional.empty(), java.util.List.of(new AccessPolicy.HistoryCut(7, otherNurse)), Set.of(consultant), false);
      assertThat(policy.historyFrom(doctor, cut)).isEqualTo(7);
    }

    @Test
    @DisplayName("a waiting consultation is accepted by a member of its consult queue, or by the colleague it names")
    void who_accepts() {
      assertThat(consult(pro(consultant, Role.PHYSICIAN), Set.of("on-duty"), AccessPolicy.ConsultationAction.ACCEPT, toQueue))
          .isEqualTo(new Decision(true, "consult_queue_member"));
      assertThat(consult(pro(otherNurse, Role.NURSE), Set.of("nurse-chat"), AccessPolicy.ConsultationAction.ACCEPT, toQueue))
          .isEqualTo(new Decision(false, "not_consult_queue_member"));
      var named = new AccessPolicy.ConsultationFacts(nurse, null, physician, Optional.empty());
      assertThat(consult(pro(physician, Role.PHYSICIAN), Set.of(), AccessPolicy.ConsultationAction.ACCEPT, named))
          .isEqualTo(new Decision(true, "named_consultant"));
      assertThat(consult(pro(consultant, Role.PHYSICIAN), Set.of("on-duty"), AccessPolicy.ConsultationAction.ACCEPT, named))
          .isEqualTo(new Decision(false, "not_consult_queue_member"));
      assertThat(consult(Principal.patient(patient), Set.of(), AccessPolicy.ConsultationAction.ACCEPT, toQueue))
          .isEqualTo(new Decision(false, "care_roles_only"));
    }

    @Test
    @DisplayName("only the consultant joins or takes over the case; the requester or the consultant closes")
    void who_joins_takes_over_and_closes() {
      var accepted = new AccessPolicy.ConsultationFacts(nurse, "on-duty", null, Optional.of(consultant));
      for (var action : new AccessPolicy.ConsultationAction[] {AccessPolicy.ConsultationAction.JOIN, AccessPolicy.ConsultationAction.TAKE_OVER}) {
        assertThat(consult(pro(consultant, Role.PHYSICIAN), Set.of(), action, accepted)).isEqualTo(new Decision(true, "consultant"));
        assertThat(consult(pro(nurse, Role.NURSE), Set.of(), action, accepted)).isEqualTo(new Decision(false, "not_consultant"));
        assertThat(consult(pro(consultant, Role.PHYSICIAN), Set.of("on-duty"), action, toQueue)).isEqualTo(new Decision(false, "not_consultant"));
      }
      assertThat(consult(pro(nurse, Role.NURSE), Set.of(), AccessPolicy.ConsultationAction.CLOSE, accepted)).isEqualTo(new Decision(true, "requester"));
      assertThat(consult(pro(consultant, Role.PHYSICIAN), Set.of(), AccessPolicy.ConsultationAction.CLOSE, accepted))
          .isEqualTo(new Decision(true, "consultant"));
      assertThat(consult(pro(otherNurse, Role.NURSE), Set.of("on-duty"), AccessPolicy.ConsultationAction.CLOSE, accepted))
          .isEqualTo(new Decision(false, "not_consultation_party"));
      assertThat(consult(pro(UUID.randomUUID(), Role.SUPERVISOR), Set.of(), AccessPolicy.ConsultationAction.CLOSE, accepted))
          .isEqualTo(new Decision(false, "care_roles_only"));
    }
  }

  @Nested
  @DisplayName("for remote visits")
  class Visits {
    private final UUID colleague = UUID.randomUUID();
    private final UUID visitPatient = UUID.randomUUID();
    private final UUID interpreter = UUID.randomUUID();
    private final AccessPolicy.VisitFacts visit =
        new AccessPolicy.VisitFacts("area", Set.of(physician, colleague), Set.of(visitPatient, interpreter));

    private Decision visit(Principal who, AccessPolicy.VisitAction action) {
      return policy.decide(who, action, action == AccessPolicy.VisitAction.BOOK ? null : visit);
    }

    @Test
    @DisplayName("care professionals book; supervisors, admins, partner staff and patients do not")
    void care_professionals_book() {
      for (Role role : new Role[] {Role.NURSE, Role.PHYSICIAN, Role.SPECIALIST}) {
        assertThat(visit(pro(UUID.randomUUID(), role), AccessPolicy.VisitAction.BOOK).allowed()).as(role.code()).isTrue();
      }
      for (Role role : new Role[] {Role.SUPERVISOR, Role.ADMIN, Role.PLATFORM_ADMIN, Role.PARTNER}) {
        assertThat(visit(pro(UUID.randomUUID(), role), AccessPolicy.VisitAction.BOOK).reason()).as(role.code()).isEqualTo("care_roles_only");
      }
      assertThat(visit(Principal.patient(visitPatient), AccessPolicy.VisitAction.BOOK).allowed()).isFalse();
    }

    @Test
    @DisplayName("the visit's professionals and invited colleagues read and manage it; a colleague who does not hold it does not")
    void holders_read_and_manage() {
      for (UUID holder : new UUID[] {physician, colleague}) {
        assertThat(visit(pro(holder, Role.PHYSICIAN), AccessPolicy.VisitAction.READ)).isEqualTo(new Decision(true, "visit_professional"));
        assertThat(visit(pro(holder, Role.NURSE), AccessPolicy.VisitAction.MANAGE).allowed()).isTrue();
      }
      assertThat(visit(pro(nurse, Role.NURSE), AccessPolicy.VisitAction.READ)).isEqualTo(new Decision(false, "not_visit_member"));
      assertThat(visit(pro(nurse, Role.NURSE), AccessPolicy.VisitAction.MANAGE).allowed()).isFalse();
    }

    @Test
    @DisplayName("a holder of another organisation is refused, whatever the member list says")
    void other_organisation_is_refused() {
      Principal elsewhere = Principal.professional(physician, Role.PHYSICIAN, "other-area");
      assertThat(visit(elsewhere, AccessPolicy.VisitAction.READ)).isEqualTo(new Decision(false, "other_organisation"));
    }

    @Test
    @DisplayName("patient-side members attend their own visit only, and never read the professionals' view")
    void patient_side_attends_only() {
      assertThat(visit(Principal.patient(visitPatient), AccessPolicy.VisitAction.ATTEND)).isEqualTo(new Decision(true, "visit_member"));
      assertThat(visit(Principal.patient(interpreter), AccessPolicy.VisitAction.ATTEND).allowed()).isTrue();
      assertThat(visit(Principal.patient(patient), AccessPolicy.VisitAction.ATTEND)).isEqualTo(new Decision(false, "not_visit_member"));
      assertThat(visit(Principal.patient(visitPatient), AccessPolicy.VisitAction.READ).allowed()).isFalse();
      assertThat(visit(Principal.patient(visitPatient), AccessPolicy.VisitAction.MANAGE).allowed()).isFalse();
      assertThat(visit(pro(physician, Role.PHYSICIAN), AccessPolicy.VisitAction.ATTEND).allowed()).isFalse();
    }
  }
}
