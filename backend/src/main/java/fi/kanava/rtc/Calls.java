package fi.kanava.rtc;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.auth.Principal;
import fi.kanava.auth.Profile;
import fi.kanava.conversation.ConversationEvents;
import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.Conversations;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.rtc.CallState.Event;
import fi.kanava.rtc.CallState.Result;
import fi.kanava.rtc.CallStore.CallRow;
import fi.kanava.rtc.CallStore.MemberRow;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls: offered from a chat by its assigned professional, or a visit's room whose members {@link
 * CallRoster} decides. Every decision is a transaction on the locked call row, through the pure
 * {@link CallState}; frames go out after commit, on the call's address ({@link CallEvents}) to the
 * peers' sockets, and on personal addresses for what concerns people not (yet) in the call
 * ({@code rtc.incoming}, {@code rtc.ended}). Signals are relayed only between current members.
 */
public final class Calls {
  private static final Logger log = LoggerFactory.getLogger(Calls.class);
  /** The end reason of a chat call whose conversation closed. */
  static final String CONVERSATION_CLOSED = "conversation_closed";

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final Conversations conversations;
  private final AccessGuard guard;
  private final CallRoster roster;
  private final TurnCredentials turn;
  private final CallMetrics metrics;
  private final KanavaConfig.Rtc config;
  private final ColleagueInvites colleagues;

  public Calls(Vertx vertx, Pool pool, Clock clock, Conversations conversations, AccessGuard guard, CallRoster roster, TurnCredentials turn,
      CallMetrics metrics, KanavaConfig.Rtc config) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.conversations = conversations;
    this.guard = guard;
    this.roster = roster;
    this.turn = turn;
    this.metrics = metrics;
    this.config = config;
    this.colleagues = new ColleagueInvites(vertx, pool, conversations, guard, config);
  }

  /** A professional in a chat call invites a colleague who may read the chat ({@link ColleagueInvites}). */
  public Future<RtcFrames.ColleagueInvited> inviteColleague(Principal me, Profile profile, UUID callId, UUID accountId) {
    return colleagues.invite(me, profile, callId, accountId);
  }

  public TurnCredentials turn() {
    return turn;
  }

  static ApiError notInCall() {
    return new ApiError(403, "not_in_call", "You are not in this call");
  }

  static ApiError callEnded() {
    return ApiError.conflict("call_ended", "The call has ended");
  }

  static ApiError callNotFound() {
    return ApiError.notFound("call_not_found", "No such call");
  }

  /** The state machine refuses with call_ended (after the end) or not_ringing (a decline of an answered call). */
  private static ApiError rejected(String code) {
    return "not_ringing".equals(code) ? ApiError.conflict("not_ringing", "The call is not ringing: it was answered already") : callEnded();
  }

  // --- membership ------------------------------------------------------------------------------------

  /**
   * The principal's role in a chat's call: its patient, the professional assigned to it while it is
   * open, or a colleague invited into the call ({@link ColleagueInvites}) while it is open. Decided
   * by the access policy on the conversation and audited as a read of it (a professional's, and
   * every denial); anyone else is {@code not_in_call}.
   */
  private Future<String> chatRole(Principal principal, UUID conversationId, UUID callId, String purpose) {
    return conversations.actor(principal).compose(actor -> conversations.load(conversationId).compose(c ->
        guard.settle(actor, ConversationAction.READ, c.id(), c.facts(), purpose, guard.decide(actor, ConversationAction.READ, c.facts()))
            .recover(e -> Future.failedFuture(e instanceof ApiError api && api.status() == 403 ? notInCall() : e))
            .compose(v -> {
              if (principal.isPatient() && principal.id().equals(c.patientId())) {
                return Future.succeededFuture("patient");
              }
              if (!principal.isPatient() && principal.id().equals(c.assignedTo()) && c.isActive()) {
                return Future.succeededFuture("professional");
              }
              if (principal.isPatient() || !c.isActive()) {
                return Future.failedFuture(notInCall());
              }
              return CallStore.invited(pool, callId, principal.id()).compose(invited -> invited
                  ? Future.succeededFuture("colleague") : Future.failedFuture(notInCall()));
            })));
  }

  /** The principal's role in a visit's call, as the visit's roster says. */
  private Future<String> visitRole(Principal principal, UUID visitId) {
    return roster.admission(visitId, principal).compose(admission -> {
      if (admission instanceof CallRoster.Admission.Admitted admitted) {
        return Future.succeededFuture(admitted.role());
      }
      if (admission instanceof CallRoster.Admission.Waiting) {
        return Future.failedFuture(new ApiError(403, "not_admitted", "You are in the waiting room; the professional admits you"));
      }
      if (admission instanceof CallRoster.Admission.Closed) {
        return Future.failedFuture(callEnded());
      }
      return Future.failedFuture(notInCall());
    });
  }

  // --- offering from a chat ----------------------------------------------------------------------------

  /** The assigned professional calls the chat's patient: the call rings (a ringing call of the chat is rung again). */
  public Future<RtcFrames.Call> invite(Principal professional, Profile profile, UUID conversationId) {
    Instant now = clock.instant();
    return conversations.actor(professional).compose(actor -> conversations.load(conversationId).compose(c ->
            guard.require(actor, ConversationAction.READ, c.id(), c.facts(), "call_invite").compose(v -> {
              if (!professional.id().equals(c.assignedTo()) || !c.isActive() || c.patientId() == null) {
                return Future.failedFuture(new ApiError(403, "not_assigned", "Only the professional assigned to the open chat calls its patient"));
              }
              return pool.withTransaction(tx -> CallStore.openOfConversation(tx, conversationId).compose(open -> open != null
                      ? Future.succeededFuture(open)
                      : CallStore.insert(tx, UUID.randomUUID(), null, conversationId, CallState.RINGING, professional.id(), now)
                          .compose(made -> made != null ? Future.succeededFuture(made) : CallStore.openOfConversation(tx, conversationId))))
                  .map(call -> {
                    if (call.state() == CallState.RINGING) {
                      SocketEvents.toPrincipal(vertx.eventBus(), c.patientId(), ServerFrames.toJson(new RtcFrames.Incoming(call.id().toString(),
                          conversationId.toString(), new RtcFrames.From(profile.name(), profile.role()))));
                    }
                    log.info("Call {} of conversation {} rings ({})", call.id(), conversationId, call.state().code());
                    return new RtcFrames.Call(call.id().toString(), conversationId.toString(), call.state().code());
                  });
            })));
  }

  /** The invited patient declines: the ringing call ends for everyone. */
  public Future<RtcFrames.Ended> decline(Principal patient, UUID callId, String originSocket) {
    Instant now = clock.instant();
    return CallStore.get(pool, callId, false).compose(found -> {
      if (found == null) {
        return Future.failedFuture(callNotFound());
      }
      if (!found.isChat()) {
        return Future.failedFuture(notInCall());
      }
      return chatRole(patient, found.conversationId(), callId, "call_decline").compose(role -> !role.equals("patient") ? Future.failedFuture(notInCall())
          : pool.withTransaction(tx -> CallStore.get(tx, callId, true).compose(call -> transition(call, new Event.Declined()).compose(result ->
              CallStore.end(tx, callId, result.endReason(), now).map(result))))
              .compose(result -> ended(found, result.endReason(), originSocket))
              .map(v -> new RtcFrames.Ended(callId.toString(), "declined")));
    });
  }

  private static Future<Result.Accepted> transition(CallRow call, Event event) {
    if (call == null) {
      return Future.failedFuture(callNotFound());
    }
    Result result = call.state().on(event);
    if (result instanceof Result.Rejected r) {
      return Future.failedFuture(rejected(r.code()));
    }
    return Future.succeededFuture((Result.Accepted) result);
  }

  // --- joining and leaving -----------------------------------------------------------------------------

  /** What a join committed. */
  record Joining(CallRow call, UUID peerId, UUID replaced, List<MemberRow> others, MemberRow me, Result.Accepted result) {}

  /**
   * Joins a call (by id) or a visit's call (by the visit, made on first join): a rejoin by the same
   * subject replaces its earlier peer. Returns the reply; the peers are told after commit.
   */
  public Future<Joining> join(Principal principal, Profile profile, UUID callId, UUID visitId) {
    Instant now = clock.instant();
    Future<CallRow> target;
    Future<String> role;
    if (visitId != null) {
      role = visitRole(principal, visitId);
      target = role.compose(r -> pool.withTransaction(tx -> CallStore.openOfVisit(tx, visitId).compose(open -> open != null
          ? Future.succeededFuture(open)
          : CallStore.insert(tx, UUID.randomUUID(), visitId, null, CallState.PENDING, principal.id(), now)
              .compose(made -> made != null ? Future.succeededFuture(made) : CallStore.openOfVisit(tx, visitId)))));
    } else {
      Future<CallRow> found = CallStore.get(pool, callId, false)
          .compose(call -> call == null ? Future.failedFuture(callNotFound()) : Future.succeededFuture(call));
      role = found.compose(call -> call.state() == CallState.ENDED ? Future.failedFuture(callEnded())
          : call.isChat() ? chatRole(principal, call.conversationId(), call.id(), "call_join") : visitRole(principal, call.visitId()));
      target = role.compose(r -> found);
    }
    UUID peerId = UUID.randomUUID();
    String subjectKind = principal.isPatient() ? "patient" : "professional";
    return target.compose(found -> pool.withTransaction(tx -> CallStore.get(tx, found.id(), true).compose(call -> CallStore.current(tx, call.id())
        .compose(members -> {
          MemberRow previous = members.stream().filter(m -> m.subjectId().equals(principal.id())).findFirst().orElse(null);
          List<MemberRow> others = members.stream().filter(m -> !m.subjectId().equals(principal.id())).toList();
          if (call.state() != CallState.ENDED && others.size() >= config.maxParticipants()) {
            return Future.failedFuture(ColleagueInvites.callFull(config.maxParticipants()));
          }
          // only the chat's patient answers a ringing call (a colleague joining early does not)
          boolean answers = call.state() == CallState.RINGING && "patient".equals(role.result());
          return transition(call, new Event.Joined(answers)).compose(result -> CallStore.join(tx, call.id(), subjectKind, principal.id(), role.result(),
                  peerId, now)
              .compose(v -> result.changed() ? CallStore.setState(tx, call.id(), result.state()) : Future.succeededFuture())
              // read back, so the others get the name the call's member list gives (a visit's patient by the visit's name)
              .compose(v -> CallStore.current(tx, call.id()))
              .map(after -> new Joining(call, peerId, previous == null ? null : previous.peerId(), others,
                  after.stream().filter(m -> m.peerId().equals(peerId)).findFirst()
                      .orElse(new MemberRow(subjectKind, principal.id(), role.result(), peerId, now, true, true, profile.name())), result)));
        }))))
        .map(joining -> {
          UUID id = joining.call().id();
          if (joining.replaced() != null) {
            CallEvents.left(vertx.eventBus(), id, joining.replaced(), ServerFrames.toJson(new RtcFrames.PeerLeft(id.toString(),
                joining.replaced().toString())));
          }
          CallEvents.toPeers(vertx.eventBus(), id, joining.peerId(), ServerFrames.toJson(new RtcFrames.PeerJoined(id.toString(), joining.me().peer())));
          if (joining.result().changed()) {
            CallEvents.toPeers(vertx.eventBus(), id, joining.peerId(), ServerFrames.toJson(new RtcFrames.StateChanged(id.toString(),
                joining.result().state().code())));
          }
          log.info("Peer {} of {} joined call {} as {}{}", joining.peerId(), principal.id(), id, joining.me().role(),
              joining.replaced() != null ? " (replacing " + joining.replaced() + ")" : "");
          return joining;
        });
  }

  /** The reply to a join, with the joiner's ICE servers. */
  public RtcFrames.Joined joinedFrame(Joining joining, Principal principal) {
    return new RtcFrames.Joined(joining.call().id().toString(), joining.peerId().toString(),
        joining.others().stream().map(MemberRow::peer).toList(), turn.iceServers(principal.id()));
  }

  /** The peer leaves (hung up, or dropped past the grace); the call ends when the rules say so. */
  public Future<Void> leave(UUID callId, UUID peerId, String reason) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> CallStore.get(tx, callId, true).compose(call -> {
          if (call == null) {
            return Future.failedFuture(callNotFound());
          }
          return CallStore.leave(tx, callId, peerId, now).compose(was -> {
            if (!was) {
              return Future.failedFuture(call.state() == CallState.ENDED ? callEnded() : notInCall());
            }
            return CallStore.current(tx, callId).compose(members -> {
              int professionals = (int) members.stream().filter(m -> m.subjectKind().equals("professional")).count();
              return transition(call, new Event.Left(members.size(), professionals, call.isChat(), reason)).compose(result -> result.ended()
                  ? CallStore.end(tx, callId, result.endReason(), now).map(result) : Future.succeededFuture(result));
            }).map(result -> new Object[] {call, result});
          });
        }))
        .compose(done -> {
          CallRow call = (CallRow) done[0];
          Result.Accepted result = (Result.Accepted) done[1];
          CallEvents.left(vertx.eventBus(), callId, peerId, ServerFrames.toJson(new RtcFrames.PeerLeft(callId.toString(), peerId.toString())));
          log.info("Peer {} left call {} ({})", peerId, callId, reason);
          return result.ended() ? ended(call, result.endReason(), null) : Future.succeededFuture();
        });
  }

  /**
   * After a call ended (committed): everyone who took part, the chat's patient and the caller get
   * {@code rtc.ended} on all their sockets; the figures are counted; a visit hears of it.
   */
  private Future<Void> ended(CallRow call, String reason, String originSocket) {
    return Future.all(CallStore.subjects(pool, call.id()), CallStore.everJoined(pool, call.id()), CallStore.get(pool, call.id(), false),
            call.isChat() ? conversations.load(call.conversationId()).map(ConversationRecord::patientId) : Future.succeededFuture((UUID) null))
        .compose(all -> {
          Set<UUID> to = new LinkedHashSet<>(all.<List<UUID>>resultAt(0));
          if (call.createdBy() != null) {
            to.add(call.createdBy());
          }
          if (all.resultAt(3) != null) {
            to.add(all.resultAt(3));
          }
          JsonObject frame = ServerFrames.toJson(new RtcFrames.Ended(call.id().toString(), reason));
          to.forEach(subject -> SocketEvents.toPrincipal(vertx.eventBus(), subject, frame, originSocket));
          CallRow now = all.resultAt(2);
          if (!now.connected() && all.<Integer>resultAt(1) >= 2) {
            metrics.counted("failed");
          }
          log.info("Call {} ended ({})", call.id(), reason);
          refreshActive();
          return call.isChat() ? Future.<Void>succeededFuture() : roster.callEnded(call.visitId(), call.id(), now.connected())
              .recover(e -> {
                log.warn("The visit {} did not take the end of call {}", call.visitId(), call.id(), e);
                return Future.succeededFuture();
              });
        });
  }

  /**
   * A hang-up from a socket that is not (or no longer) in the call: harmless once the call has ended
   * for someone who took part (they get {@code rtc.ended} again), {@code not_in_call} otherwise.
   */
  public Future<RtcFrames.Ended> hungUpAgain(UUID callId, Principal principal) {
    return CallStore.get(pool, callId, false).compose(call -> call == null || call.state() != CallState.ENDED
        ? Future.failedFuture(notInCall())
        : CallStore.tookPart(pool, callId, principal.id()).compose(was -> was
            ? Future.succeededFuture(new RtcFrames.Ended(callId.toString(), call.endReason()))
            : Future.failedFuture(notInCall())));
  }

  /** The socket of a peer closed: it stays for the grace, then the sweep lets it leave. */
  public Future<Void> dropped(UUID callId, UUID peerId) {
    return CallStore.dropped(pool, callId, peerId, clock.instant());
  }

  /**
   * Peers dropped longer than the grace ago leave their calls; chat calls ringing past
   * {@code rtc.ring-timeout} end {@code no_answer}; open calls of closed chats end.
   */
  public Future<Void> sweep() {
    return CallStore.droppedBefore(pool, clock.instant().minus(config.reconnectGrace()))
        .compose(dropped -> each(dropped, d -> leave(d.callId(), d.peerId(), "dropped")))
        .compose(v -> unattended()).compose(v -> refreshActive());
  }

  private Future<Void> refreshActive() {
    return CallStore.active(pool).map(n -> {
      metrics.active(n);
      return (Void) null;
    }).recover(e -> {
      log.warn("Could not count active calls", e);
      return Future.succeededFuture();
    });
  }

  // --- in the call -------------------------------------------------------------------------------------

  /** Relays an offer, answer or candidate to its target peer only, after checking both are current members. */
  public Future<Void> relay(UUID callId, UUID from, UUID to, JsonObject frame) {
    if (from.equals(to)) {
      return Future.failedFuture(unknownPeer());
    }
    return CallStore.signalCheck(pool, callId, from, to).compose(check -> {
      if (check == null) {
        return Future.failedFuture(callNotFound());
      }
      if (check.state() == CallState.ENDED) {
        return Future.failedFuture(callEnded());
      }
      if (!check.senderIn()) {
        return Future.failedFuture(notInCall());
      }
      if (!check.targetIn()) {
        return Future.failedFuture(unknownPeer());
      }
      CallEvents.toPeer(vertx.eventBus(), callId, to, frame);
      return Future.succeededFuture();
    });
  }

  private static ApiError unknownPeer() {
    return ApiError.notFound("unknown_peer", "No such peer in this call");
  }

  /** The peer's microphone and camera; the others are told. */
  public Future<Void> media(UUID callId, UUID peerId, boolean audio, boolean video) {
    return CallStore.media(pool, callId, peerId, audio, video).compose(in -> {
      if (!in) {
        return Future.failedFuture(notInCall());
      }
      CallEvents.toPeers(vertx.eventBus(), callId, peerId, ServerFrames.toJson(new RtcFrames.MediaChanged(callId.toString(), peerId.toString(),
          audio, video)));
      return Future.succeededFuture();
    });
  }

  /**
   * A peer reports its ICE state: connected makes the call active (the first time, the set-up time and
   * the result are counted and a visit hears of it), reconnecting or failed an active call
   * reconnecting; relayed and audio-only are recorded for the figures.
   */
  public Future<RtcFrames.StateChanged> status(UUID callId, UUID peerId, RtcFrames.Status f) {
    Instant now = clock.instant();
    boolean connected = f.parsed() == CallState.Status.CONNECTED;
    return pool.withTransaction(tx -> CallStore.get(tx, callId, true).compose(call -> CallStore.joinedAt(tx, callId, peerId).compose(joinedAt -> {
          if (call == null) {
            return Future.failedFuture(callNotFound());
          }
          if (joinedAt == null) {
            return Future.failedFuture(call.state() == CallState.ENDED ? callEnded() : notInCall());
          }
          return transition(call, new Event.Reported(f.parsed())).compose(result -> (result.changed()
                  ? CallStore.setState(tx, callId, result.state()) : Future.<Void>succeededFuture())
              .compose(v -> CallStore.figures(tx, callId, connected, connected && f.relayed(), f.audioOnly(), now))
              .map(v -> new Object[] {call, result, joinedAt}));
        })))
        .map(done -> {
          CallRow before = (CallRow) done[0];
          Result.Accepted result = (Result.Accepted) done[1];
          if (connected && !before.connected()) {
            metrics.setUp(before.kind(), Duration.between((Instant) done[2], now));
            metrics.counted("connected");
            if (!before.isChat()) {
              roster.callStarted(before.visitId(), callId).onFailure(e -> log.warn("The visit {} did not take the start of call {}",
                  before.visitId(), callId, e));
            }
          }
          if (connected && f.relayed() && !before.relayed()) {
            metrics.counted("relayed");
          }
          if (f.audioOnly() && !before.audioOnly()) {
            metrics.counted("audio_only");
          }
          RtcFrames.StateChanged frame = new RtcFrames.StateChanged(callId.toString(), result.state().code());
          if (result.changed()) {
            CallEvents.toPeers(vertx.eventBus(), callId, peerId, ServerFrames.toJson(frame));
            refreshActive();
          }
          return frame;
        });
  }

  /** Ends a call for a reason of its own (its visit or its chat closed); harmless when it has ended already. */
  public Future<Void> end(UUID callId, String reason) {
    return endBy(callId, new Event.End(reason)).mapEmpty();
  }

  /** Applies an ending event to the locked call; true if it ended the call now (everyone was told after commit). */
  private Future<Boolean> endBy(UUID callId, Event event) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> CallStore.get(tx, callId, true).compose(call -> transition(call, event)
            .compose(result -> result.ended() ? CallStore.end(tx, callId, result.endReason(), now).map(new Object[] {call, result})
                : Future.succeededFuture(new Object[] {call, result}))))
        .compose(done -> {
          Result.Accepted result = (Result.Accepted) done[1];
          return result.ended() ? ended((CallRow) done[0], result.endReason(), null).map(true) : Future.succeededFuture(false);
        });
  }

  // --- ends that no member asked for -----------------------------------------------------------------

  /**
   * Hears this node's chat closes ({@link ConversationEvents#CLOSED}): the open call of a chat that
   * closed, by whichever path, ends with {@code conversation_closed}. The sweep ends any it missed.
   */
  public void start() {
    vertx.eventBus().<JsonObject>localConsumer(ConversationEvents.CLOSED, msg -> {
      UUID conversationId = UUID.fromString(msg.body().getString("conversationId"));
      conversationClosed(conversationId).onFailure(e -> log.warn("Could not end the call of closed conversation {}", conversationId, e));
    });
  }

  /** Ends the open call of a chat that has closed; nothing when it has none (or it ended already). */
  public Future<Void> conversationClosed(UUID conversationId) {
    return CallStore.openOfConversation(pool, conversationId)
        .compose(call -> call == null ? Future.<Void>succeededFuture() : end(call.id(), CONVERSATION_CLOSED));
  }

  /** Chat calls that rang for rtc.ring-timeout end {@code no_answer}; open calls of closed chats end. Each is its own transaction. */
  private Future<Void> unattended() {
    Future<Void> unanswered = CallStore.ringingSince(pool, clock.instant().minus(config.ringTimeout())).compose(ids -> each(ids,
        id -> endBy(id, new Event.RingTimedOut()).map(now -> {
          if (now) {
            metrics.counted("no_answer");
          }
          return (Void) null;
        })));
    return unanswered.compose(v -> CallStore.openOfClosedConversations(pool))
        .compose(ids -> each(ids, id -> end(id, CONVERSATION_CLOSED)));
  }

  /** The sweep's step for each item (a call, a dropped peer), one failure logged and not stopping the rest. */
  private static <T> Future<Void> each(List<T> items, java.util.function.Function<T, Future<Void>> step) {
    List<Future<Void>> all = new ArrayList<>();
    items.forEach(item -> all.add(step.apply(item).recover(e -> {
      log.info("Sweep: {} not done: {}", item, e.getMessage());
      return Future.succeededFuture();
    })));
    return Future.join(all).mapEmpty();
  }
}
