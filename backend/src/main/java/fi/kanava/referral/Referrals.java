package fi.kanava.referral;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.access.AccessPolicy.SystemAction;
import fi.kanava.auth.Principal;
import fi.kanava.auth.Role;
import fi.kanava.access.AccessPolicy.Actor;
import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.ConversationStore;
import fi.kanava.conversation.Outcome;
import fi.kanava.conversation.PatientView;
import fi.kanava.conversation.Conversations;
import fi.kanava.conversation.ParticipantKind;
import fi.kanava.conversation.Participants;
import fi.kanava.conversation.SystemMessage;
import fi.kanava.infra.ApiError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Partner referrals (docs/protocol.md, "Partner referrals"): seats of partner organisations, a
 * care professional's referral of a client with the client's recorded consent, what partner staff
 * see of it, their visit notes and the outcome.
 *
 * <p>A referral opens its own thread: a conversation with the client as patient and the partner
 * organisation as participant (kind {@code partner}), in no queue, with no one assigned, active at
 * once, never routed and never idled out. Partner staff holding a seat message the client there
 * with the normal {@code message.send} for as long as the referral runs; it closes when the outcome
 * becomes {@code completed} or {@code declined}, or when partner staff close it. The organisation
 * also joins the conversation the referral was made in, which its staff read, read-only and as the
 * patient saw it (docs/security.md, "Partner organisations").
 */
public final class Referrals {
  private static final Logger log = LoggerFactory.getLogger(Referrals.class);

  private final Pool pool;
  private final Clock clock;
  private final Conversations conversations;
  private final AccessGuard guard;
  private final ReferralMetrics metrics;
  private final int defaultSeatLimit;

  public Referrals(Pool pool, Clock clock, Conversations conversations, AccessGuard guard, ReferralMetrics metrics, int defaultSeatLimit) {
    this.pool = pool;
    this.clock = clock;
    this.conversations = conversations;
    this.guard = guard;
    this.metrics = metrics;
    this.defaultSeatLimit = defaultSeatLimit;
  }

  /** Whether a partner account holds a seat of its organisation (not disabled): the access policy's actor needs it. */
  public static java.util.function.Function<UUID, Future<Boolean>> seatHolders(Pool pool) {
    return accountId -> ReferralStore.seated(pool, accountId);
  }

  // --- seats ---------------------------------------------------------------------------------------------------

  private int limit(ReferralStore.Partner partner) {
    return partner.seatLimit() != null ? partner.seatLimit() : defaultSeatLimit;
  }

  /** The partner organisation, after checking that the principal may manage its seats (refusals audited). */
  private Future<ReferralStore.Partner> seatAdmin(Principal principal, String organisationId) {
    return ReferralStore.partner(pool, organisationId, false).compose(partner -> partner == null
        ? Future.failedFuture(unknownPartner())
        : guard.require(principal, SystemAction.MANAGE_ACCOUNTS, AccessPolicy.partnerSeats(partner.partnerOf()), "partner_seats")
            .map(partner));
  }

  public Future<JsonObject> seats(Principal principal, String organisationId) {
    return seatAdmin(principal, organisationId).compose(partner -> seatsOf(partner));
  }

  private Future<JsonObject> seatsOf(ReferralStore.Partner partner) {
    return ReferralStore.seats(pool, partner.id()).map(seats -> new JsonObject().put("organisationId", partner.id())
        .put("seatLimit", limit(partner)).put("seats", seats));
  }

  /**
   * Gives one of the organisation's seats to one of its partner accounts; the organisation's row is
   * locked, so concurrent assignments take turns and never exceed the limit ({@code seats_full}).
   * Assigning a seat the account holds already changes nothing.
   */
  public Future<JsonObject> assignSeat(Principal principal, String organisationId, UUID accountId) {
    Instant now = clock.instant();
    return seatAdmin(principal, organisationId)
        .compose(checked -> pool.withTransaction(tx -> ReferralStore.partner(tx, organisationId, true)
            .compose(partner -> ReferralStore.account(tx, accountId).compose(account -> {
              if (account == null || !organisationId.equals(account.getString("organisation_id"))
                  || !Role.PARTNER.code().equals(account.getString("role"))) {
                return Future.failedFuture(ApiError.notFound("account_not_found", "No partner account of this organisation with that id"));
              }
              if (account.getValue("disabled_at") != null) {
                return Future.failedFuture(ApiError.conflict("account_disabled", "The account is disabled"));
              }
              return ReferralStore.holdsSeat(tx, organisationId, accountId).compose(holds -> holds ? Future.succeededFuture(partner)
                  : ReferralStore.seatsTaken(tx, organisationId).compose(taken -> taken >= limit(partner)
                      ? Future.failedFuture(ApiError.conflict("seats_full", "The organisation's " + limit(partner) + " seats are taken"))
                      : ReferralStore.assignSeat(tx, organisationId, accountId, principal.id(), now).map(partner)));
            }))))
        .compose(partner -> {
          log.info("Seat of {} given to account {} by {}", organisationId, accountId, principal.id());
          return seatsOf(partner);
        });
  }

  /** Takes a seat back. The account's next request, socket or conversation.open sees nothing of the referrals. */
  public Future<JsonObject> releaseSeat(Principal principal, String organisationId, UUID accountId) {
    return seatAdmin(principal, organisationId)
        .compose(partner -> pool.withTransaction(tx -> ReferralStore.partner(tx, organisationId, true)
            .compose(locked -> ReferralStore.releaseSeat(tx, organisationId, accountId)))
            .compose(released -> released ? seatsOf(partner)
                : Future.failedFuture(ApiError.notFound("seat_not_found", "The account holds no seat of this organisation"))));
  }

  /** Demo data: the partner account {@code username} holds a seat of its organisation, given by {@code admin}; again, nothing changes. */
  public Future<Void> demoSeat(String username, String admin) {
    return ReferralStore.demoSeat(pool, username, admin, clock.instant());
  }

  // --- referring -----------------------------------------------------------------------------------------------

  /** The partner organisations the professional may refer to (for the console's form). */
  public Future<JsonArray> partners(Principal principal) {
    if (!principal.role().filter(Role::isCareProfessional).isPresent()) {
      return guard.require(principal, SystemAction.USE_CONSOLE, "referral_partners")
          .compose(v -> Future.failedFuture(ApiError.forbidden("Only care professionals refer clients")));
    }
    return ReferralStore.partnersFor(pool, principal.organisationId().orElse(""));
  }

  /** What a referral committed, for what goes out after. */
  private record Made(UUID id, ConversationRecord before, ReferralStore.Partner partner, JsonObject system, UUID thread) {}

  /**
   * A care professional entitled to write to the client's conversation refers the client, with
   * the consent recorded: asked by the professional, now, by the method given.
   */
  public Future<JsonObject> refer(Principal principal, ReferralRequests.NewReferral r) {
    if (!principal.role().filter(Role::isCareProfessional).isPresent()) {
      return Future.failedFuture(ApiError.forbidden("Only care professionals refer clients"));
    }
    Instant now = clock.instant();
    UUID id = UUID.randomUUID();
    String own = principal.organisationId().orElse(null);
    return conversations.actor(principal).compose(actor -> conversations.locked(actor, ConversationAction.WRITE, "referral",
            r.conversationId(),
            c -> c.isClosed() ? AccessGuard.conversationClosed()
                : c.patientId() == null ? ApiError.conflict("no_client", "A conversation without a client is not referred") : null,
            (tx, c) -> ReferralStore.partner(tx, r.partnerOrganisationId(), false).compose(partner -> {
              if (partner == null || (partner.partnerOf() != null && !partner.partnerOf().equals(own))) {
                return Future.failedFuture(unknownPartner());
              }
              UUID thread = UUID.randomUUID();
              return ReferralStore.exists(tx, c.id(), partner.id()).compose(twice -> twice
                  ? Future.failedFuture(ApiError.conflict("already_referred", "The client was referred to this organisation in this conversation"))
                  : ConversationStore.openReferralThread(tx, thread, c.patientId(), c.language(), c.municipality(), now)
                      .compose(v -> Participants.joinOrganisation(tx, thread, ParticipantKind.PARTNER, partner.id(), now))
                      .compose(v -> ReferralStore.insert(tx, id, c.id(), thread, c.patientId(), partner.id(), own, principal.id(), r.reason(),
                          r.consent(), now))
                      .compose(v -> Participants.joinOrganisation(tx, c.id(), ParticipantKind.PARTNER, partner.id(), now))
                      .compose(v -> conversations.systemMessage(tx, c.id(), SystemMessage.REFERRED_TO_PARTNER, partner.name(), now))
                      .map(system -> new Made(id, c, partner, system, thread)));
            })))
        .compose(made -> {
          UUID conversationId = made.before().id();
          metrics.counted(made.partner().id(), ReferralOutcome.REFERRED);
          conversations.published(conversationId, made.system());
          log.info("Conversation {} referred by {} to {} (referral {}, thread {})", conversationId, principal.id(), made.partner().id(), id,
              made.thread());
          return guard.record(Optional.of(principal), "referral.create", conversationId, made.before().patientId(), "referral",
                  "consent_" + r.consent().method().code())
              .compose(v -> conversations.load(conversationId))
              .compose(c -> {
                // watching sockets learn the new participant (and so the partner's access)
                conversations.stateChanged(c);
                return ReferralStore.get(pool, id, false);
              })
              .compose(this::withNotes);
        });
  }

  // --- partner staff and the referring professional ---------------------------------------------------------------

  /** The referrals to the partner's own organisation, newest first; the list read is audited. */
  public Future<JsonArray> forPartner(Principal principal) {
    String own = principal.organisationId().orElse("");
    return conversations.actor(principal)
        .compose(actor -> guard.requireReferral(actor, "referral.list", null, null, own, null, false, "partner_referrals"))
        .compose(v -> ReferralStore.toPartner(pool, own))
        .map(list -> {
          JsonArray out = new JsonArray();
          list.forEach(r -> out.add(json(r)));
          return out;
        });
  }

  /** The referrals made in a conversation, for a professional entitled to read it (audited as a conversation read). */
  public Future<JsonArray> ofConversation(Principal principal, UUID conversationId) {
    return conversations.authorized(principal, conversationId, ConversationAction.READ, "referrals")
        .compose(c -> ReferralStore.ofConversation(pool, conversationId))
        .map(list -> {
          JsonArray out = new JsonArray();
          list.forEach(r -> out.add(json(r)));
          return out;
        });
  }

  /** One referral with its notes: partner staff of its organisation, or the professional who made it. */
  public Future<JsonObject> get(Principal principal, UUID id) {
    return referral(principal, id, false, "referral.read").compose(this::withNotes);
  }

  /** Partner staff of the organisation record a visit note. */
  public Future<JsonObject> addNote(Principal principal, UUID id, ReferralRequests.Note note) {
    Instant now = clock.instant();
    return referral(principal, id, true, "referral.note")
        .compose(r -> conversations.author(principal).compose(author -> pool.withTransaction(tx ->
            ReferralStore.get(tx, id, true).compose(locked -> ReferralStore.addNote(tx, id, principal.id(), author.name(), note.text(), now)))));
  }

  /** Partner staff of the organisation record the outcome; only forward ({@code invalid_transition} otherwise). */
  public Future<JsonObject> setOutcome(Principal principal, UUID id, ReferralRequests.Outcome request) {
    Instant now = clock.instant();
    ReferralOutcome next = request.outcome();
    // a final outcome and the end of the thread commit together (the thread's row is locked first, then the
    // referral's); a thread already closed by partner staff leaves only the outcome to record
    return referral(principal, id, true, "referral.outcome")
        .compose(r -> (next.endsThread()
            ? conversations.closeAs(null, "referral_thread_close", r.threadConversationId(), c -> null, c -> Outcome.REFERRAL_ENDED,
                    next.code(), (tx, c) -> recordOutcome(tx, id, next, principal, now))
                .<Void>mapEmpty()
                .recover(e -> e instanceof ApiError error && "conversation_closed".equals(error.code())
                    ? pool.withTransaction(tx -> recordOutcome(tx, id, next, principal, now)) : Future.failedFuture(e))
            : pool.withTransaction(tx -> recordOutcome(tx, id, next, principal, now)))
            .map(v -> {
              metrics.counted(r.partnerOrganisationId(), next);
              log.info("Referral {} to {}: {} -> {} by {}", id, r.partnerOrganisationId(), r.outcome().code(), next.code(), principal.id());
              return v;
            }))
        .compose(v -> ReferralStore.get(pool, id, false))
        .compose(this::withNotes);
  }

  /** Records the next outcome on the locked referral, only forward ({@code invalid_transition} otherwise). */
  private static Future<Void> recordOutcome(io.vertx.sqlclient.SqlClient tx, UUID id, ReferralOutcome next, Principal by, Instant now) {
    return ReferralStore.get(tx, id, true).compose(locked -> locked.outcome().canBecome(next)
        ? ReferralStore.outcome(tx, id, next, by.id(), now)
        : Future.failedFuture(ApiError.conflict("invalid_transition",
            "A referral that is " + locked.outcome().code() + " cannot become " + next.code())));
  }

  /**
   * Partner staff close the referral's thread themselves (the client will not be contacted there
   * again) while the referral itself goes on; closing a closed thread is harmless.
   */
  public Future<JsonObject> closeThread(Principal principal, UUID id) {
    return referral(principal, id, true, "referral.thread_close")
        .compose(r -> conversations.actor(principal).compose(actor -> endThread(actor, r.threadConversationId(), CLOSED_BY_PARTNER)))
        .compose(v -> ReferralStore.get(pool, id, false))
        .compose(this::withNotes);
  }

  static final String CLOSED_BY_PARTNER = "closed_by_partner";

  /**
   * Closes the thread through the conversation core (the state machine, the closing system message,
   * the state event that ends nobody's access but stops writing); already closed is fine. A null
   * actor is the system: the outcome that ended the referral was decided by entitled partner staff.
   */
  private Future<Void> endThread(Actor actor, UUID thread, String detail) {
    return conversations.closeAs(actor, "referral_thread_close", thread, c -> null, Outcome.REFERRAL_ENDED, detail)
        .<Void>mapEmpty()
        .recover(e -> e instanceof ApiError error && "conversation_closed".equals(error.code())
            ? Future.succeededFuture() : Future.failedFuture(e));
  }

  // --- the client ----------------------------------------------------------------------------------------------

  /**
   * The client's open referral threads, newest first, each the patient's view of the conversation
   * with the partner organisation ({@code partner}: id and name) and the referral's id.
   */
  public Future<JsonArray> threadsOf(Principal patient) {
    if (!patient.isPatient()) {
      return Future.failedFuture(ApiError.forbidden("For patients"));
    }
    return conversations.openThreads(patient).compose(threads -> ReferralStore.byThreads(pool,
            threads.stream().map(ConversationRecord::id).toList())
        .map(byThread -> {
          JsonArray out = new JsonArray();
          for (ConversationRecord c : threads) {
            ReferralStore.Referral r = byThread.get(c.id());
            if (r == null) {
              continue;
            }
            out.add(JsonObject.mapFrom(PatientView.of(c)).put("referralId", r.id().toString())
                .put("partner", new JsonObject().put("id", r.partnerOrganisationId()).put("name", r.partnerName())));
          }
          return out;
        }));
  }

  /** The referral, after the access check (every decision audited); 404 {@code referral_not_found} when there is none. */
  private Future<ReferralStore.Referral> referral(Principal principal, UUID id, boolean write, String action) {
    return ReferralStore.get(pool, id, false).compose(r -> r == null
        ? Future.failedFuture(ApiError.notFound("referral_not_found", "No such referral"))
        : conversations.actor(principal).compose(actor -> guard.requireReferral(actor, action, id, r.patientId(),
            r.partnerOrganisationId(), r.referredBy(), write, "partner_referral")).map(r));
  }

  private Future<JsonObject> withNotes(ReferralStore.Referral r) {
    return ReferralStore.notes(pool, r.id()).map(notes -> json(r).put("notes", notes));
  }

  private static JsonObject json(ReferralStore.Referral r) {
    return new JsonObject()
        .put("id", r.id().toString())
        .put("conversationId", r.conversationId().toString())
        .put("threadConversationId", r.threadConversationId().toString())
        .put("client", new JsonObject().put("name", r.clientLabel()).put("reference", r.conversationId().toString().substring(0, 8)))
        .put("partnerOrganisation", new JsonObject().put("id", r.partnerOrganisationId()).put("name", r.partnerName()))
        .put("referredBy", new JsonObject().put("id", r.referredBy().toString()).put("name", r.referredByName()))
        .put("reason", r.reason())
        .put("consent", new JsonObject().put("method", r.consentMethod()).put("note", r.consentNote())
            .put("askedBy", r.consentAskedBy().toString()).put("at", r.consentAt().toString()))
        .put("outcome", r.outcome().code())
        .put("outcomeAt", r.outcomeAt().toString())
        .put("createdAt", r.createdAt().toString())
        .put("contactedAt", text(r.contactedAt()))
        .put("startedAt", text(r.startedAt()))
        .put("declinedAt", text(r.declinedAt()))
        .put("completedAt", text(r.completedAt()));
  }

  private static String text(Instant at) {
    return at == null ? null : at.toString();
  }

  private static ApiError unknownPartner() {
    return ApiError.notFound("unknown_partner", "No such partner organisation");
  }

}
