package fi.kanava.auth;

/** Languages a professional speaks and a conversation may be held in. */
public enum Language {
  FI("fi"),
  SV("sv"),
  EN("en"),
  /** North Sámi. */
  SE("se"),
  /** Inari Sámi. */
  SMN("smn"),
  /** Skolt Sámi. */
  SMS("sms");

  private final String code;

  Language(String code) {
    this.code = code;
  }

  public String code() {
    return code;
  }

  public static Language fromCode(String code) {
    for (Language language : values()) {
      if (language.code.equals(code)) {
        return language;
      }
    }
    throw new IllegalArgumentException("unknown language " + code);
  }
}
