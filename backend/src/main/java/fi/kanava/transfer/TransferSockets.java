package fi.kanava.transfer;

import fi.kanava.conversation.ConversationSockets;
import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;

/** Transfers on the socket (docs/protocol.md, "Transfers"). */
public final class TransferSockets {
  private final Transfers transfers;
  private final ConversationSockets conversations;

  public TransferSockets(Transfers transfers, ConversationSockets conversations) {
    this.transfers = transfers;
    this.conversations = conversations;
  }

  public void register(FrameRegistry registry) {
    registry.register("transfer.request", TransferFrames.Request.class, Senders.PROFESSIONALS,
        (s, f) -> conversations.freshActor(s).compose(a -> transfers.request(conversations.author(s), f)).map(FrameResult::reply));
    registry.register("transfer.accept", TransferFrames.Accept.class, Senders.PROFESSIONALS,
        (s, f) -> conversations.freshActor(s).compose(a -> transfers.accept(conversations.author(s), f.conversationId())).map(FrameResult::reply));
    registry.register("transfer.decline", TransferFrames.Decline.class, Senders.PROFESSIONALS,
        (s, f) -> conversations.freshActor(s).compose(a -> transfers.decline(conversations.author(s), f))
            .map(v -> FrameResult.reply(new TransferFrames.Declined(f.conversationId().toString()))));
    registry.register("transfer.consent", TransferFrames.Consent.class, Senders.PATIENTS,
        (s, f) -> transfers.consent(s.principal(), f).map(FrameResult::reply));
  }
}
