package fi.kanava.feedback;

import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;

/** Feedback on the socket (docs/protocol.md, "Feedback"). */
public final class FeedbackSockets {
  private final Feedback feedback;

  public FeedbackSockets(Feedback feedback) {
    this.feedback = feedback;
  }

  public void register(FrameRegistry registry) {
    registry.register("feedback.submit", FeedbackFrames.Submit.class, Senders.PATIENTS, (s, f) -> feedback.submit(s.principal(), f)
        .map(FrameResult::reply));
    registry.register("feedback.pending", FeedbackFrames.Pending.class, Senders.PATIENTS, (s, f) -> feedback.pending(s.principal(), f.visitId())
        .map(FrameResult::reply));
    registry.register("feedback.skip", FeedbackFrames.Skip.class, Senders.PATIENTS, (s, f) -> feedback.skip(s.principal(), f)
        .map(FrameResult::reply));
  }
}
