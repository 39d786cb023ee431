package fi.kanava.presence;

import java.util.Set;

/** A professional's presence: only {@code available} professionals get new conversations. */
public final class PresenceStatus {
  public static final String AVAILABLE = "available";
  public static final String BUSY = "busy";
  public static final String AWAY = "away";
  public static final String OFFLINE = "offline";
  private static final Set<String> ALL = Set.of(AVAILABLE, BUSY, AWAY, OFFLINE);

  private PresenceStatus() {}

  public static boolean isValid(String status) {
    return ALL.contains(status);
  }
}
