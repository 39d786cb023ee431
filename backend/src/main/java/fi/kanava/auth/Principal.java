package fi.kanava.auth;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Who is making a request, as proven by a verified access token. Patients have no role or
 * organisation; professionals always have both.
 */
public record Principal(Kind kind, UUID id, Optional<Role> role, Optional<String> organisationId) {

  public enum Kind {
    PROFESSIONAL,
    PATIENT;

    public String code() {
      return this == PROFESSIONAL ? "professional" : "patient";
    }

    public static Kind fromCode(String code) {
      return switch (code) {
        case "professional" -> PROFESSIONAL;
        case "patient" -> PATIENT;
        default -> throw new IllegalArgumentException("unknown subject kind " + code);
      };
    }
  }

  public Principal {
    Objects.requireNonNull(kind);
    Objects.requireNonNull(id);
    if (kind == Kind.PROFESSIONAL && (role.isEmpty() || organisationId.isEmpty())) {
      throw new IllegalArgumentException("a professional has a role and an organisation");
    }
    if (kind == Kind.PATIENT && (role.isPresent() || organisationId.isPresent())) {
      throw new IllegalArgumentException("a patient has no role or organisation");
    }
  }

  public static Principal professional(UUID id, Role role, String organisationId) {
    return new Principal(Kind.PROFESSIONAL, id, Optional.of(role), Optional.of(organisationId));
  }

  public static Principal patient(UUID id) {
    return new Principal(Kind.PATIENT, id, Optional.empty(), Optional.empty());
  }

  public boolean isPatient() {
    return kind == Kind.PATIENT;
  }

  public boolean hasRole(Role wanted) {
    return role.filter(r -> r == wanted).isPresent();
  }
}
