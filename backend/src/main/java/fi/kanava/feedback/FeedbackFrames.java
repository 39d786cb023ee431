package fi.kanava.feedback;

import fi.kanava.conversation.ConversationFrames.AboutConversation;
import fi.kanava.infra.ApiError;
import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.SocketFrames.Fields;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The frames of in-flow feedback (docs/protocol.md, "Feedback"): decoded strictly, once, at the edge. */
public final class FeedbackFrames {
  static final int MAX_TEXT = 2000;

  private FeedbackFrames() {}

  /**
   * The patient's answer about a closed conversation or a completed visit (exactly one of the two):
   * the recommendation score 0-10 (required), core statements by id, each 1-5 (optional), and free
   * text (optional, at most 2,000 characters).
   */
  public record Submit(String ref, UUID conversationId, UUID visitId, Integer score, Map<String, Integer> statements, String text)
      implements ClientFrame, AboutConversation {
    public Submit {
      ref = Fields.ref(ref);
      oneEvent(conversationId, visitId);
      if (score == null || score < 0 || score > 10) {
        throw ApiError.badRequest("invalid_score", "'score' must be a whole number from 0 to 10");
      }
      Map<String, Integer> checked = new LinkedHashMap<>();
      if (statements != null) {
        statements.forEach((id, value) -> {
          if (!FeedbackStatements.ALL.contains(id)) {
            throw ApiError.badRequest("invalid_statement", "Unknown statement '" + id + "'");
          }
          if (value == null || value < 1 || value > 5) {
            throw ApiError.badRequest("invalid_statement", "Statement '" + id + "' takes a whole number from 1 to 5");
          }
          checked.put(id, value);
        });
      }
      statements = Map.copyOf(checked);
      text = text == null || text.isBlank() ? null : text.strip();
      if (text != null && text.length() > MAX_TEXT) {
        throw ApiError.badRequest("text_too_long", "'text' is longer than " + MAX_TEXT + " characters");
      }
    }
  }

  /** The patient skips the feedback of a closed conversation or a completed visit: one click, recorded as their one response. */
  public record Skip(String ref, UUID conversationId, UUID visitId) implements ClientFrame, AboutConversation {
    public Skip {
      ref = Fields.ref(ref);
      oneEvent(conversationId, visitId);
    }
  }

  /** Is a visit's feedback still to be given by the sender? (A visit page that opens or reloads after the end.) */
  public record Pending(String ref, UUID visitId) implements ClientFrame {
    public Pending {
      ref = Fields.ref(ref);
      Fields.required(visitId, "visitId");
    }
  }

  /** A frame names its event once: a conversation or a visit. */
  private static void oneEvent(UUID conversationId, UUID visitId) {
    if (visitId == null) {
      Fields.required(conversationId, "conversationId");
    } else if (conversationId != null) {
      throw Fields.malformed("Give 'conversationId' or 'visitId', not both");
    }
  }

  /** The reply to both: the response is recorded (with the event's id: {@code conversationId} or {@code visitId}). */
  public record Recorded(String conversationId, String visitId, boolean skipped) implements ServerFrame {
    @Override
    public String type() {
      return "feedback.recorded";
    }
  }

  /** A completed visit asks its patient and relatives: the statements of its queue, in order (docs/protocol.md, "Feedback"). */
  public record Ask(String visitId, List<String> statements) implements ServerFrame {
    @Override
    public String type() {
      return "feedback.ask";
    }
  }
}
