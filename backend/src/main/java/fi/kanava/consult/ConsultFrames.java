package fi.kanava.consult;

import fi.kanava.conversation.ConversationFrames.AboutConversation;
import fi.kanava.infra.ApiError;
import fi.kanava.transfer.TransferFrames.Isbar;
import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.SocketFrames.Fields;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.UUID;

/** The frames of consultations between professionals (docs/protocol.md, "Consultations"): decoded strictly, once, at the edge. */
public final class ConsultFrames {
  static final int MAX_ANSWER = 4000;

  private ConsultFrames() {}

  /** How soon an answer is needed: urgent ones are real time and go first; non-urgent ones within the target. */
  public enum Urgency {
    URGENT,
    NON_URGENT;

    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Urgency decode(String code) {
      for (Urgency u : values()) {
        if (u.code().equals(code)) {
          return u;
        }
      }
      throw Fields.malformed("'urgency' must be 'urgent' or 'non_urgent'");
    }
  }

  /** A professional asks a consult queue or a named colleague, about a patient's case or without one. */
  public record Open(String ref, UUID caseConversationId, String queueId, UUID toAccountId, String urgency, Isbar isbar)
      implements ClientFrame, AboutConversation {
    public Open {
      ref = Fields.ref(ref);
      queueId = queueId == null || queueId.isBlank() ? null : queueId.strip();
      if ((queueId == null) == (toAccountId == null)) {
        throw Fields.malformed("give exactly one of 'queueId' and 'toAccountId'");
      }
      Urgency.decode(Fields.required(urgency, "urgency"));
      Fields.required(isbar, "isbar");
    }

    Urgency level() {
      return Urgency.decode(urgency);
    }

    /** The patient's case it is about, if any: a refusal of the frame concerns that patient, and is audited as such. */
    @Override
    public UUID conversationId() {
      return caseConversationId;
    }
  }

  /** A member of the consult queue, or the named colleague, takes a waiting consultation. */
  public record Accept(String ref, UUID consultationId) implements ClientFrame {
    public Accept {
      ref = Fields.ref(ref);
      Fields.required(consultationId, "consultationId");
    }
  }

  /** The consultant joins the linked patient conversation; the patient is told who joined. */
  public record Join(String ref, UUID consultationId) implements ClientFrame {
    public Join {
      ref = Fields.ref(ref);
      Fields.required(consultationId, "consultationId");
    }
  }

  /** The consultant takes the linked patient conversation over: theirs, as its assigned professional. */
  public record TakeOver(String ref, UUID consultationId) implements ClientFrame {
    public TakeOver {
      ref = Fields.ref(ref);
      Fields.required(consultationId, "consultationId");
    }
  }

  /** The requester or the consultant closes the consultation with its answer (required). */
  public record Close(String ref, UUID consultationId, String answer) implements ClientFrame {
    public Close {
      ref = Fields.ref(ref);
      Fields.required(consultationId, "consultationId");
      answer = answer == null ? null : answer.strip();
      if (answer == null || answer.isEmpty()) {
        throw ApiError.badRequest("answer_required", "A consultation is closed with its answer");
      }
      if (answer.length() > MAX_ANSWER) {
        throw ApiError.badRequest("invalid_answer", "'answer' is longer than " + MAX_ANSWER + " characters");
      }
    }
  }

  // --- server frames ---------------------------------------------------------------------------------

  /** The reply to {@code consult.open}. */
  public record Opened(JsonObject consultation) implements ServerFrame {
    @Override
    public String type() {
      return "consult.opened";
    }
  }

  /** A consultation changed (accepted, joined, taken over, closed): to its requester, consultant and target; the reply to each change. */
  public record Updated(JsonObject consultation) implements ServerFrame {
    @Override
    public String type() {
      return "consult.updated";
    }
  }

  /** A consultation waits: to the online members of its consult queue (or the named colleague); {@code alert} when urgent. */
  public record Offer(JsonObject consultation, boolean alert) implements ServerFrame {
    @Override
    public String type() {
      return "consult.offer";
    }
  }

  /** A non-urgent consultation passed its due time unanswered: to the requester and the queue's members (or the named colleague). */
  public record Breached(JsonObject consultation) implements ServerFrame {
    @Override
    public String type() {
      return "consult.breached";
    }
  }
}
