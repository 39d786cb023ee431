package fi.kanava.visit;

import fi.kanava.auth.Role;
import fi.kanava.conversation.ConversationSockets;
import fi.kanava.conversation.Conversations;
import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;
import io.vertx.core.Future;

/** The waiting room on the socket (docs/protocol.md, "Visits"); a chat visit's admission starts the professional's watch of its conversation. */
public final class VisitSockets {
  /** Visits are held by care professionals. */
  private static final Senders CARE = Senders.roles(Role.NURSE, Role.PHYSICIAN, Role.SPECIALIST);

  private final Visits visits;
  private final Conversations conversations;
  private final ConversationSockets watching;

  public VisitSockets(Visits visits, Conversations conversations, ConversationSockets watching) {
    this.visits = visits;
    this.conversations = conversations;
    this.watching = watching;
  }

  public void register(FrameRegistry registry) {
    registry.register("visit.arrive", VisitFrames.Arrive.class, Senders.PATIENTS,
        (s, f) -> visits.arrive(s.principal(), f.visitId(), false).map(FrameResult::reply));
    registry.register("visit.watch", VisitFrames.Watch.class, Senders.PATIENTS,
        (s, f) -> visits.arrive(s.principal(), f.visitId(), true).map(FrameResult::reply));
    registry.register("visit.get", VisitFrames.Get.class, Senders.PATIENTS,
        (s, f) -> visits.view(s.principal(), f.visitId()).map(FrameResult::reply));
    registry.register("visit.admit", VisitFrames.Admit.class, CARE,
        (s, f) -> visits.admit(s.principal(), f.visitId(), f.memberId(), s.id()).compose(admitted -> {
          if (admitted.chat() == null) {
            return Future.succeededFuture(FrameResult.reply(admitted.room()));
          }
          // a chat visit: the admitting socket watches its conversation as an accepted one (conversation.state, the
          // history, live events), its read audited as any accept's is
          s.reply(admitted.room(), f.ref());
          return watching.freshActor(s).compose(actor -> conversations.audited(actor, admitted.chat(), "visit_admit"))
              .compose(v -> watching.watch(s, admitted.chat(), 0, null, "conversation.state"))
              .map(FrameResult.ACCEPTED);
        }));
    registry.register("visit.late", VisitFrames.Late.class, CARE,
        (s, f) -> visits.late(s.principal(), f.visitId(), f.minutes(), s.id()).map(FrameResult::reply));
  }
}
