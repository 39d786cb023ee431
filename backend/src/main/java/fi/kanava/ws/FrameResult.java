package fi.kanava.ws;

import fi.kanava.infra.ApiError;

/**
 * What a frame handler decided: accepted with a reply (sent with the frame's {@code ref}), accepted
 * with nothing to say, or rejected with a code (sent as an error frame with the {@code ref}). A
 * handler may also fail its future with an {@link ApiError}, which is the same as a rejection.
 */
public sealed interface FrameResult {
  record Reply(Object frame) implements FrameResult {}

  record Accepted() implements FrameResult {}

  record Rejected(ApiError error) implements FrameResult {}

  Accepted ACCEPTED = new Accepted();

  /** A reply: a {@link ServerFrame} record, or a frame already built as JSON. */
  static FrameResult reply(Object frame) {
    return new Reply(frame);
  }

  static FrameResult rejected(ApiError error) {
    return new Rejected(error);
  }
}
