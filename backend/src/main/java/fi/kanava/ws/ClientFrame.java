package fi.kanava.ws;

import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A frame a client sends on {@code /ws}: a record registered in the {@link FrameRegistry} under its
 * type name and decoded from JSON once, strictly, at the edge. Each record checks its own fields in
 * its constructor and throws an {@link fi.kanava.infra.ApiError} whose code goes back in an error
 * frame.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
public interface ClientFrame {
  /** The client's correlation id, echoed in the reply; may be null. */
  String ref();
}
