package fi.kanava.ws;

/**
 * A frame the server sends: a record whose components are the frame's fields. {@link ServerFrames}
 * encodes every one of them the same way, in one place, adding {@code type} (and {@code ref} on a
 * reply). Null components are left out.
 */
public interface ServerFrame {
  /** The frame's {@code type}, as docs/protocol.md names it. */
  String type();
}
