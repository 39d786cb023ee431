package fi.kanava.conversation;

import java.util.Locale;
import java.util.Set;

/**
 * The states of a conversation and the moves between them; pure, so every service asks this enum
 * whether a change is allowed instead of comparing strings.
 *
 * <pre>
 *   queued ──assign/take──▶ active ──close──▶ closed
 *     ▲  │                    │
 *     │  └──────leave─────────┼──────────────▶ closed
 *     └──────requeue──────────┘
 * </pre>
 *
 * A closed conversation never changes again; closing it twice is refused by {@link #canBecome}
 * and the callers treat a second close as harmless.
 *
 * <p>A referral's thread (docs/architecture.md, "Participants") starts {@code active} with nobody
 * assigned and only ever closes: with no queue and no assigned professional nothing requeues,
 * offers or transfers it.
 */
public enum ConversationState {
  QUEUED,
  ACTIVE,
  CLOSED;

  /** Whether a conversation in this state may move to {@code next}. */
  public boolean canBecome(ConversationState next) {
    return allowedNext().contains(next);
  }

  private Set<ConversationState> allowedNext() {
    return switch (this) {
      case QUEUED -> Set.of(ACTIVE, CLOSED);
      case ACTIVE -> Set.of(QUEUED, CLOSED);
      case CLOSED -> Set.of();
    };
  }

  /** The state as the database and the protocol write it. */
  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static ConversationState fromCode(String code) {
    // read for every message sent: a switch, not valueOf(toUpperCase)
    return switch (code) {
      case "queued" -> QUEUED;
      case "active" -> ACTIVE;
      case "closed" -> CLOSED;
      default -> throw new IllegalArgumentException("unknown conversation state " + code);
    };
  }
}
