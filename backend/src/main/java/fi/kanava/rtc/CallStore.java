package fi.kanava.rtc;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The SQL of calls and their members ({@code call}, {@code call_member}); no other class writes these tables. */
final class CallStore {
  private CallStore() {}

  /** One call as the service needs it. */
  record CallRow(UUID id, UUID visitId, UUID conversationId, CallState state, UUID createdBy, boolean connected, boolean relayed,
      boolean audioOnly, String endReason) {
    boolean isChat() {
      return conversationId != null;
    }

    String kind() {
      return isChat() ? "chat" : "visit";
    }
  }

  /** A member in the call now (joined, not left), with the name frames show. */
  record MemberRow(String subjectKind, UUID subjectId, String role, UUID peerId, Instant joinedAt, boolean audio, boolean video,
      String name) {
    RtcFrames.Peer peer() {
      return new RtcFrames.Peer(peerId.toString(), name, role, audio, video);
    }
  }

  /** A member whose socket closed longer ago than the grace. */
  record Dropped(UUID callId, UUID peerId) {}

  /** What a relayed signal needs: the call's state, and whether sender and target are current members. */
  record SignalCheck(CallState state, boolean senderIn, boolean targetIn) {}

  private static final String CALL_COLUMNS = "id, visit_id, conversation_id, state, created_by, connected, relayed, audio_only, end_reason";

  private static CallRow call(Row r) {
    return new CallRow(r.getUUID("id"), r.getUUID("visit_id"), r.getUUID("conversation_id"), CallState.fromCode(r.getString("state")),
        r.getUUID("created_by"), r.getBoolean("connected"), r.getBoolean("relayed"), r.getBoolean("audio_only"), r.getString("end_reason"));
  }

  private static CallRow first(RowSet<Row> rows) {
    return rows.size() == 0 ? null : call(rows.iterator().next());
  }

  static Future<CallRow> get(SqlClient client, UUID id, boolean forUpdate) {
    return client.preparedQuery("select " + CALL_COLUMNS + " from call where id = $1" + (forUpdate ? " for update" : ""))
        .execute(Tuple.of(id)).map(CallStore::first);
  }

  static Future<CallRow> openOfConversation(SqlClient client, UUID conversationId) {
    return client.preparedQuery("select " + CALL_COLUMNS + " from call where conversation_id = $1 and state <> 'ended'")
        .execute(Tuple.of(conversationId)).map(CallStore::first);
  }

  /** An account that may be invited into a call: enabled, with what the access policy needs. */
  record Professional(UUID id, String organisationId, fi.kanava.auth.Role role, String name) {}

  static Future<Professional> professional(SqlClient client, UUID accountId) {
    return client.preparedQuery("select id, organisation_id, role, display_name from account where id = $1 and disabled_at is null")
        .execute(Tuple.of(accountId)).map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          return new Professional(r.getUUID("id"), r.getString("organisation_id"), fi.kanava.auth.Role.fromCode(r.getString("role")),
              r.getString("display_name"));
        });
  }

  /** A colleague invited into a chat call: a member row with no peer until they join; inviting again changes nothing. */
  static Future<Void> invite(SqlClient client, UUID callId, UUID accountId) {
    return client.preparedQuery("insert into call_member (call_id, subject_kind, subject_id, role) values ($1, 'professional', $2, 'colleague')"
        + " on conflict (call_id, subject_id) do nothing").execute(Tuple.of(callId, accountId)).mapEmpty();
  }

  /** Whether the account was invited into the call as a colleague. */
  static Future<Boolean> invited(SqlClient client, UUID callId, UUID accountId) {
    return client.preparedQuery("select 1 from call_member where call_id = $1 and subject_id = $2 and role = 'colleague'")
        .execute(Tuple.of(callId, accountId)).map(rows -> rows.size() > 0);
  }

  /** Calls of chats still ringing that were offered at or before {@code cutoff}. */
  static Future<List<UUID>> ringingSince(SqlClient client, Instant cutoff) {
    return client.preparedQuery("select id from call where state = 'ringing' and created_at <= $1").execute(Tuple.of(Timestamps.at(cutoff)))
        .map(CallStore::ids);
  }

  /** Open calls of chats that have closed (a close this node did not hear of, or one racing an invite). */
  static Future<List<UUID>> openOfClosedConversations(SqlClient client) {
    return client.query("select c.id from call c join conversation v on v.id = c.conversation_id where c.state <> 'ended' and v.state = 'closed'")
        .execute().map(CallStore::ids);
  }

  private static List<UUID> ids(RowSet<Row> rows) {
    List<UUID> out = new ArrayList<>();
    rows.forEach(r -> out.add(r.getUUID(0)));
    return out;
  }

  static Future<CallRow> openOfVisit(SqlClient client, UUID visitId) {
    return client.preparedQuery("select " + CALL_COLUMNS + " from call where visit_id = $1 and state <> 'ended'")
        .execute(Tuple.of(visitId)).map(CallStore::first);
  }

  /** A new call; null if another open call of the same visit or conversation won the race (the unique indexes). */
  static Future<CallRow> insert(SqlClient client, UUID id, UUID visitId, UUID conversationId, CallState state, UUID createdBy, Instant at) {
    return client.preparedQuery("insert into call (id, visit_id, conversation_id, state, created_by, created_at)"
            + " values ($1, $2, $3, $4, $5, $6) on conflict do nothing returning " + CALL_COLUMNS)
        .execute(Tuple.of(id, visitId, conversationId, state.code(), createdBy, Timestamps.at(at))).map(CallStore::first);
  }

  static Future<Void> setState(SqlClient client, UUID id, CallState state) {
    return client.preparedQuery("update call set state = $2 where id = $1 and state <> 'ended'").execute(Tuple.of(id, state.code())).mapEmpty();
  }

  /** Ends the call and lets everyone still in it leave. */
  static Future<Void> end(SqlClient client, UUID id, String reason, Instant at) {
    return client.preparedQuery("update call set state = 'ended', ended_at = $2, end_reason = $3 where id = $1 and state <> 'ended'")
        .execute(Tuple.of(id, Timestamps.at(at), reason))
        .compose(v -> client.preparedQuery("update call_member set left_at = $2 where call_id = $1 and left_at is null")
            .execute(Tuple.of(id, Timestamps.at(at))))
        .mapEmpty();
  }

  /** Records the result figures; each flag only ever turns on. */
  static Future<Void> figures(SqlClient client, UUID id, boolean connected, boolean relayed, boolean audioOnly, Instant at) {
    return client.preparedQuery("update call set connected = connected or $2, connected_at = coalesce(connected_at, case when $2 then $5::timestamptz end),"
            + " relayed = relayed or $3, audio_only = audio_only or $4 where id = $1")
        .execute(Tuple.of(id, connected, relayed, audioOnly, Timestamps.at(at))).mapEmpty();
  }

  // The name others see: the account's, else the name the visit knows the member by (the patient as booked, an
  // interpreter or a relative as invited: the console shows the same), else the patient's own. A read of
  // visit_member (the visit feature owns it), as NetworkCheckStore's membership check is.
  private static final String MEMBER_SELECT = "select m.subject_kind, m.subject_id, m.role, m.peer_id, m.joined_at, m.audio, m.video,"
      + " coalesce(a.display_name, vm.display_name, p.display_name) as name from call_member m"
      + " join call c on c.id = m.call_id"
      + " left join account a on m.subject_kind = 'professional' and a.id = m.subject_id"
      + " left join patient p on m.subject_kind = 'patient' and p.id = m.subject_id"
      + " left join visit_member vm on m.subject_kind = 'patient' and vm.visit_id = c.visit_id and vm.patient_id = m.subject_id"
      + " and vm.removed_at is null";

  /** Who is in the call now, in the order they joined. */
  static Future<List<MemberRow>> current(SqlClient client, UUID callId) {
    return client.preparedQuery(MEMBER_SELECT + " where m.call_id = $1 and m.left_at is null and m.peer_id is not null order by m.joined_at, m.peer_id")
        .execute(Tuple.of(callId)).map(rows -> {
          List<MemberRow> out = new ArrayList<>();
          for (Row r : rows) {
            out.add(new MemberRow(r.getString("subject_kind"), r.getUUID("subject_id"), r.getString("role"), r.getUUID("peer_id"),
                r.getOffsetDateTime("joined_at").toInstant(), r.getBoolean("audio"), r.getBoolean("video"), r.getString("name")));
          }
          return out;
        });
  }

  /** How many took part at all (joined at least once). */
  static Future<Integer> everJoined(SqlClient client, UUID callId) {
    return client.preparedQuery("select count(*) from call_member where call_id = $1 and joined_at is not null").execute(Tuple.of(callId))
        .map(rows -> rows.iterator().next().getLong(0).intValue());
  }

  /**
   * Joins (or rejoins) the subject as a new peer: the row's peer id is replaced, its media reset to
   * on, its drop cleared. The previous peer id is the caller's to announce as gone.
   */
  static Future<Void> join(SqlClient client, UUID callId, String subjectKind, UUID subjectId, String role, UUID peerId, Instant at) {
    return client.preparedQuery("insert into call_member (call_id, subject_kind, subject_id, role, peer_id, joined_at)"
            + " values ($1, $2, $3, $4, $5, $6) on conflict (call_id, subject_id) do update set peer_id = excluded.peer_id,"
            + " joined_at = excluded.joined_at, left_at = null, dropped_at = null, audio = true, video = true, role = excluded.role")
        .execute(Tuple.of(callId, subjectKind, subjectId, role, peerId, Timestamps.at(at))).mapEmpty();
  }

  /** The peer leaves; false if it was not in the call (left already, or replaced by a rejoin). */
  static Future<Boolean> leave(SqlClient client, UUID callId, UUID peerId, Instant at) {
    return client.preparedQuery("update call_member set left_at = $3 where call_id = $1 and peer_id = $2 and left_at is null")
        .execute(Tuple.of(callId, peerId, Timestamps.at(at))).map(rows -> rows.rowCount() == 1);
  }

  /** The peer's socket closed: it stays in the call for the grace. */
  static Future<Void> dropped(SqlClient client, UUID callId, UUID peerId, Instant at) {
    return client.preparedQuery("update call_member set dropped_at = $3 where call_id = $1 and peer_id = $2 and left_at is null")
        .execute(Tuple.of(callId, peerId, Timestamps.at(at))).mapEmpty();
  }

  static Future<List<Dropped>> droppedBefore(SqlClient client, Instant cutoff) {
    return client.preparedQuery("select call_id, peer_id from call_member where dropped_at is not null and dropped_at <= $1 and left_at is null")
        .execute(Tuple.of(Timestamps.at(cutoff))).map(rows -> {
          List<Dropped> out = new ArrayList<>();
          rows.forEach(r -> out.add(new Dropped(r.getUUID("call_id"), r.getUUID("peer_id"))));
          return out;
        });
  }

  /** Sets the peer's microphone and camera; false if it is not in the call. */
  static Future<Boolean> media(SqlClient client, UUID callId, UUID peerId, boolean audio, boolean video) {
    return client.preparedQuery("update call_member set audio = $3, video = $4 where call_id = $1 and peer_id = $2 and left_at is null")
        .execute(Tuple.of(callId, peerId, audio, video)).map(rows -> rows.rowCount() == 1);
  }

  /** The joined time of a current peer (null if it is not in the call). */
  static Future<Instant> joinedAt(SqlClient client, UUID callId, UUID peerId) {
    return client.preparedQuery("select joined_at from call_member where call_id = $1 and peer_id = $2 and left_at is null")
        .execute(Tuple.of(callId, peerId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime(0).toInstant());
  }

  /** One statement per relayed signal: null if there is no such call. */
  static Future<SignalCheck> signalCheck(SqlClient client, UUID callId, UUID from, UUID to) {
    return client.preparedQuery("select c.state,"
            + " exists (select 1 from call_member m where m.call_id = c.id and m.peer_id = $2 and m.left_at is null) as sender_in,"
            + " exists (select 1 from call_member m where m.call_id = c.id and m.peer_id = $3 and m.left_at is null) as target_in"
            + " from call c where c.id = $1")
        .execute(Tuple.of(callId, from, to))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row r = rows.iterator().next();
          return new SignalCheck(CallState.fromCode(r.getString("state")), r.getBoolean("sender_in"), r.getBoolean("target_in"));
        });
  }

  /** Calls with media flowing or reconnecting now (the gauge). */
  static Future<Long> active(SqlClient client) {
    return client.query("select count(*) from call where state in ('active', 'reconnecting')").execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  static Future<Boolean> tookPart(SqlClient client, UUID callId, UUID subjectId) {
    return client.preparedQuery("select 1 from call_member where call_id = $1 and subject_id = $2").execute(Tuple.of(callId, subjectId))
        .map(rows -> rows.size() > 0);
  }

  /** The subjects who took part in the call, for frames to all their sockets. */
  static Future<List<UUID>> subjects(SqlClient client, UUID callId) {
    return client.preparedQuery("select subject_id from call_member where call_id = $1").execute(Tuple.of(callId)).map(CallStore::ids);
  }
}
