package fi.kanava.conversation;

import fi.kanava.access.AccessPolicy.ConversationFacts;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketEvents;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Event-bus addresses and events of conversations. Each conversation has two addresses: one for
 * its patient's sockets and one for professionals' sockets. What goes to the patient address is
 * built from {@link PatientView} and never carries notes or triage, so nothing reaches a patient's
 * node because someone forgot to delete a key. Events are JSON, or frames already encoded as JSON
 * text, so a clustered event bus can carry them; they are notifications only, PostgreSQL holds
 * every fact.
 */
public final class ConversationEvents {
  private static final String CONVERSATION = "kanava.conversation.";
  private static final String QUEUE = "kanava.queue.";
  /** A conversation closed (node-local: each node's routing hears its own closes): {@code {conversationId, queueId, professionalId?, outcome, accepted, visitId?}}. */
  public static final String CLOSED = "kanava.conversation.closed";
  /**
   * A queue's conversations changed (one entered, was offered, taken, closed), cluster-wide:
   * {@code {queueId, state?, node?}}; counts only, for live figures, and with the announcing node
   * ({@code node}, from the waiting lists) for the other nodes' waiting lists.
   */
  public static final String QUEUE_STATE = "kanava.conversation.queue-state";

  /** Event kinds on a conversation's addresses. */
  public static final String MESSAGE = "message";
  public static final String TYPING = "typing";
  public static final String READ = "read";
  public static final String STATE = "state";
  public static final String IDLE = "idle";
  /** A waiting patient's new position; the frame is {@code queue.position} (patient address only). */
  public static final String POSITION = "position";
  /** The store lost messages that clients hold (a sequence regression): every watching socket resynchronises. */
  public static final String RESYNC = "resync";

  /**
   * For what the node that made a change acts on once ({@link #CLOSED}): with a clustered bus the
   * other nodes never see it, so a close is routed once, not once per node.
   */
  static final io.vertx.core.eventbus.DeliveryOptions NODE_LOCAL = new io.vertx.core.eventbus.DeliveryOptions().setLocalOnly(true);

  private ConversationEvents() {}

  /** Where the conversation's patient's sockets listen. */
  public static String forPatient(UUID id) {
    return CONVERSATION + id + ".patient";
  }

  /** Where the sockets of professionals watching the conversation listen. */
  public static String forStaff(UUID id) {
    return CONVERSATION + id + ".staff";
  }

  public static String queue(String id) {
    return QUEUE + id;
  }

  /**
   * A committed message. {@code encoded} is the frame as it goes on the wire, encoded once for every
   * socket of each side: the patient address gets the patient's form ({@link Messages#forPatient});
   * notes go to the staff address only. {@code seq} and {@code id} let a watching socket tell a
   * repeat from another message given a number it has already delivered. {@code committedAt}
   * (wall-clock milliseconds) lets receivers measure delivery latency.
   */
  public static void message(EventBus bus, UUID conversationId, JsonObject frame) {
    long committedAt = System.currentTimeMillis();
    bus.publish(forStaff(conversationId), messageEvent(frame, committedAt));
    if (!Messages.NOTE.equals(frame.getString("kind"))) {
      bus.publish(forPatient(conversationId), messageEvent(Messages.forPatient(frame), committedAt));
    }
  }

  private static JsonObject messageEvent(JsonObject frame, long committedAt) {
    return new JsonObject()
        .put("event", MESSAGE)
        .put("seq", frame.getLong("seq"))
        .put("id", frame.getString("id"))
        .put("committedAt", committedAt)
        .put("encoded", frame.encode());
  }

  /**
   * A state change: the patient address gets the patient's view, the staff address the staff view
   * and the access facts, so that each watching professional's socket can check at once whether
   * its principal is still entitled.
   */
  public static void state(EventBus bus, ConversationRecord c) {
    bus.publish(forPatient(c.id()), new JsonObject().put("event", STATE).put("view", ServerFrames.toJson(new ViewFrame(PatientView.of(c)))));
    bus.publish(forStaff(c.id()), new JsonObject().put("event", STATE).put("view", ServerFrames.toJson(new ViewFrame(StaffView.of(c))))
        .put("facts", factsToJson(c.facts())));
    if (c.queueId() != null) {
      bus.publish(QUEUE_STATE, new JsonObject().put("queueId", c.queueId()).put("state", c.state().code()));
    }
    // routing and feedback hear of patients' conversations in a queue: a professional-only thread (a consultation)
    // and a referral's thread (in no queue) are neither
    if (c.isClosed() && c.patientId() != null && c.queueId() != null) {
      bus.publish(CLOSED, new JsonObject().put("conversationId", c.id().toString()).put("queueId", c.queueId())
          .put("professionalId", c.assignedTo() == null ? null : c.assignedTo().toString()).put("outcome", c.outcome())
          .put("accepted", c.acceptedAt() != null).put("visitId", c.visitId() == null ? null : c.visitId().toString()), NODE_LOCAL);
    }
  }

  /** The {@code conversation.state} frame around a view. */
  record ViewFrame(Object conversation) implements fi.kanava.ws.ServerFrame {
    @Override
    public String type() {
      return "conversation.state";
    }
  }

  /** A waiting patient's place: to the patient address only. */
  public static void position(EventBus bus, UUID conversationId, JsonObject frame) {
    bus.publish(forPatient(conversationId), new JsonObject().put("event", POSITION).put("frame", frame));
  }

  /**
   * The store lost messages that clients hold: every socket watching the conversation, on both
   * addresses, resynchronises from the store, except {@code origin} (the socket that found it and
   * resynchronises itself; null for none).
   */
  static void resync(EventBus bus, UUID conversationId, String origin) {
    JsonObject body = new JsonObject().put("event", RESYNC).put("origin", origin);
    bus.publish(forPatient(conversationId), body);
    bus.publish(forStaff(conversationId), body);
  }

  /** Ephemeral signals (typing, read receipts, idle warnings) to both sides. {@code origin} is the socket that caused it (not echoed back). */
  public static void signal(EventBus bus, UUID conversationId, String event, JsonObject frame, String origin) {
    JsonObject body = new JsonObject().put("event", event).put("frame", frame).put("origin", origin);
    bus.publish(forPatient(conversationId), body);
    bus.publish(forStaff(conversationId), body);
  }

  /** An offer taken back from the professional: {@code reason} is not_accepted, declined, offline or patient_left. */
  public static void withdrawn(EventBus bus, UUID professionalId, UUID conversationId, String reason) {
    SocketEvents.toPrincipal(bus, professionalId, ServerFrames.toJson(new Withdrawn(conversationId.toString(), reason)));
  }

  /** {@code conversation.withdrawn}: an offer or conversation taken back from the professional. */
  public record Withdrawn(String conversationId, String reason) implements fi.kanava.ws.ServerFrame {
    @Override
    public String type() {
      return "conversation.withdrawn";
    }
  }

  /** {@code typing}: who ({@code patient} or {@code professional}) started or stopped typing. */
  public record Typing(String conversationId, String who, boolean typing) implements fi.kanava.ws.ServerFrame {
    @Override
    public String type() {
      return "typing";
    }
  }

  /** {@code read}: how far one side has read. */
  public record ReadUpTo(String conversationId, String who, long seq) implements fi.kanava.ws.ServerFrame {
    @Override
    public String type() {
      return "read";
    }
  }

  /** {@code idle.warning}: the conversation closes as expired at {@code closesAt} unless someone writes. */
  public record IdleWarning(String conversationId, java.time.Instant closesAt) implements fi.kanava.ws.ServerFrame {
    @Override
    public String type() {
      return "idle.warning";
    }
  }

  static JsonObject factsToJson(ConversationFacts f) {
    return new JsonObject()
        .put("patientId", f.patientId() == null ? null : f.patientId().toString())
        .put("queueId", f.queueId())
        .put("state", f.state().code())
        .put("assignedTo", f.assignedProfessionalId().map(UUID::toString).orElse(null))
        .put("transferRecipients", new JsonArray(f.transferRecipientIds().stream().map(UUID::toString).toList()))
        .put("consultants", new JsonArray(f.consultantIds().stream().map(UUID::toString).toList()))
        .put("partnerOrganisations", new JsonArray(f.consentedPartnerOrganisationIds().stream().toList()))
        .put("heldFor", f.heldFor().map(UUID::toString).orElse(null))
        .put("historyCuts", new JsonArray(f.historyCuts().stream().map(cut -> cut.fromSeq() + ":" + cut.fromAccount()).toList()))
        .put("readers", new JsonArray(f.readerIds().stream().map(UUID::toString).toList()))
        .put("referralThread", f.referralThread());
  }

  static ConversationFacts factsFromJson(JsonObject json) {
    String patient = json.getString("patientId");
    String assigned = json.getString("assignedTo");
    return new ConversationFacts(patient == null ? null : UUID.fromString(patient), json.getString("queueId"),
        ConversationState.fromCode(json.getString("state")), Optional.ofNullable(assigned).map(UUID::fromString),
        ids(json.getJsonArray("transferRecipients")), ids(json.getJsonArray("consultants")),
        json.getJsonArray("partnerOrganisations").stream().map(String.class::cast).collect(Collectors.toSet()),
        Optional.ofNullable(json.getString("heldFor")).map(UUID::fromString),
        ConversationRecord.cuts(json.getJsonArray("historyCuts").stream().map(String.class::cast).toArray(String[]::new)),
        ids(json.getJsonArray("readers", new JsonArray())),
        json.getBoolean("referralThread", false));
  }

  private static Set<UUID> ids(JsonArray array) {
    return array.stream().map(o -> UUID.fromString((String) o)).collect(Collectors.toSet());
  }
}
