package fi.kanava.consult;

import fi.kanava.auth.Role;
import fi.kanava.conversation.ConversationSockets;
import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;

/** Consultations on the socket (docs/protocol.md, "Consultations"). */
public final class ConsultSockets {
  /** Consultations are between care professionals: partner staff use the console but neither ask nor answer. */
  private static final Senders CARE = Senders.roles(Role.NURSE, Role.PHYSICIAN, Role.SPECIALIST);

  private final Consultations consultations;
  private final ConversationSockets conversations;

  public ConsultSockets(Consultations consultations, ConversationSockets conversations) {
    this.consultations = consultations;
    this.conversations = conversations;
  }

  public void register(FrameRegistry registry) {
    registry.register("consult.open", ConsultFrames.Open.class, CARE,
        (s, f) -> conversations.freshActor(s).compose(a -> consultations.open(conversations.author(s), f)).map(FrameResult::reply));
    registry.register("consult.accept", ConsultFrames.Accept.class, CARE,
        (s, f) -> conversations.freshActor(s).compose(a -> consultations.accept(conversations.author(s), f.consultationId()))
            .map(FrameResult::reply));
    registry.register("consult.join", ConsultFrames.Join.class, CARE,
        (s, f) -> conversations.freshActor(s).compose(a -> consultations.join(conversations.author(s), f.consultationId()))
            .map(FrameResult::reply));
    registry.register("consult.takeover", ConsultFrames.TakeOver.class, CARE,
        (s, f) -> conversations.freshActor(s).compose(a -> consultations.takeOver(conversations.author(s), f.consultationId()))
            .map(FrameResult::reply));
    registry.register("consult.close", ConsultFrames.Close.class, CARE,
        (s, f) -> conversations.freshActor(s).compose(a -> consultations.close(conversations.author(s), f)).map(FrameResult::reply));
  }
}
