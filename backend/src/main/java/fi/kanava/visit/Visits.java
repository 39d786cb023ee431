package fi.kanava.visit;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.access.AccessPolicy.VisitAction;
import fi.kanava.auth.Patients;
import fi.kanava.auth.Principal;
import fi.kanava.auth.Role;
import fi.kanava.auth.Sessions;
import fi.kanava.conversation.ConversationEvents;
import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.ConversationStore;
import fi.kanava.conversation.Conversations;
import fi.kanava.conversation.Outcome;
import fi.kanava.conversation.SystemMessage;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.rtc.CallRoster;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remote visits (docs/protocol.md, "Visits"): booking, the day list, cancelling and rescheduling,
 * one-time join codes and their exchange for a short session, the waiting room (arrive, admit, late
 * notice), the no-show sweep, and the visit's side of its call ({@link #roster()}). Who may act is
 * the access policy's visit rules, through the guard (audited); each change runs in one transaction
 * on the locked visit row and follows {@link VisitState}; frames go out after commit.
 */
public final class Visits {
  private static final Logger log = LoggerFactory.getLogger(Visits.class);
  /** A visit's call is a mesh of at most four: the patient side and the professionals together. */
  static final int MAX_MEMBERS = 4;
  /** The day of the day list is a day in Finland. */
  static final ZoneId ZONE = ZoneId.of("Europe/Helsinki");
  private static final int CODE_BYTES = 32;
  private static final Pattern CODE = Pattern.compile("[A-Za-z0-9_-]{43}");

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final AccessGuard guard;
  private final Conversations conversations;
  private final Patients patients;
  private final Sessions sessions;
  private final VisitMetrics metrics;
  private final KanavaConfig.Visit config;
  private final Duration sweepInterval;
  private final SecureRandom random = new SecureRandom();

  public Visits(Vertx vertx, Pool pool, Clock clock, AccessGuard guard, Conversations conversations, Patients patients, Sessions sessions,
      VisitMetrics metrics, KanavaConfig.Visit config, Duration sweepInterval) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.guard = guard;
    this.conversations = conversations;
    this.patients = patients;
    this.sessions = sessions;
    this.metrics = metrics;
    this.config = config;
    this.sweepInterval = sweepInterval;
  }

  /**
   * The no-show timer, on the node's sweep interval; and, on the node where it happens, the close of a
   * chat visit's conversation (any outcome, by anyone) completes the visit ({@link #chatClosed}).
   */
  public void start() {
    vertx.setPeriodic(sweepInterval.toMillis(), t -> sweep().onFailure(e -> log.warn("Visit sweep failed", e)));
    vertx.eventBus().<JsonObject>localConsumer(ConversationEvents.CLOSED, msg -> {
      String visitId = msg.body().getString("visitId");
      if (visitId != null) {
        String conversationId = msg.body().getString("conversationId");
        chatClosed(UUID.fromString(visitId), conversationId)
            .onFailure(e -> log.warn("Visit {}: could not complete it after its conversation {} closed", visitId, conversationId, e));
      }
    });
  }

  /** The visit's side of its call, for fi.kanava.rtc. */
  public CallRoster roster() {
    return new VisitRoster(this);
  }

  // --- booking ----------------------------------------------------------------------------------------------

  /** {@code POST /api/visits}: the visit with the patient's join link. */
  public Future<JsonObject> book(Principal me, VisitRequests.Book b) {
    Instant now = clock.instant();
    if (!b.startsAt().plus(Duration.ofMinutes(b.durationMinutes())).isAfter(now)) {
      return Future.failedFuture(ApiError.badRequest("invalid_starts_at", "The visit would be over already"));
    }
    UUID id = UUID.randomUUID();
    UUID patientMember = UUID.randomUUID();
    return guard.requireVisit(me, VisitAction.BOOK, null, null, null, "visit_booking")
        .compose(v -> fromChat(me, b.conversationId()))
        .compose(chat -> professionals(me, b.professionalIds()).compose(pros -> queueOf(me, b.queueId(), chat).compose(queueId -> {
          if (pros.size() + 1 > MAX_MEMBERS) {
            return Future.failedFuture(callFull());
          }
          if ("chat".equals(b.channel()) && queueId == null) {
            return Future.failedFuture(ApiError.badRequest("queue_required",
                "A chat visit is held as a conversation in a queue: give 'queueId' or book it from a chat"));
          }
          Instant endsAt = b.startsAt().plus(Duration.ofMinutes(b.durationMinutes()));
          String language = chat != null && VisitRequests.LANGUAGES.contains(chat.language()) ? chat.language()
              : b.language() != null ? b.language() : "fi";
          String name = chat != null ? chat.patientName() : b.patientName();
          return pool.withTransaction(tx -> (chat != null ? Future.succeededFuture(chat.patientId()) : patients.newForVisit(tx))
              .compose(patientId -> VisitStore.insert(tx, new VisitStore.NewVisit(id, pros.get(0).organisationId(), pros.get(0).unitId(),
                      queueId, patientId, chat == null ? null : chat.id(), b.startsAt(), b.durationMinutes(), b.channel(), language,
                      b.interpreterNeeded(), me.id(), now))
                  .compose(v -> VisitStore.insertMember(tx, patientMember, id, MemberKind.PATIENT, null, patientId, name, now, me.id())))
              .compose(v -> {
                Future<Void> all = Future.succeededFuture();
                for (VisitStore.Account pro : pros) {
                  all = all.compose(x -> VisitStore.insertMember(tx, UUID.randomUUID(), id, MemberKind.PROFESSIONAL, pro.id(), null, null, now,
                      me.id()));
                }
                return all;
              })
              .compose(v -> issueCode(tx, id, patientMember, endsAt, now)));
        })))
        .compose(link -> load(id).compose(visit -> {
          metrics.booked(visit.channel());
          log.info("Visit {} ({}) booked by {} for {}{}", id, visit.channel(), me.id(), visit.startsAt(),
              visit.conversationId() == null ? "" : " from conversation " + visit.conversationId());
          toProfessionals(visit, new VisitFrames.Updated(visit.toJson()), null);
          return guard.recordVisit(Optional.of(me), "visit.book", id, visit.patientId(), "visit_booking", "visit_professional")
              .map(v -> visit.toJson().put("joinLink", link.toJson(config.publicBaseUrl())));
        }));
  }

  /**
   * The chat a visit is booked from, read through the guard (audited): a patient's conversation that
   * is still open or was closed with the outcome appointment_booked. Null when not booked from one.
   */
  private Future<ConversationRecord> fromChat(Principal me, UUID conversationId) {
    if (conversationId == null) {
      return Future.succeededFuture(null);
    }
    return conversations.authorized(me, conversationId, ConversationAction.READ, "visit_booking").compose(c -> {
      boolean bookable = c.patientId() != null && (!c.isClosed() || Outcome.APPOINTMENT_BOOKED.equals(c.outcome()));
      return bookable ? Future.succeededFuture(c)
          : Future.failedFuture(ApiError.conflict("conversation_not_bookable",
              "A visit is booked from a patient's open conversation or one closed with the outcome appointment_booked"));
    });
  }

  /** The booker first, then the other professionals: enabled care professionals of the booker's organisation. */
  private Future<List<VisitStore.Account>> professionals(Principal me, List<UUID> others) {
    List<UUID> ids = new ArrayList<>(List.of(me.id()));
    others.stream().filter(id -> !ids.contains(id)).forEach(ids::add);
    return VisitStore.accounts(pool, ids).compose(found -> {
      List<VisitStore.Account> ordered = new ArrayList<>();
      for (UUID id : ids) {
        Optional<VisitStore.Account> account = found.stream().filter(a -> a.id().equals(id)).findFirst();
        if (account.isEmpty() || !eligible(me, account.get())) {
          return Future.failedFuture(ApiError.notFound("unknown_professional", "No such professional in your organisation"));
        }
        ordered.add(account.get());
      }
      return Future.succeededFuture(ordered);
    });
  }

  private static boolean eligible(Principal me, VisitStore.Account account) {
    boolean care;
    try {
      care = Role.fromCode(account.role()).isCareProfessional();
    } catch (IllegalArgumentException e) {
      care = false;
    }
    return account.enabled() && care && me.organisationId().filter(account.organisationId()::equals).isPresent();
  }

  /** The chat's queue; or the queue asked for, of the booker's organisation; or none. */
  private Future<String> queueOf(Principal me, String queueId, ConversationRecord chat) {
    if (chat != null) {
      return Future.succeededFuture(chat.queueId());
    }
    if (queueId == null) {
      return Future.succeededFuture(null);
    }
    return pool.preparedQuery("select organisation_id from queue where id = $1").execute(Tuple.of(queueId)).compose(rows ->
        rows.size() == 1 && me.organisationId().filter(o -> o.equals(rows.iterator().next().getString(0))).isPresent()
            ? Future.succeededFuture(queueId)
            : Future.failedFuture(ApiError.notFound("unknown_queue", "No such queue")));
  }

  // --- reading ----------------------------------------------------------------------------------------------

  /** {@code GET /api/visits?date=}: the visits the professional holds that day (in Finland), by start; each listed visit is audited. */
  public Future<JsonObject> day(Principal me, LocalDate date) {
    if (me.role().filter(Role::isCareProfessional).isEmpty()) {
      return Future.failedFuture(ApiError.forbidden("Visits are held by care professionals"));
    }
    Instant from = date.atStartOfDay(ZONE).toInstant();
    Instant to = date.plusDays(1).atStartOfDay(ZONE).toInstant();
    return VisitStore.dayOf(pool, me.id(), from, to).compose(ids -> {
      List<Future<Visit>> loads = ids.stream().map(this::load).toList();
      return Future.all(loads).compose(done -> {
        JsonArray out = new JsonArray();
        List<Future<Void>> audits = new ArrayList<>();
        for (Future<Visit> f : loads) {
          Visit v = f.result();
          out.add(v.toJson());
          audits.add(guard.recordVisit(Optional.of(me), "visit.list", v.id(), v.patientId(), "visit_day_list", "visit_professional"));
        }
        return Future.all(audits).map(x -> new JsonObject().put("visits", out));
      });
    });
  }

  /** {@code GET /api/visits/{id}} (audited). */
  public Future<JsonObject> get(Principal me, UUID id) {
    return entitled(me, id, VisitAction.READ, "visit_detail").map(Visit::toJson);
  }

  // --- changes by the visit's professionals ---------------------------------------------------------------

  public Future<JsonObject> cancel(Principal me, UUID id, VisitRequests.Cancel c) {
    Instant now = clock.instant();
    return change(me, id, VisitAction.MANAGE, "visit_cancel", (tx, v) -> (v.isChat() && v.state() == VisitState.ADMITTED
        // its conversation is running: closing the conversation ends the visit (completed), so nothing is left open
        ? Future.<VisitState>failedFuture(ApiError.conflict("visit_started", "The visit's conversation is running: close the conversation to end it"))
        : next(v, new VisitState.Event.Cancel())).compose(state ->
            state == v.state() ? Future.succeededFuture(false)
                : VisitStore.setState(tx, id, state, now).compose(x -> VisitStore.cancelReason(tx, id, c.reason()))
                    .compose(x -> VisitStore.capCodes(tx, id, now)).map(true)))
        .compose(changed -> load(id).map(v -> {
          if (changed) {
            metrics.ended(VisitState.CANCELLED);
            log.info("Visit {} cancelled by {}", id, me.id());
            ended(v);
          }
          return v.toJson();
        }));
  }

  public Future<JsonObject> reschedule(Principal me, UUID id, VisitRequests.Reschedule r) {
    Instant now = clock.instant();
    return change(me, id, VisitAction.MANAGE, "visit_reschedule", (tx, v) -> next(v, new VisitState.Event.Reschedule()).compose(state -> {
          int minutes = r.durationMinutes() != null ? r.durationMinutes() : v.durationMinutes();
          Instant endsAt = r.startsAt().plus(Duration.ofMinutes(minutes));
          if (!endsAt.isAfter(now)) {
            return Future.failedFuture(ApiError.badRequest("invalid_starts_at", "The visit would be over already"));
          }
          return VisitStore.reschedule(tx, id, r.startsAt(), minutes).compose(x -> VisitStore.capCodes(tx, id, endsAt));
        }))
        .compose(x -> load(id).map(v -> {
          log.info("Visit {} rescheduled by {} to {}", id, me.id(), v.startsAt());
          toProfessionals(v, new VisitFrames.Updated(v.toJson()), null);
          toPatientSide(v, m -> true);
          return v.toJson();
        }));
  }

  /** {@code POST /api/visits/{id}/link}: a new one-time code for the patient. */
  public Future<JsonObject> link(Principal me, UUID id) {
    Instant now = clock.instant();
    return change(me, id, VisitAction.MANAGE, "visit_link", (tx, v) -> {
      if (v.state().isFinal() || !v.endsAt().isAfter(now)) {
        return Future.failedFuture(closed());
      }
      return issueCode(tx, id, v.patient().orElseThrow().id(), v.endsAt(), now);
    }).map(link -> link.toJson(config.publicBaseUrl()));
  }

  /** {@code POST /api/visits/{id}/members}: before or during the call; a fifth member is {@code call_full}. */
  public Future<JsonObject> invite(Principal me, UUID id, VisitRequests.Invite i) {
    Instant now = clock.instant();
    UUID memberId = UUID.randomUUID();
    Future<VisitStore.Account> colleague = i.accountId() == null ? Future.succeededFuture(null)
        : VisitStore.accounts(pool, List.of(i.accountId())).compose(found -> found.size() == 1 && eligible(me, found.get(0))
            ? Future.succeededFuture(found.get(0))
            : Future.failedFuture(ApiError.notFound("unknown_professional", "No such professional in your organisation")));
    return entitled(me, id, VisitAction.MANAGE, "visit_invite").compose(before -> colleague).compose(account ->
            change(me, id, null, null, (tx, v) -> {
              if (v.state().isFinal() || !v.endsAt().isAfter(now)) {
                return Future.failedFuture(closed());
              }
              if (v.members().size() >= MAX_MEMBERS) {
                return Future.failedFuture(callFull());
              }
              if (v.isChat() && account == null) {
                return Future.failedFuture(ApiError.conflict("chat_visit_no_guests",
                    "A chat visit is a conversation between the patient and the professional: interpreters and relatives join video visits"));
              }
              if (account != null) {
                if (v.professionalIds().contains(account.id())) {
                  return Future.failedFuture(ApiError.conflict("already_member", "That colleague is already a member of the visit"));
                }
                return VisitStore.insertMember(tx, memberId, id, MemberKind.COLLEAGUE, account.id(), null, null, now, me.id())
                    .map((Link) null);
              }
              return patients.newForVisit(tx)
                  .compose(patientId -> VisitStore.insertMember(tx, memberId, id, i.kind(), null, patientId, i.name(), now, me.id()))
                  .compose(x -> issueCode(tx, id, memberId, v.endsAt(), now));
            }))
        .compose(link -> load(id).map(v -> {
          log.info("Visit {}: {} invited by {}", id, i.kind().code(), me.id());
          toProfessionals(v, new VisitFrames.Updated(v.toJson()), null);
          return new JsonObject().put("member", v.member(memberId).orElseThrow().toJson())
              .put("joinLink", link == null ? null : link.toJson(config.publicBaseUrl()));
        }));
  }

  // --- join codes -------------------------------------------------------------------------------------------

  /** A join code just issued: the code itself is only ever in this link (its fragment), never stored. */
  record Link(String code, Instant expiresAt) {
    JsonObject toJson(String base) {
      return new JsonObject().put("url", base + "/visit.html#code=" + code).put("expiresAt", expiresAt.toString());
    }

    @Override
    public String toString() {
      return "Link[****]";
    }
  }

  private Future<Link> issueCode(SqlClient tx, UUID visitId, UUID memberId, Instant endsAt, Instant now) {
    byte[] raw = new byte[CODE_BYTES];
    random.nextBytes(raw);
    String code = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    Instant ttl = now.plus(config.codeTtl());
    Instant expiresAt = ttl.isBefore(endsAt) ? ttl : endsAt;
    return VisitStore.insertCode(tx, hash(code), visitId, memberId, now, expiresAt).map(v -> new Link(code, expiresAt));
  }

  static Buffer hash(String code) {
    try {
      return Buffer.buffer(MessageDigest.getInstance("SHA-256").digest(code.getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code POST /api/visit-codes/exchange}: a code that is known, unused, unexpired and of a visit
   * still open is used (once) for a session of its member's patient-kind principal, ending by the
   * visit's end plus {@code visit.session-after-end}. Anything else is {@code code_invalid}, the same
   * for every reason.
   */
  public Future<JsonObject> exchange(String code) {
    if (!CODE.matcher(code).matches()) {
      return Future.failedFuture(codeInvalid());
    }
    Buffer hash = hash(code);
    Instant now = clock.instant();
    return pool.withTransaction(tx -> VisitStore.code(tx, hash).compose(found -> {
      if (found == null || found.usedAt() != null || !found.expiresAt().isAfter(now)) {
        return Future.failedFuture(codeInvalid());
      }
      return VisitStore.load(tx, found.visitId(), false).compose(v -> {
        Optional<Visit.Member> member = v.member(found.memberId());
        if (v.state().isFinal() || !v.endsAt().isAfter(now) || member.isEmpty() || member.get().patientId() == null) {
          return Future.failedFuture(codeInvalid());
        }
        Instant endsAt = v.endsAt().plus(config.sessionAfterEnd());
        return VisitStore.useCode(tx, hash, now)
            .compose(x -> sessions.openUntil(tx, Principal.patient(member.get().patientId()), endsAt))
            .map(pair -> {
              log.info("Visit {}: a join code of member {} was exchanged for a session", v.id(), found.memberId());
              return pair.toJson().put("expiresAt", endsAt.toString()).put("visitId", v.id().toString());
            });
      });
    }));
  }

  private static ApiError codeInvalid() {
    return ApiError.unauthenticated("code_invalid", "The link is not valid: it may have been used or have expired");
  }

  // --- the waiting room -------------------------------------------------------------------------------------

  /**
   * {@code visit.arrive} and {@code visit.watch}: a patient-side member is in the waiting room (or back
   * in it); the reply says where they stand. The professionals see the room when someone arrives.
   */
  public Future<VisitFrames.Status> arrive(Principal me, UUID id, boolean watch) {
    Instant now = clock.instant();
    return change(me, id, VisitAction.ATTEND, "visit_attend", (tx, v) -> next(v, new VisitState.Event.Arrive()).compose(state -> {
          Visit.Member member = v.memberOf(me).orElseThrow();
          Future<Void> stateSet = state == v.state() ? Future.succeededFuture() : VisitStore.setState(tx, id, state, now);
          return stateSet.compose(x -> VisitStore.arrived(tx, member.id(), now)).map(member.arrivedAt() == null);
        }))
        .compose(firstArrival -> load(id).map(v -> {
          Visit.Member member = v.memberOf(me).orElseThrow();
          if (firstArrival || !watch) {
            toProfessionals(v, waitingRoom(v), null);
          }
          return status(v, member);
        }));
  }

  /**
   * {@code visit.admit}: a waiting member is let in; they get {@code visit.status}, the professionals the room.
   * In a chat visit the admission opens the visit's conversation (once: a later admission finds it),
   * assigned to and accepted by the admitting professional; the reply carries it for their socket to watch.
   */
  public Future<Admitted> admit(Principal me, UUID id, UUID memberId, String socketId) {
    Instant now = clock.instant();
    UUID newChat = UUID.randomUUID();
    return change(me, id, VisitAction.MANAGE, "visit_admit", (tx, v) -> {
          if (v.state().isFinal()) {
            return Future.failedFuture(closed());
          }
          Optional<Visit.Member> member = v.member(memberId);
          if (member.isEmpty()) {
            return Future.failedFuture(ApiError.notFound("member_not_found", "No such member of the visit"));
          }
          if (!member.get().waiting()) {
            return Future.failedFuture(notWaiting());
          }
          return next(v, new VisitState.Event.Admit()).compose(state -> VisitStore.setState(tx, id, state, now))
              .compose(x -> VisitStore.admitted(tx, memberId, now))
              .compose(x -> !v.isChat() ? Future.succeededFuture((JsonObject) null) : chatOf(tx, v, me, newChat, now))
              .map(joined -> new Let(member.get(), joined));
        })
        .compose(let -> load(id).compose(v -> {
          metrics.admitted(Duration.between(let.member().arrivedAt(), now));
          log.info("Visit {}: member {} admitted by {}{}", id, let.member().id(), me.id(), v.chatId() == null ? "" : " into conversation " + v.chatId());
          Future<ConversationRecord> chat = v.chatId() == null ? Future.succeededFuture() : conversations.load(v.chatId()).map(c -> {
            if (let.joined() != null) {
              conversations.published(c.id(), let.joined());
            }
            conversations.stateChanged(c);
            return c;
          });
          return chat.map(c -> {
            toPatientSide(v, m -> m.id().equals(memberId));
            VisitFrames.WaitingRoom room = waitingRoom(v);
            toProfessionals(v, room, socketId);
            return new Admitted(room, c);
          });
        }));
  }

  /** A member let in, and the system message of a chat visit's conversation just opened (null: none opened). */
  private record Let(Visit.Member member, JsonObject joined) {}

  /** What an admission did: the room now, and a chat visit's conversation (null for a video visit). */
  public record Admitted(VisitFrames.WaitingRoom room, ConversationRecord chat) {}

  /**
   * A chat visit's conversation on its first admission (fi.kanava.conversation's own store code; the
   * visit's row lock makes it one per visit): the professional joined message, or null when it exists.
   */
  private Future<JsonObject> chatOf(SqlClient tx, Visit v, Principal me, UUID newChat, Instant now) {
    if (v.chatId() != null) {
      return Future.succeededFuture(null);
    }
    return ConversationStore.openForVisit(tx, newChat, v.id(), v.queueId(), v.patientId(), v.language(), me.id(), now)
        .compose(x -> conversations.systemMessage(tx, newChat, SystemMessage.PROFESSIONAL_JOINED, now));
  }

  /** {@code visit.late}: those waiting get the notice with its minutes; the professionals the visit. */
  public Future<VisitFrames.Updated> late(Principal me, UUID id, int minutes, String socketId) {
    Instant now = clock.instant();
    return change(me, id, VisitAction.MANAGE, "visit_late", (tx, v) -> next(v, new VisitState.Event.Late())
            .compose(state -> VisitStore.late(tx, id, minutes, now)))
        .compose(x -> load(id).map(v -> {
          log.info("Visit {}: {} running late by {} min", id, me.id(), minutes);
          toPatientSide(v, Visit.Member::waiting);
          VisitFrames.Updated updated = new VisitFrames.Updated(v.toJson());
          toProfessionals(v, updated, socketId);
          return updated;
        }));
  }

  /**
   * {@code visit.get}: where a patient-side member stands, without arriving (a page that opens or
   * reloads learns whether the visit has ended before it checks devices). Through the guard as
   * attending, like arriving.
   */
  public Future<VisitFrames.Status> view(Principal me, UUID id) {
    return entitled(me, id, VisitAction.ATTEND, "visit_view").map(v -> {
      Visit.Member m = v.memberOf(me).orElseThrow();
      VisitFrames.Status status = status(v, m);
      return m.arrivedAt() == null && !v.state().isFinal()
          ? new VisitFrames.Status(status.visitId(), "booked", status.lateMinutes(), null, null, status.visit())
          : status;
    });
  }

  /**
   * A patient-side member's part in a visit, for its feedback (fi.kanava.feedback): through the guard
   * as attending (a refusal is audited, {@code not_a_member}); {@code asked} when the visit completed
   * and the member is one it asks ({@link VisitEvents.Completed}).
   */
  public Future<Attendance> attendance(Principal me, UUID id, String purpose) {
    return entitled(me, id, VisitAction.ATTEND, purpose).map(v -> {
      Visit.Member m = v.memberOf(me).orElseThrow();
      return new Attendance(v.id(), m.id(), v.queueId(), v.state() == VisitState.COMPLETED && m.asksFeedback());
    });
  }

  /** A patient-side member's part in a visit: the member, the visit's queue (or null), and whether feedback is asked of them. */
  public record Attendance(UUID visitId, UUID memberId, String queueId, boolean asked) {}

  // --- the call (VisitRoster) -------------------------------------------------------------------------------

  Future<CallRoster.Admission> admission(UUID id, Principal principal) {
    return VisitStore.load(pool, id, false).map(v -> {
      Optional<Visit.Member> member = v == null ? Optional.empty() : v.memberOf(principal);
      if (member.isEmpty()) {
        return new CallRoster.Admission.NotMember();
      }
      if (v.state().isFinal()) {
        return new CallRoster.Admission.Closed();
      }
      Visit.Member m = member.get();
      // professionals and invited colleagues always; the patient side once admitted, and back in while the call is on
      return m.kind().holdsVisit() || (m.admittedAt() != null && v.state() == VisitState.ADMITTED)
          ? new CallRoster.Admission.Admitted(m.kind().code())
          : new CallRoster.Admission.Waiting();
    });
  }

  /**
   * The visit's call ended. When media flowed the visit took place: completed. Otherwise nobody was
   * seen: those admitted go back to the waiting room (the visit to waiting, or booked if nobody had
   * arrived) and the professional admits them again. A visit already over stays as it is.
   */
  Future<Void> callEnded(UUID id, UUID callId, boolean connected) {
    return took(id, connected, "call " + callId + (connected ? " ended (connected)" : " ended (never connected)"));
  }

  /** A chat visit's conversation closed: the visit took place, completed as a video visit whose call connected. */
  Future<Void> chatClosed(UUID id, String conversationId) {
    return took(id, true, "conversation " + conversationId + " closed");
  }

  /** The visit's call or conversation ended ({@code what}); {@code connected}: the visit took place (see {@link #callEnded}). */
  private Future<Void> took(UUID id, boolean connected, String what) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> VisitStore.load(tx, id, true).compose(v -> {
          if (v == null) {
            return Future.succeededFuture(false);
          }
          boolean anyoneArrived = v.patientSide().stream().anyMatch(m -> m.arrivedAt() != null);
          VisitState.Event event = connected ? new VisitState.Event.Complete() : new VisitState.Event.CallLost(anyoneArrived);
          VisitState.Transition t = v.state().on(event);
          if (!(t instanceof VisitState.Transition.Next next) || !next.changed()) {
            return Future.succeededFuture(false);
          }
          Future<Void> back = connected ? Future.succeededFuture() : VisitStore.backToRoom(tx, id, now);
          return back.compose(x -> VisitStore.setState(tx, id, next.state(), now)).map(true);
        }))
        .compose(changed -> !changed ? Future.<Void>succeededFuture() : load(id).map(v -> {
          log.info("Visit {}: {}, visit now {}", id, what, v.state().code());
          if (v.state() == VisitState.COMPLETED) {
            metrics.ended(VisitState.COMPLETED);
            ended(v);
            vertx.eventBus().publish(VisitEvents.COMPLETED, VisitEvents.Completed.of(v).toJson());
          } else {
            toPatientSide(v, m -> m.arrivedAt() != null);
            toProfessionals(v, waitingRoom(v), null);
            toProfessionals(v, new VisitFrames.Updated(v.toJson()), null);
          }
          return null;
        }));
  }

  // --- no-shows ---------------------------------------------------------------------------------------------

  /** One pass of the time rule: visits nobody arrived at by their start plus {@code visit.no-show-after} are no-shows. */
  public Future<Void> sweep() {
    Instant now = clock.instant();
    return VisitStore.noShows(pool, now.minus(config.noShowAfter()), now).compose(ids -> {
      List<Future<Void>> told = new ArrayList<>();
      for (UUID id : ids) {
        metrics.ended(VisitState.NO_SHOW);
        told.add(load(id).compose(v -> {
          log.info("Visit {} starting {}: the patient never arrived, a no-show", id, v.startsAt());
          ended(v);
          return guard.recordVisit(Optional.empty(), "visit.no_show", id, v.patientId(), "visit_no_show", "never_arrived");
        }));
      }
      return Future.join(told).mapEmpty();
    });
  }

  // --- demo data --------------------------------------------------------------------------------------------

  /**
   * The demo's video visit today for the professional {@code username} (docs/protocol.md, "Visits"):
   * their next open visit today, or a new one starting in a quarter of an hour with a patient known
   * only by name. No join link is made here: a link is a one-time credential, and the physician makes
   * one in the console. Loading twice books nothing more.
   */
  public Future<Void> demoVisit(String username, String patientName) {
    Instant now = clock.instant();
    Instant endOfDay = LocalDate.ofInstant(now, ZONE).plusDays(1).atStartOfDay(ZONE).toInstant();
    return pool.preparedQuery("select id, role, organisation_id from account where username_key = lower($1) and disabled_at is null")
        .execute(Tuple.of(username))
        .compose(rows -> {
          if (rows.size() != 1) {
            return Future.failedFuture(new IllegalStateException("no demo account " + username));
          }
          var row = rows.iterator().next();
          Principal pro = Principal.professional(row.getUUID("id"), Role.fromCode(row.getString("role")), row.getString("organisation_id"));
          return pool.preparedQuery("select v.id from visit v join visit_member m on m.visit_id = v.id where m.account_id = $1"
                  + " and v.state in ('booked', 'waiting', 'admitted') and v.channel = 'video' and v.starts_at < $2"
                  + " and v.starts_at + make_interval(mins => v.duration_minutes) > $3 order by v.starts_at limit 1")
              .execute(Tuple.of(pro.id(), fi.kanava.infra.Timestamps.at(endOfDay), fi.kanava.infra.Timestamps.at(now)))
              .compose(found -> found.size() == 1 ? Future.<Void>succeededFuture()
                  : book(pro, new VisitRequests.Book(now.plus(Duration.ofMinutes(15)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES), 30,
                      "video", "fi", false, List.of(), null, patientName, null)).<Void>mapEmpty());
        });
  }

  // --- helpers ----------------------------------------------------------------------------------------------

  Future<Visit> load(UUID id) {
    return VisitStore.load(pool, id, false);
  }

  /** The visit once the policy allows the action (audited as the guard says). */
  private Future<Visit> entitled(Principal me, UUID id, VisitAction action, String purpose) {
    return load(id).compose(v -> v == null ? Future.failedFuture(ApiError.notFound("visit_not_found", "No such visit"))
        : guard.requireVisit(me, action, id, v.facts(), v.patientId(), purpose).map(v));
  }

  /**
   * Checks the action (unless {@code action} is null: checked already), then runs {@code work} in one
   * transaction on the locked visit.
   */
  private <T> Future<T> change(Principal me, UUID id, VisitAction action, String purpose, BiFunction<SqlClient, Visit, Future<T>> work) {
    Future<Visit> checked = action == null ? Future.succeededFuture() : entitled(me, id, action, purpose);
    return checked.compose(x -> pool.withTransaction(tx -> VisitStore.load(tx, id, true).compose(v -> v == null
        ? Future.failedFuture(ApiError.notFound("visit_not_found", "No such visit"))
        : work.apply(tx, v))));
  }

  /** The state the event leads to, or its refusal. */
  private static Future<VisitState> next(Visit v, VisitState.Event event) {
    VisitState.Transition t = v.state().on(event);
    if (t instanceof VisitState.Transition.Next next) {
      return Future.succeededFuture(next.state());
    }
    String code = ((VisitState.Transition.Rejected) t).code();
    return Future.failedFuture(switch (code) {
      case "not_waiting" -> notWaiting();
      case "visit_started" -> ApiError.conflict("visit_started", "The visit has started; it is no longer moved");
      default -> closed();
    });
  }

  private static ApiError closed() {
    return ApiError.conflict("visit_closed", "The visit is over");
  }

  private static ApiError notWaiting() {
    return ApiError.conflict("not_waiting", "That member is not waiting");
  }

  private static ApiError callFull() {
    return ApiError.conflict("call_full", "A visit's call holds at most four people");
  }

  /** Where a patient-side member stands, in their view. */
  static VisitFrames.Status status(Visit v, Visit.Member m) {
    String state = v.state().isFinal() ? v.state().code()
        : m.admittedAt() != null && v.state() == VisitState.ADMITTED ? "admitted" : "waiting";
    // a chat visit's conversation is the member's once they are let in (and stays readable after the end)
    String chat = v.chatId() != null && m.admittedAt() != null ? v.chatId().toString() : null;
    return new VisitFrames.Status(v.id().toString(), state, v.lateMinutes(), v.callId() == null ? null : v.callId().toString(), chat,
        v.patientView());
  }

  private static VisitFrames.WaitingRoom waitingRoom(Visit v) {
    JsonArray waiting = new JsonArray();
    v.waiting().forEach(m -> waiting.add(m.toJson()));
    return new VisitFrames.WaitingRoom(v.id().toString(), waiting);
  }

  /** The visit ended (cancelled, no-show, completed): its professionals get it, the patient side its state. */
  private void ended(Visit v) {
    toProfessionals(v, new VisitFrames.Updated(v.toJson()), null);
    toPatientSide(v, m -> true);
  }

  private void toProfessionals(Visit v, ServerFrame frame, String exceptSocket) {
    JsonObject json = ServerFrames.toJson(frame);
    for (UUID account : v.professionalIds()) {
      SocketEvents.toPrincipal(vertx.eventBus(), account, json, exceptSocket);
    }
  }

  private void toPatientSide(Visit v, Predicate<Visit.Member> which) {
    for (Visit.Member m : v.patientSide()) {
      if (which.test(m)) {
        SocketEvents.toPrincipal(vertx.eventBus(), m.patientId(), ServerFrames.toJson(status(v, m)));
      }
    }
  }
}
