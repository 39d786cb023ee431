package fi.kanava.visit;

import java.util.Locale;

/**
 * Who someone is in a visit. Professionals and invited colleagues are accounts; the patient, an
 * interpreter or a relative without an account is a patient-kind principal of its own, reached by a
 * join code (the patient side).
 */
public enum MemberKind {
  PATIENT,
  PROFESSIONAL,
  INTERPRETER,
  RELATIVE,
  COLLEAGUE;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static MemberKind fromCode(String code) {
    return valueOf(code.toUpperCase(Locale.ROOT));
  }

  /** Holds the visit: an account that reads and manages it and is always let into its call. */
  public boolean holdsVisit() {
    return this == PROFESSIONAL || this == COLLEAGUE;
  }
}
