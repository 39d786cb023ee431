package fi.kanava.visit;

import fi.kanava.auth.Role;
import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;

/** The waiting room on the socket (docs/protocol.md, "Visits"). */
public final class VisitSockets {
  /** Visits are held by care professionals. */
  private static final Senders CARE = Senders.roles(Role.NURSE, Role.PHYSICIAN, Role.SPECIALIST);

  private final Visits visits;

  public VisitSockets(Visits visits) {
    this.visits = visits;
  }

  public void register(FrameRegistry registry) {
    registry.register("visit.arrive", VisitFrames.Arrive.class, Senders.PATIENTS,
        (s, f) -> visits.arrive(s.principal(), f.visitId(), false).map(FrameResult::reply));
    registry.register("visit.watch", VisitFrames.Watch.class, Senders.PATIENTS,
        (s, f) -> visits.arrive(s.principal(), f.visitId(), true).map(FrameResult::reply));
    registry.register("visit.get", VisitFrames.Get.class, Senders.PATIENTS,
        (s, f) -> visits.view(s.principal(), f.visitId()).map(FrameResult::reply));
    registry.register("visit.admit", VisitFrames.Admit.class, CARE,
        (s, f) -> visits.admit(s.principal(), f.visitId(), f.memberId(), s.id()).map(FrameResult::reply));
    registry.register("visit.late", VisitFrames.Late.class, CARE,
        (s, f) -> visits.late(s.principal(), f.visitId(), f.minutes(), s.id()).map(FrameResult::reply));
  }
}
