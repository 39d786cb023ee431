package fi.kanava.auth;

import java.util.Locale;

/** Roles of professional accounts. */
public enum Role {
  NURSE,
  PHYSICIAN,
  /** Physiotherapist, dental hygienist, social counsellor, psychologist...: see the account's profession. */
  SPECIALIST,
  /** Staff of a partner organisation, such as a municipal exercise counsellor. */
  PARTNER,
  SUPERVISOR,
  /** Manages the accounts, units and queues of its own organisation. */
  ADMIN,
  /** Creates organisations and manages any organisation's accounts, units and queues. */
  PLATFORM_ADMIN;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Role fromCode(String code) {
    for (Role role : values()) {
      if (role.code().equals(code)) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown role " + code);
  }

  /** Roles that take part in a patient's care and may, by the access policy, read conversations. */
  public boolean isCareProfessional() {
    return this == NURSE || this == PHYSICIAN || this == SPECIALIST;
  }
}
