package fi.kanava.consult;

import fi.kanava.conversation.ConversationSockets;
import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;

/** Consultations on the socket (docs/protocol.md, "Consultations"). */
public final class ConsultSockets {
  private final Consultations consultations;
  private final ConversationSockets conversations;

  public ConsultSockets(Consultations consultations, ConversationSockets conversations) {
    this.consultations = consultations;
    this.conversations = conversations;
  }

  public void register(FrameRegistry registry) {
    registry.register("consult.open", ConsultFrames.Open.class, Senders.PROFESSIONALS,
        (s, f) -> conversations.freshActor(s).compose(a -> consultations.open(conversations.author(s), f)).map(FrameResult::reply));
    registry.register("consult.accept", ConsultFrames.Accept.class, Senders.PROFESSIONALS,
        (s, f) -> conversations.freshActor(s).compose(a -> consultations.accept(conversations.author(s), f.consultationId()))
            .map(FrameResult::reply));
    registry.register("consult.join", ConsultFrames.Join.class, Senders.PROFESSIONALS,
        (s, f) -> conversations.freshActor(s).compose(a -> consultations.join(conversations.author(s), f.consultationId()))
            .map(FrameResult::reply));
    registry.register("consult.takeover", ConsultFrames.TakeOver.class, Senders.PROFESSIONALS,
        (s, f) -> conversations.freshActor(s).compose(a -> consultations.takeOver(conversations.author(s), f.consultationId()))
            .map(FrameResult::reply));
    registry.register("consult.close", ConsultFrames.Close.class, Senders.PROFESSIONALS,
        (s, f) -> conversations.freshActor(s).compose(a -> consultations.close(conversations.author(s), f)).map(FrameResult::reply));
  }
}
