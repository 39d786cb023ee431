package fi.kanava.rtc;

import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.util.UUID;

/**
 * The event-bus address of each call, {@code kanava.call.<callId>}: every node with a socket in
 * the call has one consumer there ({@link RtcSockets}) and writes each event to its own sockets of
 * that call: to one peer ({@code to}), or to every peer but one ({@code except}). A peer that left
 * ({@code left}) is forgotten by whichever node holds its socket, so it receives nothing more.
 */
public final class CallEvents {
  private static final String PREFIX = "kanava.call.";

  private CallEvents() {}

  public static String address(UUID callId) {
    return PREFIX + callId;
  }

  /** One event on a call's address. */
  record Event(UUID to, UUID except, UUID left, JsonObject frame) {
    JsonObject toJson() {
      JsonObject json = new JsonObject().put("frame", frame);
      if (to != null) {
        json.put("to", to.toString());
      }
      if (except != null) {
        json.put("except", except.toString());
      }
      if (left != null) {
        json.put("left", left.toString());
      }
      return json;
    }

    static Event fromJson(JsonObject json) {
      return new Event(uuid(json.getString("to")), uuid(json.getString("except")), uuid(json.getString("left")), json.getJsonObject("frame"));
    }

    private static UUID uuid(String s) {
      return s == null ? null : UUID.fromString(s);
    }
  }

  /** The frame to one peer's socket only. */
  static void toPeer(EventBus bus, UUID callId, UUID peerId, JsonObject frame) {
    bus.publish(address(callId), new Event(peerId, null, null, frame).toJson());
  }

  /** The frame to every peer's socket but {@code except} (null: all). */
  static void toPeers(EventBus bus, UUID callId, UUID except, JsonObject frame) {
    bus.publish(address(callId), new Event(null, except, null, frame).toJson());
  }

  /** The peer left: the others get the frame, the peer's socket is forgotten. */
  static void left(EventBus bus, UUID callId, UUID peerId, JsonObject frame) {
    bus.publish(address(callId), new Event(null, peerId, peerId, frame).toJson());
  }
}
