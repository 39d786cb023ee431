package fi.kanava.chat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import fi.kanava.infra.ApiError;
import java.util.Map;
import java.util.UUID;

/**
 * Every frame a client may send on {@code /ws}, decoded once at the edge (see {@link Frames}).
 * Each record checks its own fields; a bad one is an {@link ApiError} whose code goes back in an
 * error frame. docs/protocol.md describes each frame.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ClientFrame.Auth.class, name = "auth"),
  @JsonSubTypes.Type(value = ClientFrame.QueueEnter.class, name = "queue.enter"),
  @JsonSubTypes.Type(value = ClientFrame.QueueLeave.class, name = "queue.leave"),
  @JsonSubTypes.Type(value = ClientFrame.Open.class, name = "conversation.open"),
  @JsonSubTypes.Type(value = ClientFrame.Leave.class, name = "conversation.leave"),
  @JsonSubTypes.Type(value = ClientFrame.Send.class, name = "message.send"),
  @JsonSubTypes.Type(value = ClientFrame.Typing.class, name = "typing"),
  @JsonSubTypes.Type(value = ClientFrame.Read.class, name = "read"),
  @JsonSubTypes.Type(value = ClientFrame.Presence.class, name = "presence"),
  @JsonSubTypes.Type(value = ClientFrame.QueuesWatch.class, name = "queues.watch"),
  @JsonSubTypes.Type(value = ClientFrame.Take.class, name = "conversation.take"),
  @JsonSubTypes.Type(value = ClientFrame.Accept.class, name = "conversation.accept"),
  @JsonSubTypes.Type(value = ClientFrame.Close.class, name = "conversation.close"),
  @JsonSubTypes.Type(value = ClientFrame.Ping.class, name = "ping")
})
public sealed interface ClientFrame {
  int MAX_TEXT = 4000;

  /** The client's correlation id, echoed in the reply; may be null. */
  String ref();

  /** A liveness check on a poor connection; answered with {@code pong}. */
  record Ping(String ref) implements ClientFrame {
    public Ping {
      ref = Frames.ref(ref);
    }
  }

  record Auth(String ref, String token) implements ClientFrame {
    public Auth {
      ref = Frames.ref(ref);
      token = Frames.required(token, "token");
    }

    @Override
    public String toString() {
      return "Auth[****]";
    }
  }

  record QueueEnter(String ref, String queueId, String language, String municipality, Map<String, Object> answers)
      implements ClientFrame {
    public QueueEnter {
      ref = Frames.ref(ref);
      queueId = Frames.required(queueId, "queueId");
      language = Frames.required(language, "language");
      municipality = municipality == null || municipality.isBlank() ? null : municipality.strip();
      answers = answers == null ? Map.of() : answers;
    }
  }

  record QueueLeave(String ref, UUID conversationId) implements ClientFrame {
    public QueueLeave {
      ref = Frames.ref(ref);
      Frames.required(conversationId, "conversationId");
    }
  }

  record Open(String ref, UUID conversationId, Long afterSeq) implements ClientFrame {
    public Open {
      ref = Frames.ref(ref);
      Frames.required(conversationId, "conversationId");
      afterSeq = afterSeq == null ? 0L : afterSeq;
      if (afterSeq < 0) {
        throw Frames.malformed("'afterSeq' must not be negative");
      }
    }
  }

  record Leave(String ref, UUID conversationId) implements ClientFrame {
    public Leave {
      ref = Frames.ref(ref);
      Frames.required(conversationId, "conversationId");
    }
  }

  record Send(String ref, UUID conversationId, String clientMsgId, String text, Boolean internal) implements ClientFrame {
    public Send {
      ref = Frames.ref(ref);
      Frames.required(conversationId, "conversationId");
      clientMsgId = Frames.required(clientMsgId, "clientMsgId");
      if (clientMsgId.length() > 64) {
        throw Frames.malformed("'clientMsgId' is longer than 64 characters");
      }
      text = Frames.required(text, "text");
      if (text.strip().isEmpty()) {
        throw Frames.malformed("'text' must not be empty");
      }
      if (text.length() > MAX_TEXT) {
        throw ApiError.badRequest("message_too_long", "A message is at most " + MAX_TEXT + " characters");
      }
      internal = internal != null && internal;
    }
  }

  record Typing(String ref, UUID conversationId, Boolean typing) implements ClientFrame {
    public Typing {
      ref = Frames.ref(ref);
      Frames.required(conversationId, "conversationId");
      Frames.required(typing, "typing");
    }
  }

  record Read(String ref, UUID conversationId, Long seq) implements ClientFrame {
    public Read {
      ref = Frames.ref(ref);
      Frames.required(conversationId, "conversationId");
      Frames.required(seq, "seq");
    }
  }

  record Presence(String ref, String status) implements ClientFrame {
    public Presence {
      ref = Frames.ref(ref);
      status = Frames.required(status, "status");
      if (!PresenceStatus.isValid(status)) {
        throw Frames.malformed("'status' must be available, busy, away or offline");
      }
    }
  }

  record QueuesWatch(String ref) implements ClientFrame {
    public QueuesWatch {
      ref = Frames.ref(ref);
    }
  }

  record Take(String ref, UUID conversationId) implements ClientFrame {
    public Take {
      ref = Frames.ref(ref);
      Frames.required(conversationId, "conversationId");
    }
  }

  record Accept(String ref, UUID conversationId) implements ClientFrame {
    public Accept {
      ref = Frames.ref(ref);
      Frames.required(conversationId, "conversationId");
    }
  }

  record Close(String ref, UUID conversationId, String outcome, String detail) implements ClientFrame {
    public Close {
      ref = Frames.ref(ref);
      Frames.required(conversationId, "conversationId");
      outcome = Frames.required(outcome, "outcome");
      if (!Outcome.closableByProfessional(outcome)) {
        throw ApiError.badRequest("invalid_outcome",
            "'outcome' must be resolved, referred, appointment_booked or redirected_to_urgent_care");
      }
      detail = detail == null || detail.isBlank() ? null : detail.strip();
      if (detail != null && detail.length() > 500) {
        throw Frames.malformed("'detail' is longer than 500 characters");
      }
      if (outcome.equals("referred") && detail == null) {
        throw Frames.malformed("'detail' (to what or whom) is required when the outcome is referred");
      }
    }
  }
}
