package fi.kanava.access;

import fi.kanava.auth.Principal;
import fi.kanava.auth.Role;
import fi.kanava.auth.Authenticator;

import fi.kanava.access.AccessPolicy.Actor;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.access.AccessPolicy.ConversationFacts;
import fi.kanava.access.AccessPolicy.Decision;
import fi.kanava.access.AccessPolicy.SystemAction;
import fi.kanava.infra.ApiError;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link AccessPolicy} and keeps the audit trail: every read of patient data by a
 * professional, every export and every denied attempt becomes an {@code audit_event} row. A denial
 * fails the returned future with a 403 {@link ApiError} once its audit row is written.
 */
public final class AccessGuard {
  private static final Logger log = LoggerFactory.getLogger(AccessGuard.class);

  private final AccessPolicy policy;
  private final AuditLog audit;
  private final Clock clock;

  public AccessGuard(AccessPolicy policy, AuditLog audit, Clock clock) {
    this.policy = policy;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * A route handler that runs only when the policy allows the system action (a denial is audited
   * and answered 403), then writes the handler's JSON with {@code status}.
   */
  public io.vertx.core.Handler<io.vertx.ext.web.RoutingContext> route(SystemAction action, String purpose, int status,
      java.util.function.Function<io.vertx.ext.web.RoutingContext, Future<?>> handler) {
    return fi.kanava.infra.Http.json(status, ctx -> require(Authenticator.principal(ctx), action, purpose).compose(v -> handler.apply(ctx)));
  }

  /** Checks a system function (account management, figures...). Only denials are audited. */
  public Future<Void> require(Principal principal, SystemAction action, String purpose) {
    Decision decision = policy.decide(principal, action);
    if (decision.allowed()) {
      return Future.succeededFuture();
    }
    return audit
        .record(event(Optional.of(principal), action.name(), "system", Optional.empty(), Optional.empty(), purpose, decision))
        .compose(v -> Future.failedFuture(forbidden(principal, action.name(), decision)));
  }

  /**
   * Checks an administrative action on one organisation's accounts, units or queues, or the
   * figures of one organisation's queue (see {@link
   * AccessPolicy#decide(Principal, SystemAction, AccessPolicy.AdminTarget)}). Only denials are
   * audited, with the organisation as the resource.
   */
  public Future<Void> require(Principal principal, SystemAction action, AccessPolicy.AdminTarget target, String purpose) {
    Decision decision = policy.decide(principal, action, target);
    if (decision.allowed()) {
      return Future.succeededFuture();
    }
    return audit
        .record(event(Optional.of(principal), action.name(), "organisation", Optional.ofNullable(target.organisationId()),
            Optional.empty(), purpose, decision))
        .compose(v -> Future.failedFuture(forbidden(principal, action.name(), decision)));
  }

  /**
   * Checks a system function that reads a list about people other than patients (the expert
   * registry's colleagues) and audits the list read, allowed or denied: action {@code
   * <action>.list} on {@code resourceType} {@code resourceId} (an organisation's directory, say).
   */
  public Future<Void> requireListRead(Principal principal, SystemAction action, String resourceType, String resourceId, String purpose) {
    Decision decision = policy.decide(principal, action);
    return audit
        .record(event(Optional.of(principal), action.name().toLowerCase(Locale.ROOT) + ".list", resourceType,
            Optional.ofNullable(resourceId), Optional.empty(), purpose, decision))
        .compose(v -> decision.allowed() ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(forbidden(principal, action.name(), decision)));
  }

  /** The organisations whose figures the principal reads, to limit what a report shows. */
  public AccessPolicy.AdminScope figuresScope(Principal principal) {
    return policy.figuresScope(principal);
  }

  /** The organisations the principal administers, to limit what an admin list shows. */
  public AccessPolicy.AdminScope adminScope(Principal principal) {
    return policy.adminScope(principal);
  }

  /**
   * Checks access to one conversation. Professionals' reads, all exports and all denials are
   * audited before the future completes; a patient reading their own conversation is not.
   */
  public Future<Void> require(Actor actor, ConversationAction action, UUID conversationId, ConversationFacts facts, String purpose) {
    return settle(actor, action, conversationId, facts, purpose, policy.decide(actor, action, facts));
  }

  /**
   * The policy's decision alone, for a check made inside a transaction (on the locked row): no
   * I/O, so the transaction never waits for a second connection. The caller then calls {@link
   * #settle} after the transaction, which writes the audit row and turns a denial into a 403.
   */
  public Decision decide(Actor actor, ConversationAction action, ConversationFacts facts) {
    return policy.decide(actor, action, facts);
  }

  /** The first sequence number of the conversation the principal may read (see {@link AccessPolicy#historyFrom}). */
  public long historyFrom(Principal principal, ConversationFacts facts) {
    return policy.historyFrom(principal, facts);
  }

  /** Whether the principal reads internal notes and the staff side of the conversation (see {@link AccessPolicy#readsInternal}). */
  public boolean readsInternal(Principal principal, ConversationFacts facts) {
    return policy.readsInternal(principal, facts);
  }

  /** Audits an event decided elsewhere (a transfer, its decline or lapse, a consent answer): allowed, with its reason. */
  public Future<Void> record(Optional<Principal> principal, String action, UUID conversationId, UUID patientId, String purpose, String reason) {
    return audit.record(event(principal, action, "conversation", Optional.of(conversationId.toString()), Optional.ofNullable(patientId),
        purpose, Decision.allow(reason)));
  }

  /**
   * Audits an event the server decided by itself, on a time rule (a transfer that lapsed, a
   * consent question not answered in time): the actor is the system, not an anonymous caller.
   */
  public Future<Void> recordBySystem(String action, UUID conversationId, UUID patientId, String purpose, String reason) {
    return audit.record(new AuditEvent(clock.instant(), AuditEvent.SYSTEM, Optional.empty(), Optional.empty(), action, "conversation",
        Optional.of(conversationId.toString()), Optional.ofNullable(patientId), purpose, true, reason));
  }

  /** Audits a decision as {@link #require} would and fails with 403 when it was a denial. */
  public Future<Void> settle(Actor actor, ConversationAction action, UUID conversationId, ConversationFacts facts, String purpose,
      Decision decision) {
    Principal principal = actor.principal();
    boolean audited = !decision.allowed() || action == ConversationAction.EXPORT || (!principal.isPatient() && action == ConversationAction.READ);
    Future<Void> written =
        audited
            ? audit.record(
                event(Optional.of(principal), "conversation." + action.name().toLowerCase(Locale.ROOT), "conversation",
                    Optional.of(conversationId.toString()), Optional.ofNullable(facts.patientId()), purpose, decision))
            : Future.succeededFuture();
    return decision.allowed()
        ? written
        : written.compose(v -> Future.failedFuture(forbidden(principal, action.name(), decision)));
  }

  /**
   * Audits a frame about a conversation that the principal's role may not send at all (a patient
   * taking a conversation, staff leaving a queue as a patient), refused before any policy check:
   * a denial with reason {@code role_may_not_send}, about the conversation's patient (null when no
   * such conversation exists), so that it shows in that patient's access log.
   */
  public Future<Void> refusedFrame(Principal principal, String frameType, UUID conversationId, UUID patientId) {
    Decision decision = Decision.deny("role_may_not_send");
    log.info("Refused the frame {} to {} {}: {}", frameType, principal.kind().code(), principal.id(), decision.reason());
    return audit.record(event(Optional.of(principal), frameType, "conversation", Optional.of(conversationId.toString()),
        Optional.ofNullable(patientId), "socket_frame", decision));
  }

  /**
   * Checks access to a partner referral, or ({@code referralId} null) to the list of an
   * organisation's referrals (see {@link AccessPolicy#referral}). Every decision is audited, allowed
   * reads included: partner staff's reads are all in the trail. A denial fails with 403.
   */
  public Future<Void> requireReferral(Actor actor, String action, UUID referralId, UUID patientId, String partnerOrganisationId,
      UUID referredBy, boolean write, String purpose) {
    Decision decision = policy.referral(actor, partnerOrganisationId, referredBy, write);
    Principal principal = actor.principal();
    Future<Void> written = audit.record(event(Optional.of(principal), action, referralId == null ? "referral_list" : "referral",
        Optional.of(referralId == null ? partnerOrganisationId : referralId.toString()), Optional.ofNullable(patientId), purpose, decision));
    return decision.allowed() ? written : written.compose(v -> Future.failedFuture(forbidden(principal, action, decision)));
  }

  private AuditEvent event(Optional<Principal> principal, String action, String resourceType, Optional<String> resourceId,
      Optional<UUID> patientId, String purpose, Decision decision) {
    return new AuditEvent(
        clock.instant(),
        AuditEvent.actorKind(principal),
        principal.map(Principal::id),
        principal.flatMap(Principal::role).map(Role::code),
        action,
        resourceType,
        resourceId,
        patientId,
        purpose,
        decision.allowed(),
        decision.reason());
  }

  private static ApiError forbidden(Principal principal, String action, Decision decision) {
    log.info("Denied {} to {} {}: {}", action, principal.kind().code(), principal.id(), decision.reason());
    if ("conversation_closed".equals(decision.reason())) {
      // the one refusal whose reason the user may know: they had access, but it has ended
      return conversationClosed();
    }
    return ApiError.forbidden("You are not allowed to do this");
  }

  /** The refusal for writing to (or acting on) a conversation that is closed. */
  public static ApiError conversationClosed() {
    return ApiError.conflict("conversation_closed", "The conversation is closed");
  }

  /**
   * Checks a view of a photo ({@link AccessPolicy#decideAttachment}) and audits every view, allowed
   * or denied, the patient's own included, as {@code attachment.view} of the attachment, about the
   * conversation's patient. A denial fails with 403 once its row is written.
   */
  public Future<Void> viewAttachment(Actor actor, UUID attachmentId, ConversationFacts conversation,
      AccessPolicy.AttachmentFacts attachment, String purpose) {
    Principal principal = actor.principal();
    Decision decision = policy.decideAttachment(actor, conversation, attachment);
    return audit.record(event(Optional.of(principal), "attachment.view", "attachment", Optional.of(attachmentId.toString()),
            Optional.ofNullable(conversation.patientId()), purpose, decision))
        .compose(v -> decision.allowed() ? Future.<Void>succeededFuture() : Future.failedFuture(forbidden(principal, "attachment.view", decision)));
  }

  /**
   * Checks a consultation action ({@link AccessPolicy#decide(Actor, AccessPolicy.ConsultationAction,
   * AccessPolicy.ConsultationFacts)}) and audits it either way: a consultation is about a patient's
   * case ({@code patientId}, null without one). A denial fails with 403 once its row is written.
   */
  public Future<Void> requireConsultation(Actor actor, AccessPolicy.ConsultationAction action, UUID consultationId,
      AccessPolicy.ConsultationFacts facts, UUID patientId, String purpose) {
    Decision decision = policy.decide(actor, action, facts);
    Principal principal = actor.principal();
    return audit.record(event(Optional.of(principal), "consultation." + action.name().toLowerCase(Locale.ROOT), "consultation",
            Optional.of(consultationId.toString()), Optional.ofNullable(patientId), purpose, decision))
        .compose(v -> decision.allowed() ? Future.succeededFuture() : Future.failedFuture(forbidden(principal, action.name(), decision)));
  }

  /** Audits an allowed event about a consultation (opened, listed, breached), with the case's patient if it has one. */
  public Future<Void> recordConsultation(Optional<Principal> principal, String action, UUID consultationId, UUID patientId, String purpose,
      String reason) {
    AuditEvent e = principal.isPresent()
        ? event(principal, action, "consultation", Optional.of(consultationId.toString()), Optional.ofNullable(patientId), purpose,
            Decision.allow(reason))
        : new AuditEvent(clock.instant(), AuditEvent.SYSTEM, Optional.empty(), Optional.empty(), action, "consultation",
            Optional.of(consultationId.toString()), Optional.ofNullable(patientId), purpose, true, reason);
    return audit.record(e);
  }

  /**
   * Checks a visit action ({@link AccessPolicy#decide(Principal, AccessPolicy.VisitAction,
   * AccessPolicy.VisitFacts)}) and audits it as {@code visit.<action>} of the visit, about its patient:
   * every decision of a professional (reads and changes), and every denial. A patient-side member
   * attending their own visit is not audited. A denial fails with 403: {@code not_a_member} for
   * someone outside the visit (or its organisation), {@code forbidden} for a role with no part in visits.
   */
  public Future<Void> requireVisit(Principal principal, AccessPolicy.VisitAction action, UUID visitId, AccessPolicy.VisitFacts facts,
      UUID patientId, String purpose) {
    Decision decision = policy.decide(principal, action, facts);
    boolean audited = !decision.allowed() || !principal.isPatient();
    Future<Void> written = audited
        ? audit.record(event(Optional.of(principal), "visit." + action.name().toLowerCase(Locale.ROOT), "visit",
            Optional.ofNullable(visitId).map(UUID::toString), Optional.ofNullable(patientId), purpose, decision))
        : Future.succeededFuture();
    if (decision.allowed()) {
      return written;
    }
    log.info("Denied visit {} to {} {}: {}", action, principal.kind().code(), principal.id(), decision.reason());
    ApiError error = "care_roles_only".equals(decision.reason()) ? ApiError.forbidden("Visits are held by care professionals")
        : new ApiError(403, "not_a_member", "You are not a member of this visit");
    return written.compose(v -> Future.failedFuture(error));
  }

  /** Audits an allowed event about a visit decided elsewhere (listed in a day list, marked a no-show by the sweep). */
  public Future<Void> recordVisit(Optional<Principal> principal, String action, UUID visitId, UUID patientId, String purpose, String reason) {
    AuditEvent e = principal.isPresent()
        ? event(principal, action, "visit", Optional.of(visitId.toString()), Optional.ofNullable(patientId), purpose, Decision.allow(reason))
        : new AuditEvent(clock.instant(), AuditEvent.SYSTEM, Optional.empty(), Optional.empty(), action, "visit",
            Optional.of(visitId.toString()), Optional.ofNullable(patientId), purpose, true, reason);
    return audit.record(e);
  }
}
