package fi.kanava.rtc;

import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketSession;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls on the socket (docs/protocol.md, "Calls"), and the node's half of signalling: for each call
 * with a peer's socket on this node, one consumer on the call's address ({@link CallEvents}) that
 * writes each event to this node's sockets of that call, a signal to its target peer's socket only.
 * Which socket is which peer is routing, kept per node like any socket; who is in a call is decided
 * in PostgreSQL ({@link Calls}), before anything is published.
 */
public final class RtcSockets {
  private static final Logger log = LoggerFactory.getLogger(RtcSockets.class);

  private final Vertx vertx;
  private final Calls calls;
  private final Map<UUID, LocalCall> local = new ConcurrentHashMap<>();

  public RtcSockets(Vertx vertx, Calls calls) {
    this.vertx = vertx;
    this.calls = calls;
  }

  /** A socket's joins: call id to its peer id in that call. */
  private static final class Joins {
    final Map<UUID, UUID> peers = new ConcurrentHashMap<>();
    /**
     * The socket's signals go out in the order they came (an offer before its candidates): each is
     * checked after the one before it. Frames are handled on the socket's event loop, in order.
     */
    Future<?> signals = Future.succeededFuture();
  }

  /** This node's sockets in one call, and its one consumer of the call's address. */
  private final class LocalCall {
    final UUID callId;
    final Map<UUID, SocketSession> sockets = new ConcurrentHashMap<>();
    final MessageConsumer<JsonObject> consumer;

    LocalCall(UUID callId) {
      this.callId = callId;
      this.consumer = vertx.eventBus().consumer(CallEvents.address(callId), msg -> deliver(this, CallEvents.Event.fromJson(msg.body())));
    }
  }

  public void register(FrameRegistry registry) {
    registry.register("rtc.invite", RtcFrames.Invite.class, Senders.PROFESSIONALS,
        (s, f) -> calls.invite(s.principal(), s.profile(), f.conversationId()).map(FrameResult::reply));
    registry.register("rtc.invite-colleague", RtcFrames.InviteColleague.class, Senders.PROFESSIONALS,
        (s, f) -> calls.inviteColleague(s.principal(), s.profile(), f.callId(), f.accountId()).map(FrameResult::reply));
    registry.register("rtc.decline", RtcFrames.Decline.class, Senders.PATIENTS,
        (s, f) -> calls.decline(s.principal(), f.callId(), s.id()).map(FrameResult::reply));
    registry.register("rtc.join", RtcFrames.Join.class, Senders.ANYONE, (s, f) -> calls.join(s.principal(), s.profile(), f.callId(), f.visitId())
        .compose(joining -> {
          UUID callId = joining.call().id();
          UUID before = joins(s).peers.put(callId, joining.peerId());
          if (before != null) {
            forget(callId, before);
          }
          // the joiner hears its peers' answers only once this node's consumer is known cluster-wide: reply after that
          return remember(callId, joining.peerId(), s).map(v -> FrameResult.reply(calls.joinedFrame(joining, s.principal())));
        }));
    registry.register("rtc.offer", RtcFrames.Offer.class, Senders.ANYONE, (s, f) -> relay(s, f,
        new RtcFrames.RelayedOffer(f.callId().toString(), null, f.sdp())));
    registry.register("rtc.answer", RtcFrames.Answer.class, Senders.ANYONE, (s, f) -> relay(s, f,
        new RtcFrames.RelayedAnswer(f.callId().toString(), null, f.sdp())));
    registry.register("rtc.candidate", RtcFrames.Candidate.class, Senders.ANYONE, (s, f) -> relay(s, f,
        new RtcFrames.RelayedCandidate(f.callId().toString(), null, f.candidate())));
    registry.register("rtc.media", RtcFrames.Media.class, Senders.ANYONE,
        (s, f) -> peer(s, f).compose(peer -> calls.media(f.callId(), peer, f.audio(), f.video())).map(v -> FrameResult.ACCEPTED));
    registry.register("rtc.status", RtcFrames.Status.class, Senders.ANYONE,
        (s, f) -> peer(s, f).compose(peer -> calls.status(f.callId(), peer, f)).map(FrameResult::reply));
    registry.register("rtc.hangup", RtcFrames.Hangup.class, Senders.ANYONE, (s, f) -> {
      UUID peer = joins(s).peers.get(f.callId());
      if (peer == null) {
        return calls.hungUpAgain(f.callId(), s.principal()).map(FrameResult::reply);
      }
      return calls.leave(f.callId(), peer, "hung_up")
          .<FrameResult>map(v -> FrameResult.reply(new RtcFrames.PeerLeft(f.callId().toString(), peer.toString())))
          .recover(e -> e instanceof fi.kanava.infra.ApiError api && api.code().equals("call_ended")
              ? calls.hungUpAgain(f.callId(), s.principal()).map(FrameResult::reply) : Future.failedFuture(e))
          .onComplete(done -> {
            joins(s).peers.remove(f.callId(), peer);
            forget(f.callId(), peer);
          });
    });
  }

  private Joins joins(SocketSession s) {
    return s.local(Joins.class, () -> {
      Joins joins = new Joins();
      s.onClose(() -> closed(joins));
      return joins;
    });
  }

  /** The sender's peer id in the frame's call, or {@code not_in_call} if this socket has not joined it. */
  private Future<UUID> peer(SocketSession s, RtcFrames.InCall f) {
    UUID peer = joins(s).peers.get(f.callId());
    return peer == null ? Future.failedFuture(Calls.notInCall()) : Future.succeededFuture(peer);
  }

  /** Relays a signal as the frame with the sender's peer id as {@code from}. */
  private Future<FrameResult> relay(SocketSession s, RtcFrames.Signal f, Object template) {
    Joins joins = joins(s);
    Future<FrameResult> relayed = joins.signals.transform(before -> peer(s, f).compose(from -> {
      JsonObject frame = ServerFrames.toJson(template).put("from", from.toString());
      return calls.relay(f.callId(), from, f.to(), frame);
    }).map(v -> FrameResult.ACCEPTED));
    joins.signals = relayed;
    return relayed;
  }

  /** Succeeds once the call's signals, from any node, reach this node's consumer. */
  private io.vertx.core.Future<Void> remember(UUID callId, UUID peerId, SocketSession s) {
    return local.compute(callId, (id, call) -> {
      LocalCall here = call == null ? new LocalCall(id) : call;
      here.sockets.put(peerId, s);
      return here;
    }).consumer.completion();
  }

  private void forget(UUID callId, UUID peerId) {
    local.computeIfPresent(callId, (id, call) -> {
      call.sockets.remove(peerId);
      if (call.sockets.isEmpty()) {
        call.consumer.unregister();
        return null;
      }
      return call;
    });
  }

  private void deliver(LocalCall call, CallEvents.Event event) {
    if (event.left() != null) {
      forget(call.callId, event.left());
    }
    String text = event.frame().encode();
    if (event.to() != null) {
      SocketSession target = call.sockets.get(event.to());
      if (target != null) {
        target.sendEncoded(text);
      }
      return;
    }
    call.sockets.forEach((peer, socket) -> {
      if (!peer.equals(event.except())) {
        socket.sendEncoded(text);
      }
    });
  }

  /** The socket closed: each of its peers stays in its call for the grace (rtc.reconnect-grace), then leaves unless it rejoined. */
  private void closed(Joins joins) {
    joins.peers.forEach((callId, peer) -> {
      forget(callId, peer);
      calls.dropped(callId, peer).onFailure(e -> log.warn("Could not record the drop of peer {} of call {}", peer, callId, e));
    });
  }
}
