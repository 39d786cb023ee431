package fi.kanava.transfer;

import fi.kanava.conversation.ConversationFrames.AboutConversation;
import fi.kanava.infra.ApiError;
import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.SocketFrames.Fields;
import java.time.Instant;
import java.util.UUID;

/** The frames of transfers (docs/protocol.md, "Transfers"): decoded strictly, once, at the edge. */
public final class TransferFrames {
  static final int MAX_SITUATION = 1000;
  static final int MAX_PART = 900;
  static final int MAX_REASON = 500;

  private TransferFrames() {}

  /** The ISBAR handover note (and a consultation's request, docs/protocol.md "Consultations"): situation required, the rest optional; each bounded. */
  public record Isbar(String situation, String background, String assessment, String recommendation) {
    public Isbar {
      situation = bounded(Fields.required(situation, "note.situation"), "situation", MAX_SITUATION);
      if (situation == null) {
        throw ApiError.badRequest("invalid_note", "'note.situation' must not be empty");
      }
      background = bounded(background, "background", MAX_PART);
      assessment = bounded(assessment, "assessment", MAX_PART);
      recommendation = bounded(recommendation, "recommendation", MAX_PART);
    }

    private static String bounded(String text, String field, int max) {
      if (text == null || text.isBlank()) {
        return null;
      }
      if (text.length() > max) {
        throw ApiError.badRequest("invalid_note", "'note." + field + "' is longer than " + max + " characters");
      }
      return text.strip();
    }

    /** The note as the internal message that opens the receiver's part of the thread (or a consultation's thread). */
    public String asText() {
      StringBuilder out = new StringBuilder("ISBAR\nS: ").append(situation);
      if (background != null) {
        out.append("\nB: ").append(background);
      }
      if (assessment != null) {
        out.append("\nA: ").append(assessment);
      }
      if (recommendation != null) {
        out.append("\nR: ").append(recommendation);
      }
      return out.toString();
    }
  }

  /** The assigned professional transfers the conversation to a queue or to a named professional. */
  public record Request(String ref, UUID conversationId, String toQueue, UUID toProfessional, Isbar note)
      implements ClientFrame, AboutConversation {
    public Request {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
      toQueue = toQueue == null || toQueue.isBlank() ? null : toQueue.strip();
      if ((toQueue == null) == (toProfessional == null)) {
        throw Fields.malformed("give exactly one of 'toQueue' and 'toProfessional'");
      }
      Fields.required(note, "note");
    }
  }

  /** The named receiver accepts a transfer that waits for them. */
  public record Accept(String ref, UUID conversationId) implements ClientFrame, AboutConversation {
    public Accept {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
    }
  }

  /** The receiver declines with a reason: the conversation returns to the sender. */
  public record Decline(String ref, UUID conversationId, String reason) implements ClientFrame, AboutConversation {
    public Decline {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
      reason = Fields.required(reason, "reason").strip();
      if (reason.isEmpty() || reason.length() > MAX_REASON) {
        throw ApiError.badRequest("invalid_reason", "'reason' must be 1 to " + MAX_REASON + " characters");
      }
    }
  }

  /** The patient's answer: may the next professional see the earlier messages? It may be changed later. */
  public record Consent(String ref, UUID conversationId, UUID transferId, Boolean granted) implements ClientFrame, AboutConversation {
    public Consent {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
      Fields.required(transferId, "transferId");
      Fields.required(granted, "granted");
    }
  }

  // --- server frames ---------------------------------------------------------------------------------

  /** Where a conversation goes: a queue (by id, the client names it from its bundles) or a professional by name and role. */
  public record Target(String kind, String queueId, String name, String role) {}

  /** To the sender: the transfer is made. */
  public record Requested(String conversationId, String transferId, Target target) implements ServerFrame {
    @Override
    public String type() {
      return "transfer.requested";
    }
  }

  /**
   * To the patient: the conversation moves to {@code target}; the patient is asked whether the
   * earlier messages may be shown to the next professional, by {@code answerBy}.
   */
  public record Started(String conversationId, String transferId, Target target, Instant answerBy) implements ServerFrame {
    @Override
    public String type() {
      return "transfer.started";
    }
  }

  /** To a named receiver: a conversation waits for them until {@code expiresAt}, with the handover note. */
  public record Offered(String conversationId, String transferId, String fromName, String fromRole, Isbar note, Instant expiresAt)
      implements ServerFrame {
    @Override
    public String type() {
      return "transfer.offer";
    }
  }

  /** To the receiver who accepted. */
  /** The reply to {@code transfer.decline}: the conversation went back to the sender. */
  public record Declined(String conversationId) implements ServerFrame {
    @Override
    public String type() {
      return "transfer.declined";
    }
  }

  public record Accepted(String conversationId, String transferId) implements ServerFrame {
    @Override
    public String type() {
      return "transfer.accepted";
    }
  }

  /** To the sender: the conversation is theirs again; {@code outcome} declined (with the reason) or lapsed. */
  public record Returned(String conversationId, String transferId, String outcome, String reason) implements ServerFrame {
    @Override
    public String type() {
      return "transfer.returned";
    }
  }

  /** To the patient: their answer is recorded (it can be changed later with another {@code transfer.consent}). */
  public record ConsentRecorded(String conversationId, String transferId, String consent, Instant at) implements ServerFrame {
    @Override
    public String type() {
      return "transfer.consent.recorded";
    }
  }
}
