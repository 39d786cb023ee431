package fi.kanava.referral;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of {@code partner_seat}, {@code referral} and {@code referral_note} (V13), the only
 * class that writes them, and the read-only look-ups of partner organisations. Runs on the
 * connection it is given.
 */
final class ReferralStore {
  private ReferralStore() {}

  /** A partner organisation: its name, seat limit (null: the default) and the wellbeing area it works with. */
  record Partner(String id, String name, Integer seatLimit, String partnerOf) {}

  /** One referral row, with the names the lists show. */
  record Referral(UUID id, UUID conversationId, UUID threadConversationId, UUID patientId, String partnerOrganisationId, String partnerName,
      String referringOrganisationId, UUID referredBy, String referredByName, String reason, String consentMethod, String consentNote,
      UUID consentAskedBy, Instant consentAt, Instant createdAt, ReferralOutcome outcome, Instant outcomeAt, Instant contactedAt,
      Instant startedAt, Instant declinedAt, Instant completedAt, String clientLabel) {}

  /** A partner organisation by id, locked when {@code lock} (seat assignments take turns on it); null if none or not a partner. */
  static Future<Partner> partner(SqlClient tx, String id, boolean lock) {
    return tx.preparedQuery("select id, name, seat_limit, partner_of from organisation where id = $1 and kind = 'partner'"
            + (lock ? " for update" : ""))
        .execute(Tuple.of(id))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          return new Partner(row.getString("id"), row.getString("name"), row.getInteger("seat_limit"), row.getString("partner_of"));
        });
  }

  /** The partner organisations a professional of {@code organisationId} may refer to: those working with it, or with no area. */
  static Future<JsonArray> partnersFor(SqlClient client, String organisationId) {
    return client.preparedQuery("select id, name from organisation where kind = 'partner'"
            + " and (partner_of is null or partner_of = $1) order by name, id")
        .execute(Tuple.of(organisationId))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(row -> out.add(new JsonObject().put("id", row.getString("id")).put("name", row.getString("name"))));
          return out;
        });
  }

  /** The account's organisation and role, or null: who a seat may be given to. */
  static Future<Row> account(SqlClient tx, UUID accountId) {
    return tx.preparedQuery("select organisation_id, role, disabled_at from account where id = $1").execute(Tuple.of(accountId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  // --- seats ---------------------------------------------------------------------------------------------------

  static Future<Long> seatsTaken(SqlClient tx, String organisationId) {
    return tx.preparedQuery("select count(*) from partner_seat where organisation_id = $1").execute(Tuple.of(organisationId))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Gives the seat; false when the account holds it already. */
  static Future<Boolean> assignSeat(SqlClient tx, String organisationId, UUID accountId, UUID by, Instant at) {
    return tx.preparedQuery("insert into partner_seat (account_id, organisation_id, assigned_at, assigned_by) values ($1, $2, $3, $4)"
            + " on conflict (account_id) do nothing")
        .execute(Tuple.of(accountId, organisationId, Timestamps.at(at), by))
        .map(rows -> rows.rowCount() == 1);
  }

  static Future<Void> demoSeat(SqlClient client, String username, String admin, Instant at) {
    return client.preparedQuery("insert into partner_seat (account_id, organisation_id, assigned_at, assigned_by)"
            + " select a.id, a.organisation_id, $3, b.id from account a, account b where a.username_key = $1 and b.username_key = $2"
            + " and a.role = 'partner' on conflict (account_id) do nothing")
        .execute(Tuple.of(username, admin, Timestamps.at(at)))
        .mapEmpty();
  }

  static Future<Boolean> holdsSeat(SqlClient tx, String organisationId, UUID accountId) {
    return tx.preparedQuery("select 1 from partner_seat where organisation_id = $1 and account_id = $2")
        .execute(Tuple.of(organisationId, accountId)).map(rows -> rows.size() > 0);
  }

  static Future<Boolean> releaseSeat(SqlClient tx, String organisationId, UUID accountId) {
    return tx.preparedQuery("delete from partner_seat where organisation_id = $1 and account_id = $2")
        .execute(Tuple.of(organisationId, accountId)).map(rows -> rows.rowCount() == 1);
  }

  /** Whether the account holds a seat of its (partner) organisation and is not disabled. */
  static Future<Boolean> seated(SqlClient client, UUID accountId) {
    return client.preparedQuery("select 1 from partner_seat s join account a on a.id = s.account_id"
            + " where s.account_id = $1 and a.organisation_id = s.organisation_id and a.disabled_at is null")
        .execute(Tuple.of(accountId)).map(rows -> rows.size() > 0);
  }

  static Future<JsonArray> seats(SqlClient client, String organisationId) {
    return client.preparedQuery("select s.account_id, a.username, a.display_name, s.assigned_at from partner_seat s"
            + " join account a on a.id = s.account_id where s.organisation_id = $1 order by s.assigned_at, s.account_id")
        .execute(Tuple.of(organisationId))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(row -> out.add(new JsonObject().put("accountId", row.getUUID("account_id").toString())
              .put("username", row.getString("username")).put("displayName", row.getString("display_name"))
              .put("assignedAt", row.getOffsetDateTime("assigned_at").toInstant().toString())));
          return out;
        });
  }

  // --- referrals -----------------------------------------------------------------------------------------------

  static Future<Void> insert(SqlClient tx, UUID id, UUID conversationId, UUID threadId, UUID patientId, String partnerId,
      String referringOrganisationId, UUID by, String reason, ReferralRequests.Consent consent, Instant at) {
    return tx.preparedQuery("insert into referral (id, conversation_id, patient_id, partner_organisation_id, referring_organisation_id,"
            + " referred_by, reason, consent_method, consent_note, consent_asked_by, consent_at, created_at, outcome, outcome_at,"
            + " thread_conversation_id) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $6, $10, $10, 'referred', $10, $11)")
        .execute(Tuple.of(id, conversationId, patientId, partnerId, referringOrganisationId, by).addValue(reason)
            .addValue(consent.method().code()).addValue(consent.note()).addValue(Timestamps.at(at)).addValue(threadId))
        .mapEmpty();
  }

  /** The referrals whose threads these are, by thread. */
  static Future<java.util.Map<UUID, Referral>> byThreads(SqlClient client, List<UUID> threads) {
    if (threads.isEmpty()) {
      return Future.succeededFuture(java.util.Map.of());
    }
    return client.preparedQuery(SELECT + "where r.thread_conversation_id = any($1)").execute(Tuple.of(threads.toArray(UUID[]::new)))
        .map(rows -> {
          java.util.Map<UUID, Referral> out = new java.util.HashMap<>();
          rows.forEach(row -> out.put(row.getUUID("thread_conversation_id"), from(row)));
          return out;
        });
  }

  /** Whether the conversation was referred to the organisation already. */
  static Future<Boolean> exists(SqlClient tx, UUID conversationId, String partnerId) {
    return tx.preparedQuery("select 1 from referral where conversation_id = $1 and partner_organisation_id = $2")
        .execute(Tuple.of(conversationId, partnerId)).map(rows -> rows.size() > 0);
  }

  private static final String SELECT = "select r.*, o.name as partner_name, a.display_name as referred_by_name,"
      + " case when p.kind = 'identified' then p.display_name else null end as client_name"
      + " from referral r join organisation o on o.id = r.partner_organisation_id join account a on a.id = r.referred_by"
      + " join patient p on p.id = r.patient_id ";

  static Future<Referral> get(SqlClient tx, UUID id, boolean lock) {
    return tx.preparedQuery(SELECT + "where r.id = $1" + (lock ? " for update of r" : "")).execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? null : from(rows.iterator().next()));
  }

  /** The referrals to one partner organisation, newest first. */
  static Future<List<Referral>> toPartner(SqlClient client, String partnerId) {
    return client.preparedQuery(SELECT + "where r.partner_organisation_id = $1 order by r.created_at desc, r.id limit 500")
        .execute(Tuple.of(partnerId)).map(ReferralStore::all);
  }

  /** The referrals made in one conversation (the referring professional's view). */
  static Future<List<Referral>> ofConversation(SqlClient client, UUID conversationId) {
    return client.preparedQuery(SELECT + "where r.conversation_id = $1 order by r.created_at, r.id")
        .execute(Tuple.of(conversationId)).map(ReferralStore::all);
  }

  static Future<Void> outcome(SqlClient tx, UUID id, ReferralOutcome outcome, UUID by, Instant at) {
    String column = outcome.code() + "_at";
    return tx.preparedQuery("update referral set outcome = $2, outcome_at = $3, outcome_by = $4, " + column + " = $3 where id = $1")
        .execute(Tuple.of(id, outcome.code(), Timestamps.at(at), by))
        .mapEmpty();
  }

  static Future<JsonObject> addNote(SqlClient tx, UUID referralId, UUID author, String authorName, String text, Instant at) {
    UUID id = UUID.randomUUID();
    return tx.preparedQuery("insert into referral_note (id, referral_id, author_id, text, created_at) values ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(id, referralId, author, text, Timestamps.at(at)))
        .map(v -> note(id, author, authorName, text, at));
  }

  static Future<JsonArray> notes(SqlClient client, UUID referralId) {
    return client.preparedQuery("select n.id, n.author_id, a.display_name, n.text, n.created_at from referral_note n"
            + " join account a on a.id = n.author_id where n.referral_id = $1 order by n.created_at, n.id")
        .execute(Tuple.of(referralId))
        .map(rows -> {
          JsonArray out = new JsonArray();
          rows.forEach(row -> out.add(note(row.getUUID("id"), row.getUUID("author_id"), row.getString("display_name"), row.getString("text"),
              row.getOffsetDateTime("created_at").toInstant())));
          return out;
        });
  }

  private static JsonObject note(UUID id, UUID author, String authorName, String text, Instant at) {
    return new JsonObject().put("id", id.toString()).put("authorId", author.toString()).put("author", authorName).put("text", text)
        .put("at", at.toString());
  }

  private static List<Referral> all(io.vertx.sqlclient.RowSet<Row> rows) {
    List<Referral> out = new ArrayList<>();
    rows.forEach(row -> out.add(from(row)));
    return out;
  }

  private static Referral from(Row row) {
    return new Referral(row.getUUID("id"), row.getUUID("conversation_id"), row.getUUID("thread_conversation_id"), row.getUUID("patient_id"), row.getString("partner_organisation_id"),
        row.getString("partner_name"), row.getString("referring_organisation_id"), row.getUUID("referred_by"), row.getString("referred_by_name"),
        row.getString("reason"), row.getString("consent_method"), row.getString("consent_note"), row.getUUID("consent_asked_by"),
        instant(row.getOffsetDateTime("consent_at")), instant(row.getOffsetDateTime("created_at")),
        ReferralOutcome.fromCode(row.getString("outcome")), instant(row.getOffsetDateTime("outcome_at")),
        instant(row.getOffsetDateTime("contacted_at")), instant(row.getOffsetDateTime("started_at")),
        instant(row.getOffsetDateTime("declined_at")), instant(row.getOffsetDateTime("completed_at")), row.getString("client_name"));
  }

  private static Instant instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
