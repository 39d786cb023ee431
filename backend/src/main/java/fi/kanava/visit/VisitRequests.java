package fi.kanava.visit;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Require;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** The request bodies of the visit routes, decoded strictly once at the edge (docs/protocol.md, "Visits"). */
final class VisitRequests {
  static final Set<String> CHANNELS = Set.of("video", "chat");
  static final Set<String> LANGUAGES = Set.of("fi", "sv", "en", "se", "smn", "sms");
  static final int MAX_NAME = 200;
  static final int MAX_REASON = 500;

  private VisitRequests() {}

  /** {@code POST /api/visits}: exactly one of a conversation (booked from a chat) and a patient's name. */
  record Book(Instant startsAt, int durationMinutes, String channel, String language, boolean interpreterNeeded, List<UUID> professionalIds,
      UUID conversationId, String patientName, String queueId) {
    @JsonCreator
    static Book fromJson(@JsonProperty("startsAt") String startsAt, @JsonProperty("durationMinutes") Integer durationMinutes,
        @JsonProperty("channel") String channel, @JsonProperty("language") String language,
        @JsonProperty("interpreterNeeded") Boolean interpreterNeeded, @JsonProperty("professionalIds") List<String> professionalIds,
        @JsonProperty("conversationId") String conversationId, @JsonProperty("patientName") String patientName,
        @JsonProperty("queueId") String queueId) {
      Instant start = instant(startsAt);
      int minutes = duration(durationMinutes);
      String ch = Require.text(channel, "channel", 16);
      if (!CHANNELS.contains(ch)) {
        throw ApiError.badRequest("invalid_channel", "'channel' must be video or chat");
      }
      String lang = language == null ? null : Require.text(language, "language", 8);
      if (lang != null && !LANGUAGES.contains(lang)) {
        throw ApiError.badRequest("invalid_language", "'language' must be one of fi, sv, en, se, smn, sms");
      }
      List<UUID> pros = new ArrayList<>();
      if (professionalIds != null) {
        for (String id : professionalIds) {
          UUID uuid = uuid(id, "professionalIds");
          if (!pros.contains(uuid)) {
            pros.add(uuid);
          }
        }
      }
      if (pros.size() > Visits.MAX_MEMBERS) {
        throw ApiError.conflict("call_full", "A visit's call holds at most four people");
      }
      boolean fromChat = conversationId != null;
      boolean named = patientName != null;
      if (fromChat == named) {
        throw ApiError.badRequest("patient_required", "Give exactly one of 'conversationId' and 'patientName'");
      }
      if (!fromChat && lang == null) {
        throw ApiError.badRequest("invalid_language", "'language' is required when the visit is not booked from a chat");
      }
      return new Book(start, minutes, ch, lang, Boolean.TRUE.equals(interpreterNeeded), List.copyOf(pros),
          fromChat ? uuid(conversationId, "conversationId") : null, named ? Require.text(patientName, "patientName", MAX_NAME) : null,
          Require.optionalText(queueId, "queueId", 64));
    }
  }

  /** {@code POST /api/visits/{id}/cancel}. */
  record Cancel(String reason) {
    @JsonCreator
    static Cancel fromJson(@JsonProperty("reason") String reason) {
      return new Cancel(reason == null || reason.isBlank() ? null : Require.text(reason, "reason", MAX_REASON));
    }
  }

  /** {@code POST /api/visits/{id}/reschedule}: a new start, and the duration (unchanged when left out). */
  record Reschedule(Instant startsAt, Integer durationMinutes) {
    @JsonCreator
    static Reschedule fromJson(@JsonProperty("startsAt") String startsAt, @JsonProperty("durationMinutes") Integer durationMinutes) {
      return new Reschedule(instant(startsAt), durationMinutes == null ? null : duration(durationMinutes));
    }
  }

  /** {@code POST /api/visits/{id}/members}: a colleague by account, an interpreter or a relative by name. */
  record Invite(MemberKind kind, UUID accountId, String name, String language) {
    @JsonCreator
    static Invite fromJson(@JsonProperty("kind") String kind, @JsonProperty("accountId") String accountId, @JsonProperty("name") String name,
        @JsonProperty("language") String language) {
      String k = Require.text(kind, "kind", 16);
      MemberKind member = switch (k) {
        case "interpreter" -> MemberKind.INTERPRETER;
        case "relative" -> MemberKind.RELATIVE;
        case "colleague" -> MemberKind.COLLEAGUE;
        default -> throw ApiError.badRequest("invalid_kind", "'kind' must be interpreter, relative or colleague");
      };
      String lang = language == null ? null : Require.text(language, "language", 8);
      if (lang != null && !LANGUAGES.contains(lang)) {
        throw ApiError.badRequest("invalid_language", "'language' must be one of fi, sv, en, se, smn, sms");
      }
      if (member == MemberKind.COLLEAGUE) {
        if (accountId == null || name != null) {
          throw ApiError.badRequest("invalid_member", "A colleague is invited by 'accountId' alone");
        }
        return new Invite(member, uuid(accountId, "accountId"), null, lang);
      }
      if (accountId != null) {
        throw ApiError.badRequest("invalid_member", "An interpreter or relative is invited by 'name'");
      }
      return new Invite(member, null, Require.text(name, "name", MAX_NAME), lang);
    }
  }

  /** {@code POST /api/visit-codes/exchange}. */
  record Exchange(String code) {
    @JsonCreator
    static Exchange fromJson(@JsonProperty("code") String code) {
      return new Exchange(Require.secret(code, "code", 128));
    }
  }

  static Instant instant(String value) {
    String text = Require.text(value, "startsAt", 64);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw ApiError.badRequest("invalid_starts_at", "'startsAt' must be an ISO-8601 instant such as 2026-03-02T08:00:00Z");
    }
  }

  static int duration(Integer minutes) {
    if (minutes == null || minutes < 5 || minutes > 240) {
      throw ApiError.badRequest("invalid_duration", "'durationMinutes' must be 5 to 240");
    }
    return minutes;
  }

  static UUID uuid(String value, String field) {
    try {
      return UUID.fromString(Require.text(value, field, 36));
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("invalid_field", "Field '" + field + "' must be a UUID");
    }
  }
}
