package fi.kanava.conversation;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of {@code conversation_participant}: who joined a conversation as what, and when they
 * left. The only class that writes the table. Callers pass the transaction's connection (or the
 * pool, for the join that follows the commit of a message that accepted an offer).
 */
public final class Participants {
  /**
   * The open participations of the conversation {@code c}, as one JSON array column: what the
   * access facts and the views need. Appended to conversation selects.
   */
  static final String OPEN_AS_JSON = "(select coalesce(json_agg(json_build_object('kind', cp.kind, 'accountId', cp.account_id,"
      + " 'organisationId', cp.organisation_id, 'joinedAt', cp.joined_at) order by cp.id), '[]'::json)"
      + " from conversation_participant cp where cp.conversation_id = c.id and cp.left_at is null and cp.kind <> 'patient')";

  /**
   * The open participations that give access beyond the assigned professional (transfer
   * recipients, consultants, partner organisations, observers such as a consultant who has not joined), as one text array of {@code kind:id}: the
   * light form the message path reads for every send. Most conversations have none, so it is null.
   */
  static final String ACCESS_AS_ARRAY = "(select array_agg(cp.kind || ':' || coalesce(cp.account_id::text, cp.organisation_id))"
      + " from conversation_participant cp where cp.conversation_id = c.id and cp.left_at is null"
      + " and cp.kind in ('transfer_recipient', 'consultant', 'partner', 'observer'))";

  private Participants() {}

  /** The participations read with {@link #ACCESS_AS_ARRAY}. */
  static List<Participant> fromAccessArray(String[] column) {
    List<Participant> out = new ArrayList<>();
    if (column == null) {
      return out;
    }
    for (String entry : column) {
      int colon = entry.indexOf(':');
      ParticipantKind kind = ParticipantKind.fromCode(entry.substring(0, colon));
      String id = entry.substring(colon + 1);
      out.add(kind == ParticipantKind.PARTNER ? new Participant(kind, null, id) : new Participant(kind, UUID.fromString(id), null));
    }
    return out;
  }

  /** One open participation, as {@link #OPEN_AS_JSON} reads it. */
  public record Participant(ParticipantKind kind, UUID accountId, String organisationId) {}

  static List<Participant> fromJson(Object column) {
    List<Participant> out = new ArrayList<>();
    JsonArray array = column instanceof JsonArray a ? a : column == null ? new JsonArray() : new JsonArray(column.toString());
    for (Object o : array) {
      JsonObject p = (JsonObject) o;
      String account = p.getString("accountId");
      out.add(new Participant(ParticipantKind.fromCode(p.getString("kind")), account == null ? null : UUID.fromString(account),
          p.getString("organisationId")));
    }
    return out;
  }

  /** The patient joins (when their conversation is created). */
  static Future<Void> joinPatient(SqlClient tx, UUID conversationId, UUID patientId, Instant at) {
    return tx.preparedQuery("insert into conversation_participant (conversation_id, kind, patient_id, joined_at) values ($1, 'patient', $2, $3)")
        .execute(Tuple.of(conversationId, patientId, Timestamps.at(at)))
        .mapEmpty();
  }

  /** A professional joins as {@code kind}; joining again while still in is a no-op. */
  public static Future<Void> join(SqlClient tx, UUID conversationId, ParticipantKind kind, UUID accountId, Instant at) {
    return tx.preparedQuery("insert into conversation_participant (conversation_id, kind, account_id, joined_at) values ($1, $2, $3, $4)"
            + " on conflict do nothing")
        .execute(Tuple.of(conversationId, kind.code(), accountId, Timestamps.at(at)))
        .mapEmpty();
  }

  /** An organisation joins (a partner organisation a client was referred to); joining again while still in is a no-op. */
  public static Future<Void> joinOrganisation(SqlClient tx, UUID conversationId, ParticipantKind kind, String organisationId, Instant at) {
    return tx.preparedQuery("insert into conversation_participant (conversation_id, kind, organisation_id, joined_at) values ($1, $2, $3, $4)"
            + " on conflict do nothing")
        .execute(Tuple.of(conversationId, kind.code(), organisationId, Timestamps.at(at)))
        .mapEmpty();
  }

  /** The professional's open participation of this kind ends (handed back, transferred away, left). */
  public static Future<Void> leave(SqlClient tx, UUID conversationId, ParticipantKind kind, UUID accountId, Instant at) {
    return tx.preparedQuery("update conversation_participant set left_at = $4"
            + " where conversation_id = $1 and kind = $2 and account_id = $3 and left_at is null")
        .execute(Tuple.of(conversationId, kind.code(), accountId, Timestamps.at(at)))
        .mapEmpty();
  }
}
