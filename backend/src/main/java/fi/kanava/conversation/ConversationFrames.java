package fi.kanava.conversation;

import fi.kanava.infra.ApiError;
import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.SocketFrames.Fields;
import java.util.UUID;

/** The frames a client sends about a conversation it takes part in (docs/protocol.md, "Conversations"). */
public final class ConversationFrames {
  public static final int MAX_TEXT = 4000;

  private ConversationFrames() {}

  /** A frame that names a conversation: refusing it concerns that conversation's patient, and is audited as such. */
  public interface AboutConversation {
    UUID conversationId();
  }

  /**
   * Start watching: the view, the messages after {@code afterSeq}, then live events. {@code afterId},
   * optional, is the id of the message the client holds at {@code afterSeq}: if the store has
   * another message there (or none), the client is resynchronised (ignored when afterSeq is 0).
   */
  public record Open(String ref, UUID conversationId, Long afterSeq, UUID afterId) implements ClientFrame, AboutConversation {
    public Open {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
      afterSeq = afterSeq == null ? 0L : afterSeq;
      if (afterSeq < 0) {
        throw Fields.malformed("'afterSeq' must not be negative");
      }
      afterId = afterSeq == 0 ? null : afterId;
    }
  }

  /** Stop watching. */
  public record Leave(String ref, UUID conversationId) implements ClientFrame, AboutConversation {
    public Leave {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
    }
  }

  /**
   * A message; {@code attachmentId}, optional, is a photo the sender uploaded to this conversation
   * and has not sent yet ({@code POST /api/conversations/{id}/attachments}); with one the text may be
   * empty. Internal notes carry no photo.
   */
  public record Send(String ref, UUID conversationId, String clientMsgId, String text, Boolean internal, UUID attachmentId)
      implements ClientFrame, AboutConversation {
    public Send {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
      clientMsgId = Fields.required(clientMsgId, "clientMsgId");
      if (clientMsgId.length() > 64) {
        throw Fields.malformed("'clientMsgId' is longer than 64 characters");
      }
      internal = internal != null && internal;
      if (attachmentId == null) {
        text = Fields.required(text, "text");
        if (text.strip().isEmpty()) {
          throw Fields.malformed("'text' must not be empty");
        }
      } else {
        text = text == null ? "" : text;
        if (internal) {
          throw ApiError.badRequest("invalid_attachment", "An internal note carries no photo");
        }
      }
      if (text.length() > MAX_TEXT) {
        throw ApiError.badRequest("message_too_long", "A message is at most " + MAX_TEXT + " characters");
      }
    }

    /** A message without a photo. */
    public Send(String ref, UUID conversationId, String clientMsgId, String text, Boolean internal) {
      this(ref, conversationId, clientMsgId, text, internal, null);
    }
  }

  public record Typing(String ref, UUID conversationId, Boolean typing) implements ClientFrame, AboutConversation {
    public Typing {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
      Fields.required(typing, "typing");
    }
  }

  public record Read(String ref, UUID conversationId, Long seq) implements ClientFrame, AboutConversation {
    public Read {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
      Fields.required(seq, "seq");
      if (seq < 0) {
        throw Fields.malformed("'seq' must not be negative");
      }
    }
  }

  /** The patient ends their own conversation (queued, offered or active). */
  public record End(String ref, UUID conversationId) implements ClientFrame, AboutConversation {
    public End {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
    }
  }

  public record Close(String ref, UUID conversationId, String outcome, String detail) implements ClientFrame, AboutConversation {
    public Close {
      ref = Fields.ref(ref);
      Fields.required(conversationId, "conversationId");
      outcome = Fields.required(outcome, "outcome");
      if (!Outcome.closableByProfessional(outcome)) {
        throw ApiError.badRequest("invalid_outcome",
            "'outcome' must be resolved, referred, appointment_booked or redirected_to_urgent_care");
      }
      detail = detail == null || detail.isBlank() ? null : detail.strip();
      if (detail != null && detail.length() > 500) {
        throw Fields.malformed("'detail' is longer than 500 characters");
      }
      if (outcome.equals(Outcome.REFERRED) && detail == null) {
        throw Fields.malformed("'detail' (to what or whom) is required when the outcome is referred");
      }
    }
  }
}
