package fi.kanava.referral;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Require;
import java.util.UUID;

/** The request bodies of the referral routes, decoded strictly once at the edge (docs/protocol.md, "Partner referrals"). */
final class ReferralRequests {
  static final int MAX_REASON = 2000;
  static final int MAX_CONSENT_NOTE = 500;
  static final int MAX_NOTE = 4000;

  private ReferralRequests() {}

  /** The client's consent as the professional records it. */
  record Consent(ConsentMethod method, String note) {
    @JsonCreator
    static Consent fromJson(@JsonProperty("method") String method, @JsonProperty("note") String note) {
      return new Consent(Require.code(method, "consent.method", ConsentMethod::fromCode),
          note == null || note.isBlank() ? null : Require.text(note, "consent.note", MAX_CONSENT_NOTE));
    }
  }

  /** {@code POST /api/referrals}. A missing consent is its own error: {@code consent_required}. */
  record NewReferral(UUID conversationId, String partnerOrganisationId, Consent consent, String reason) {
    @JsonCreator
    static NewReferral fromJson(@JsonProperty("conversationId") String conversationId,
        @JsonProperty("partnerOrganisationId") String partnerOrganisationId, @JsonProperty("consent") Consent consent,
        @JsonProperty("reason") String reason) {
      UUID id;
      try {
        id = UUID.fromString(Require.text(conversationId, "conversationId", 36));
      } catch (IllegalArgumentException e) {
        throw ApiError.badRequest("invalid_field", "Field 'conversationId' must be a UUID");
      }
      String partner = Require.text(partnerOrganisationId, "partnerOrganisationId", 63);
      String why = Require.text(reason, "reason", MAX_REASON);
      if (consent == null) {
        throw ApiError.badRequest("consent_required", "A referral needs the client's consent: who asked, how");
      }
      return new NewReferral(id, partner, consent, why);
    }
  }

  /** {@code POST /api/referrals/{id}/notes}. */
  record Note(String text) {
    @JsonCreator
    static Note fromJson(@JsonProperty("text") String text) {
      return new Note(Require.text(text, "text", MAX_NOTE));
    }
  }

  /** {@code PUT /api/referrals/{id}/outcome}. */
  record Outcome(ReferralOutcome outcome) {
    @JsonCreator
    static Outcome fromJson(@JsonProperty("outcome") String outcome) {
      return new Outcome(Require.code(outcome, "outcome", ReferralOutcome::recorded));
    }
  }
}
