package fi.kanava.rtc;

import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;

/** The network check on the socket (docs/protocol.md, "Network check"): patients and professionals alike. */
public final class NetworkCheckSockets {
  private final NetworkChecks checks;

  public NetworkCheckSockets(NetworkChecks checks) {
    this.checks = checks;
  }

  public void register(FrameRegistry registry) {
    registry.register("netcheck.start", NetworkCheckFrames.Start.class, Senders.ANYONE,
        (s, f) -> checks.start(s, f).map(FrameResult::reply));
    registry.register("netcheck.offer", NetworkCheckFrames.Offer.class, Senders.ANYONE,
        (s, f) -> checks.offer(s, f).map(FrameResult::reply));
    registry.register("netcheck.candidate", NetworkCheckFrames.Candidate.class, Senders.ANYONE,
        (s, f) -> checks.candidate(s, f).map(v -> FrameResult.ACCEPTED));
    registry.register("netcheck.done", NetworkCheckFrames.Done.class, Senders.ANYONE,
        (s, f) -> checks.done(s, f).map(FrameResult::reply));
  }
}
