package fi.kanava.visit;

import fi.kanava.infra.ApiError;
import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.SocketFrames.Fields;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/** The frames of the waiting room (docs/protocol.md, "Visits"): decoded strictly, once, at the edge. */
public final class VisitFrames {
  private VisitFrames() {}

  /** A patient-side member arrives in the visit's waiting room. */
  public record Arrive(String ref, UUID visitId) implements ClientFrame {
    public Arrive {
      ref = Fields.ref(ref);
      Fields.required(visitId, "visitId");
    }
  }

  /** A patient-side member asks where they stand (after arriving, and after reconnecting). */
  public record Watch(String ref, UUID visitId) implements ClientFrame {
    public Watch {
      ref = Fields.ref(ref);
      Fields.required(visitId, "visitId");
    }
  }

  /** A patient-side member asks about the visit without arriving (a page opening or reloading: has it ended?). */
  public record Get(String ref, UUID visitId) implements ClientFrame {
    public Get {
      ref = Fields.ref(ref);
      Fields.required(visitId, "visitId");
    }
  }

  /** A professional of the visit lets a waiting member in. */
  public record Admit(String ref, UUID visitId, UUID memberId) implements ClientFrame {
    public Admit {
      ref = Fields.ref(ref);
      Fields.required(visitId, "visitId");
      Fields.required(memberId, "memberId");
    }
  }

  /** A professional of the visit tells those waiting that they are running late, by 1 to 240 minutes. */
  public record Late(String ref, UUID visitId, Integer minutes) implements ClientFrame {
    public Late {
      ref = Fields.ref(ref);
      Fields.required(visitId, "visitId");
      if (minutes == null || minutes < 1 || minutes > 240) {
        throw ApiError.badRequest("invalid_minutes", "'minutes' must be 1 to 240");
      }
    }
  }

  // --- server frames ---------------------------------------------------------------------------------

  /**
   * Where a patient-side member stands: {@code booked} (has not arrived; only in reply to
   * {@code visit.get}), {@code waiting} or {@code admitted} (with the call, once it runs), or the
   * visit's final state when it ended. {@code lateMinutes} and {@code callId} are left
   * out when there are none; {@code conversationId} is a chat visit's conversation, once the member
   * is admitted (and after it ended, for the history).
   */
  public record Status(String visitId, String state, Integer lateMinutes, String callId, String conversationId, JsonObject visit)
      implements ServerFrame {
    @Override
    public String type() {
      return "visit.status";
    }
  }

  /** Who waits in a visit's room, with their network checks: to its professionals. */
  public record WaitingRoom(String visitId, JsonArray waiting) implements ServerFrame {
    @Override
    public String type() {
      return "visit.waiting-room";
    }
  }

  /** A visit changed (booked, cancelled, rescheduled, late, no-show, completed, a member invited): to its professionals. */
  public record Updated(JsonObject visit) implements ServerFrame {
    @Override
    public String type() {
      return "visit.updated";
    }
  }
}
