package fi.kanava.access;

import fi.kanava.auth.Principal;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One row of the append-only audit trail: who (actor), what (action on a resource, about which
 * patient), when, why (purpose) and the outcome with its reason.
 */
public record AuditEvent(
    Instant occurredAt,
    String actorKind,
    Optional<UUID> actorId,
    Optional<String> actorRole,
    String action,
    String resourceType,
    Optional<String> resourceId,
    Optional<UUID> patientId,
    String purpose,
    boolean allowed,
    String reason) {

  public AuditEvent {
    Objects.requireNonNull(occurredAt);
    Objects.requireNonNull(actorKind);
    Objects.requireNonNull(action);
    Objects.requireNonNull(resourceType);
    Objects.requireNonNull(purpose);
    Objects.requireNonNull(reason);
  }

  /** The actor kind of what the server does by itself (a sweep's time rules). */
  static final String SYSTEM = "system";

  /** The actor columns for a principal, or for an unauthenticated caller when empty. */
  static String actorKind(Optional<Principal> principal) {
    return principal.map(p -> p.kind().code()).orElse("anonymous");
  }
}
