package fi.kanava.referral;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a referral stands. It starts {@link #REFERRED}; partner staff record what happened. A
 * referral moves only forward: contacted, then started, then completed; declined at any point
 * before it ends. Declined and completed are final.
 */
public enum ReferralOutcome {
  REFERRED,
  CONTACTED,
  STARTED,
  DECLINED,
  COMPLETED;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ReferralOutcome fromCode(String code) {
    for (ReferralOutcome o : values()) {
      if (o.code().equals(code)) {
        return o;
      }
    }
    throw new IllegalArgumentException("unknown referral outcome " + code);
  }

  /** The outcomes partner staff may set (not {@link #REFERRED}, which only a new referral has). */
  public static ReferralOutcome recorded(String code) {
    ReferralOutcome outcome = fromCode(code);
    if (outcome == REFERRED) {
      throw new IllegalArgumentException("referred is not recorded");
    }
    return outcome;
  }

  public boolean isFinal() {
    return this == DECLINED || this == COMPLETED;
  }

  /** Whether reaching this outcome closes the referral's thread: the final ones. */
  public boolean endsThread() {
    return isFinal();
  }

  /** Whether the referral may move from this outcome to {@code next}: forward only, never from a final one, never to itself. */
  public boolean canBecome(ReferralOutcome next) {
    return next(this).contains(next);
  }

  private static Set<ReferralOutcome> next(ReferralOutcome from) {
    return switch (from) {
      case REFERRED -> EnumSet.of(CONTACTED, STARTED, DECLINED, COMPLETED);
      case CONTACTED -> EnumSet.of(STARTED, DECLINED, COMPLETED);
      case STARTED -> EnumSet.of(DECLINED, COMPLETED);
      case DECLINED, COMPLETED -> EnumSet.noneOf(ReferralOutcome.class);
    };
  }
}
