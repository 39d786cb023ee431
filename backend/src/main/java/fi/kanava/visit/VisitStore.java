package fi.kanava.visit;

import fi.kanava.infra.Timestamps;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The SQL of {@code visit}, {@code visit_member} and {@code visit_code}, the only class that writes
 * them; it reads {@code network_check} (the latest result per member) and {@code call} (the visit's
 * open call) for the visit's view. Runs on the connection it is given.
 */
final class VisitStore {
  private VisitStore() {}

  /** A new visit's row. */
  record NewVisit(UUID id, String organisationId, String unitId, String queueId, UUID patientId, UUID conversationId, Instant startsAt,
      int durationMinutes, String channel, String language, boolean interpreterNeeded, UUID bookedBy, Instant bookedAt) {}

  /** One account that may hold a visit: enabled, its organisation and role. */
  record Account(UUID id, String organisationId, String unitId, String role, String name, boolean enabled) {}

  /** A join code found by its hash. */
  record Code(UUID visitId, UUID memberId, Instant expiresAt, Instant usedAt) {}

  static Future<Void> insert(SqlClient tx, NewVisit v) {
    return tx.preparedQuery("insert into visit (id, organisation_id, unit_id, queue_id, patient_id, conversation_id, starts_at,"
            + " duration_minutes, channel, language, interpreter_needed, state, booked_by, booked_at)"
            + " values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'booked', $12, $13)")
        .execute(Tuple.of(v.id(), v.organisationId(), v.unitId(), v.queueId(), v.patientId(), v.conversationId(), Timestamps.at(v.startsAt()),
                v.durationMinutes(), v.channel(), v.language())
            .addValue(v.interpreterNeeded()).addValue(v.bookedBy()).addValue(Timestamps.at(v.bookedAt())))
        .mapEmpty();
  }

  static Future<Void> insertMember(SqlClient tx, UUID id, UUID visitId, MemberKind kind, UUID accountId, UUID patientId, String displayName,
      Instant at, UUID invitedBy) {
    return tx.preparedQuery("insert into visit_member (id, visit_id, kind, account_id, patient_id, display_name, invited_at, invited_by)"
            + " values ($1, $2, $3, $4, $5, $6, $7, $8)")
        .execute(Tuple.of(id, visitId, kind.code(), accountId, patientId, displayName, Timestamps.at(at), invitedBy))
        .mapEmpty();
  }

  static Future<List<Account>> accounts(SqlClient client, List<UUID> ids) {
    return client.preparedQuery("select id, organisation_id, unit_id, role, display_name, disabled_at from account where id = any($1)")
        .execute(Tuple.of(ids.toArray(new UUID[0])))
        .map(rows -> {
          List<Account> out = new ArrayList<>();
          for (Row row : rows) {
            out.add(new Account(row.getUUID("id"), row.getString("organisation_id"), row.getString("unit_id"), row.getString("role"),
                row.getString("display_name"), row.getOffsetDateTime("disabled_at") == null));
          }
          return out;
        });
  }

  /** The visit with its current members, their latest network checks and its open call; null if there is none. */
  static Future<Visit> load(SqlClient client, UUID id, boolean lock) {
    return client.preparedQuery("select v.*, (select c.id from call c where c.visit_id = v.id and c.state <> 'ended' limit 1) as call_id,"
            + " (select c.id from conversation c where c.visit_id = v.id) as chat_id"
            + " from visit v where v.id = $1" + (lock ? " for update of v" : ""))
        .execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(null);
          }
          Row v = rows.iterator().next();
          return members(client, id).map(members -> visit(v, members));
        });
  }

  private static Future<List<Visit.Member>> members(SqlClient client, UUID visitId) {
    Future<Map<UUID, Visit.NetworkCheck>> checks = client.preparedQuery(
            "select distinct on (subject_id) subject_id, result, rtt_ms, loss_percent, coalesce(finished_at, started_at) as at"
                + " from network_check where visit_id = $1 and result is not null order by subject_id, started_at desc")
        .execute(Tuple.of(visitId))
        .map(rows -> {
          Map<UUID, Visit.NetworkCheck> out = new HashMap<>();
          for (Row row : rows) {
            Number loss = (Number) row.getValue("loss_percent");
            out.put(row.getUUID("subject_id"), new Visit.NetworkCheck(row.getString("result"), row.getInteger("rtt_ms"),
                loss == null ? null : loss.doubleValue(), row.getOffsetDateTime("at").toInstant()));
          }
          return out;
        });
    return checks.compose(byMember -> client.preparedQuery(
            "select m.*, a.display_name as account_name, a.role as account_role from visit_member m"
                + " left join account a on a.id = m.account_id where m.visit_id = $1 and m.removed_at is null order by m.invited_at, m.id")
        .execute(Tuple.of(visitId))
        .map(rows -> {
          List<Visit.Member> out = new ArrayList<>();
          for (Row row : rows) {
            UUID account = row.getUUID("account_id");
            UUID patient = row.getUUID("patient_id");
            out.add(new Visit.Member(row.getUUID("id"), MemberKind.fromCode(row.getString("kind")), account, patient,
                account != null ? row.getString("account_name") : row.getString("display_name"), row.getString("account_role"),
                instant(row, "arrived_at"), instant(row, "admitted_at"), byMember.get(account != null ? account : patient)));
          }
          return out;
        }));
  }

  private static Visit visit(Row v, List<Visit.Member> members) {
    return new Visit(v.getUUID("id"), v.getString("organisation_id"), v.getString("unit_id"), v.getString("queue_id"), v.getUUID("patient_id"),
        v.getUUID("conversation_id"), instant(v, "starts_at"), v.getInteger("duration_minutes"), v.getString("channel"), v.getString("language"),
        v.getBoolean("interpreter_needed"), VisitState.fromCode(v.getString("state")), v.getUUID("booked_by"), instant(v, "booked_at"),
        instant(v, "arrived_at"), instant(v, "admitted_at"), v.getInteger("late_minutes"), instant(v, "ended_at"), v.getString("cancel_reason"),
        v.getUUID("call_id"), List.copyOf(members), v.getUUID("chat_id"));
  }

  private static Instant instant(Row row, String column) {
    OffsetDateTime value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }

  /** The visits a professional holds (as professional or colleague) starting in [from, to), by start. */
  static Future<List<UUID>> dayOf(SqlClient client, UUID accountId, Instant from, Instant to) {
    return client.preparedQuery("select v.id from visit v join visit_member m on m.visit_id = v.id"
            + " where m.account_id = $1 and m.removed_at is null and v.starts_at >= $2 and v.starts_at < $3 order by v.starts_at, v.id")
        .execute(Tuple.of(accountId, Timestamps.at(from), Timestamps.at(to)))
        .map(rows -> {
          List<UUID> out = new ArrayList<>();
          rows.forEach(row -> out.add(row.getUUID(0)));
          return out;
        });
  }

  static Future<Void> setState(SqlClient tx, UUID id, VisitState state, Instant at) {
    return tx.preparedQuery("update visit set state = $2,"
            + " arrived_at = case when $2 = 'waiting' then coalesce(arrived_at, $3::timestamptz) else arrived_at end,"
            + " admitted_at = case when $2 = 'admitted' then coalesce(admitted_at, $3::timestamptz) else admitted_at end,"
            + " ended_at = case when $2 in ('completed', 'cancelled', 'no_show') then coalesce(ended_at, $3::timestamptz) else ended_at end"
            + " where id = $1")
        .execute(Tuple.of(id, state.code(), Timestamps.at(at)))
        .mapEmpty();
  }

  static Future<Void> cancelReason(SqlClient tx, UUID id, String reason) {
    return tx.preparedQuery("update visit set cancel_reason = $2 where id = $1").execute(Tuple.of(id, reason)).mapEmpty();
  }

  static Future<Void> late(SqlClient tx, UUID id, int minutes, Instant at) {
    return tx.preparedQuery("update visit set late_minutes = $2, late_at = $3 where id = $1")
        .execute(Tuple.of(id, minutes, Timestamps.at(at)))
        .mapEmpty();
  }

  /** A new time: the late notice no longer holds. */
  static Future<Void> reschedule(SqlClient tx, UUID id, Instant startsAt, int durationMinutes) {
    return tx.preparedQuery("update visit set starts_at = $2, duration_minutes = $3, late_minutes = null, late_at = null where id = $1")
        .execute(Tuple.of(id, Timestamps.at(startsAt), durationMinutes))
        .mapEmpty();
  }

  static Future<Void> arrived(SqlClient tx, UUID memberId, Instant at) {
    return tx.preparedQuery("update visit_member set arrived_at = coalesce(arrived_at, $2) where id = $1")
        .execute(Tuple.of(memberId, Timestamps.at(at)))
        .mapEmpty();
  }

  static Future<Void> admitted(SqlClient tx, UUID memberId, Instant at) {
    return tx.preparedQuery("update visit_member set admitted_at = $2 where id = $1").execute(Tuple.of(memberId, Timestamps.at(at))).mapEmpty();
  }

  /** The call was lost before the visit took place: those let in wait again (from now). */
  static Future<Void> backToRoom(SqlClient tx, UUID visitId, Instant at) {
    return tx.preparedQuery("update visit_member set admitted_at = null, arrived_at = case when arrived_at is null then null else $2::timestamptz end"
            + " where visit_id = $1 and admitted_at is not null and account_id is null")
        .execute(Tuple.of(visitId, Timestamps.at(at)))
        .mapEmpty();
  }

  static Future<Void> insertCode(SqlClient tx, Buffer hash, UUID visitId, UUID memberId, Instant at, Instant expiresAt) {
    return tx.preparedQuery("insert into visit_code (code_hash, visit_id, member_id, issued_at, expires_at) values ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(hash, visitId, memberId, Timestamps.at(at), Timestamps.at(expiresAt)))
        .mapEmpty();
  }

  static Future<Code> code(SqlClient tx, Buffer hash) {
    return tx.preparedQuery("select visit_id, member_id, expires_at, used_at from visit_code where code_hash = $1 for update")
        .execute(Tuple.of(hash))
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          return new Code(row.getUUID("visit_id"), row.getUUID("member_id"), instant(row, "expires_at"), instant(row, "used_at"));
        });
  }

  static Future<Void> useCode(SqlClient tx, Buffer hash, Instant at) {
    return tx.preparedQuery("update visit_code set used_at = $2 where code_hash = $1").execute(Tuple.of(hash, Timestamps.at(at))).mapEmpty();
  }

  /** Codes not used yet end with the visit's new end (rescheduled earlier) or at once (cancelled). */
  static Future<Void> capCodes(SqlClient tx, UUID visitId, Instant notAfter) {
    return tx.preparedQuery("update visit_code set expires_at = $2 where visit_id = $1 and used_at is null and expires_at > $2")
        .execute(Tuple.of(visitId, Timestamps.at(notAfter)))
        .mapEmpty();
  }

  /**
   * Marks as no-shows, in one statement (safe with several nodes), the booked visits (nobody
   * arrived) that started at or before {@code startedBy}; returns their ids.
   */
  static Future<List<UUID>> noShows(SqlClient client, Instant startedBy, Instant at) {
    return client.preparedQuery("update visit set state = 'no_show', ended_at = $2 where state = 'booked' and starts_at <= $1 returning id")
        .execute(Tuple.of(Timestamps.at(startedBy), Timestamps.at(at)))
        .map(rows -> {
          List<UUID> out = new ArrayList<>();
          rows.forEach(row -> out.add(row.getUUID(0)));
          return out;
        });
  }
}
