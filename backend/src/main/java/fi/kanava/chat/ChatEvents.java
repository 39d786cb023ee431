package fi.kanava.chat;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * Event-bus addresses and event shapes for chat fan-out. Events are JSON, or frames already encoded
 * as JSON text, so that a clustered event bus can carry them between nodes; they are notifications
 * only, Postgres holds every fact.
 */
public final class ChatEvents {
  private static final String CONVERSATION = "kanava.conversation.";
  private static final String PROFESSIONAL = "kanava.professional.";
  private static final String QUEUE = "kanava.queue.";
  /** A professional's last socket on a node closed: {@code {"accountId"}}. */
  public static final String DISCONNECTED = "kanava.presence.disconnected";

  /** Event kinds on a conversation's address. */
  public static final String MESSAGE = "message";
  public static final String TYPING = "typing";
  public static final String READ = "read";
  public static final String STATE = "state";
  /** A waiting patient's new position; the frame is {@code queue.position}. */
  public static final String POSITION = "position";

  private ChatEvents() {}

  public static String conversation(UUID id) {
    return CONVERSATION + id;
  }

  public static String professional(UUID id) {
    return PROFESSIONAL + id;
  }

  public static String queue(String id) {
    return QUEUE + id;
  }

  /**
   * A committed message. {@code encoded} is the frame as it goes on the wire, encoded once for every
   * socket (and not deep-copied for each local consumer, as a nested JSON object would be); notes
   * are for professionals only. {@code committedAt} (wall-clock milliseconds) lets receivers measure
   * delivery latency.
   */
  public static void message(EventBus bus, UUID conversationId, JsonObject frame) {
    bus.publish(conversation(conversationId), new JsonObject()
        .put("event", MESSAGE)
        .put("seq", frame.getLong("seq"))
        .put("professionalsOnly", "note".equals(frame.getString("kind")))
        .put("committedAt", System.currentTimeMillis())
        .put("encoded", frame.encode()));
  }

  /** An offer taken back from the professional: {@code reason} is not_accepted, offline or patient_left. */
  public static void withdrawn(EventBus bus, UUID professionalId, UUID conversationId, String reason) {
    bus.publish(professional(professionalId), Frames.frame("conversation.withdrawn").put("conversationId", conversationId.toString())
        .put("reason", reason));
  }

  /**
   * A queue's new waiting list, published as its {@code queue.waiting} frame encoded once for every
   * professional watching the queue (the largest frame the server sends).
   */
  public static void waitingList(EventBus bus, String queueId, JsonObject snapshot) {
    bus.publish(queue(queueId), Frames.waitingList(snapshot).encode());
  }

  /** A state change: {@code view} is the professional's view; patients' sockets strip it. */
  public static void state(EventBus bus, UUID conversationId, JsonObject view) {
    bus.publish(conversation(conversationId), new JsonObject().put("event", STATE).put("view", view));
  }

  /** Ephemeral: typing and read receipts. {@code origin} is the socket that caused it (not echoed back). */
  public static void signal(EventBus bus, UUID conversationId, String event, JsonObject frame, String origin) {
    bus.publish(conversation(conversationId), new JsonObject().put("event", event).put("frame", frame).put("origin", origin));
  }
}
