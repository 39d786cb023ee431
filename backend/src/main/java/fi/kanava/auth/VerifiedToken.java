package fi.kanava.auth;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An access token that {@link AccessTokens#verify} accepted: who it is for, the session (token
 * family) it belongs to, and when it was issued and expires. A socket keeps it to know which
 * revocations end it.
 */
public record VerifiedToken(Principal principal, UUID sessionId, Instant issuedAt, Instant expiresAt) {
  public VerifiedToken {
    Objects.requireNonNull(principal);
    Objects.requireNonNull(sessionId);
    Objects.requireNonNull(issuedAt);
    Objects.requireNonNull(expiresAt);
  }
}
