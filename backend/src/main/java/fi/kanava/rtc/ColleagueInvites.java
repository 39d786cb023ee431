package fi.kanava.rtc;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy.ConversationAction;
import fi.kanava.access.AccessPolicy.Decision;
import fi.kanava.auth.Principal;
import fi.kanava.auth.Profile;
import fi.kanava.conversation.ConversationRecord;
import fi.kanava.conversation.Conversations;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketEvents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A professional in a chat call brings a colleague into it ({@code rtc.invite-colleague}). The
 * colleague must be someone the access policy lets read the chat (a consultant of it, say): the
 * decision is the colleague's, audited as the inviter's act; anyone else is refused and audited.
 * The invitation is a member row with no peer yet ({@link CallStore#invite}), which lets the
 * colleague join the call by its id as {@code colleague}; they get {@code rtc.incoming}. The call
 * holds {@code rtc.max-participants} at once: inviting into a full call, or joining one, is
 * {@code call_full}.
 */
final class ColleagueInvites {
  private static final Logger log = LoggerFactory.getLogger(ColleagueInvites.class);
  static final String PURPOSE = "call_invite_colleague";

  private final Vertx vertx;
  private final io.vertx.sqlclient.Pool pool;
  private final Conversations conversations;
  private final AccessGuard guard;
  private final KanavaConfig.Rtc config;

  ColleagueInvites(Vertx vertx, io.vertx.sqlclient.Pool pool, Conversations conversations, AccessGuard guard,
      KanavaConfig.Rtc config) {
    this.vertx = vertx;
    this.pool = pool;
    this.conversations = conversations;
    this.guard = guard;
    this.config = config;
  }

  static ApiError callFull(int max) {
    return ApiError.conflict("call_full", "The call has " + max + " members already");
  }

  Future<RtcFrames.ColleagueInvited> invite(Principal me, Profile profile, UUID callId, UUID accountId) {
    return CallStore.get(pool, callId, false).compose(call -> {
      if (call == null) {
        return Future.failedFuture(Calls.callNotFound());
      }
      if (call.state() == CallState.ENDED) {
        return Future.failedFuture(Calls.callEnded());
      }
      if (!call.isChat()) {
        return Future.failedFuture(ApiError.conflict("not_chat_call", "Invite to a visit's call through the visit (POST /api/visits/{id}/members)"));
      }
      return CallStore.current(pool, callId).compose(members -> {
        if (members.stream().noneMatch(m -> m.subjectId().equals(me.id()))) {
          return Future.failedFuture(Calls.notInCall());
        }
        if (members.stream().anyMatch(m -> m.subjectId().equals(accountId))) {
          return Future.failedFuture(ApiError.conflict("already_member", "That colleague is in the call already"));
        }
        if (members.size() >= config.maxParticipants()) {
          return Future.failedFuture(callFull(config.maxParticipants()));
        }
        return CallStore.professional(pool, accountId).compose(colleague -> colleague == null
            ? Future.failedFuture(ApiError.notFound("unknown_professional", "No such professional"))
            : entitled(me, call.conversationId(), colleague).compose(c -> record(callId, colleague))
                .map(v -> {
                  SocketEvents.toPrincipal(vertx.eventBus(), colleague.id(), ServerFrames.toJson(new RtcFrames.Incoming(callId.toString(),
                      call.conversationId().toString(), new RtcFrames.From(profile.name(), profile.role()))));
                  log.info("Call {}: {} invited colleague {}", callId, me.id(), colleague.id());
                  return new RtcFrames.ColleagueInvited(callId.toString(), new RtcFrames.Colleague(colleague.id().toString(), colleague.name()));
                }));
      });
    });
  }

  /**
   * Whether the colleague may read the chat, as the policy decides for them; audited as the
   * inviter's read of it with the colleague's reason ({@code invitee_consultant}, or a denial such
   * as {@code invitee_not_entitled}), which fails with 403 {@code forbidden}.
   */
  private Future<ConversationRecord> entitled(Principal me, UUID conversationId, CallStore.Professional colleague) {
    Principal them = Principal.professional(colleague.id(), colleague.role(), colleague.organisationId());
    return Future.all(conversations.actor(me), conversations.actor(them), conversations.load(conversationId)).compose(all -> {
      ConversationRecord c = all.resultAt(2);
      Decision theirs = guard.decide(all.resultAt(1), ConversationAction.READ, c.facts());
      Decision mine = guard.decide(all.resultAt(0), ConversationAction.READ, c.facts());
      Decision decision = !mine.allowed() ? mine : new Decision(theirs.allowed() && c.isActive(),
          "invitee_" + (c.isActive() ? theirs.reason() : "conversation_closed"));
      return guard.settle(all.resultAt(0), ConversationAction.READ, c.id(), c.facts(), PURPOSE, decision).map(c);
    });
  }

  /** The invitation, on the locked call: refused once it ended or is full; inviting again changes nothing. */
  private Future<Void> record(UUID callId, CallStore.Professional colleague) {
    return pool.withTransaction(tx -> CallStore.get(tx, callId, true).compose(call -> {
      if (call.state() == CallState.ENDED) {
        return Future.failedFuture(Calls.callEnded());
      }
      return CallStore.current(tx, callId).compose(members -> members.size() >= config.maxParticipants()
          ? Future.failedFuture(callFull(config.maxParticipants()))
          : CallStore.invite(tx, callId, colleague.id()));
    }));
  }
}
