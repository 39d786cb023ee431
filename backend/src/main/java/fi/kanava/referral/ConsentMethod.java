package fi.kanava.referral;

import java.util.Locale;

/** How the client gave their consent to the referral. */
public enum ConsentMethod {
  CHAT,
  PHONE,
  IN_PERSON,
  WRITTEN;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ConsentMethod fromCode(String code) {
    for (ConsentMethod m : values()) {
      if (m.code().equals(code)) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown consent method " + code);
  }
}
