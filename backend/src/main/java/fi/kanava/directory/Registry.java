package fi.kanava.directory;

import fi.kanava.auth.Language;
import fi.kanava.auth.Role;
import fi.kanava.infra.ApiError;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The expert registry: owns the SQL of the registry's columns of {@code account} ({@code
 * specialties}, {@code skills}, and {@code languages} when an entry is edited) and the search over
 * a organisation's care professionals with their presence and load. Who may search or edit is
 * decided by the routes through the access guard.
 */
public final class Registry {
  /** At most this many professionals per answer: the most available and least loaded first. */
  public static final int MAX_RESULTS = 50;

  private final Pool pool;

  public Registry(Pool pool) {
    this.pool = pool;
  }

  /** What to look for: every filter optional; {@code query} is already normalised (lower case). */
  public record Search(Optional<String> query, Optional<Language> language, Optional<Role> role, boolean availableOnly) {}

  /** How busy a professional is: accepted open conversations, named transfers waiting for them, and their capacity. */
  public record Load(long active, long waitingTransfers, int maxConcurrent) {}

  /** One professional as colleagues see them in the registry. */
  public record Professional(UUID id, String name, String role, String profession, List<String> specialties, List<String> skills,
      List<String> languages, String status, boolean available, Load load, boolean self) {}

  /** The entry as it is stored after an edit. */
  public record Entry(UUID id, List<String> specialties, List<String> skills, List<String> languages) {}

  private static final String SEARCH = """
      with found as (
        select a.id, a.display_name, a.role, a.profession, a.specialties, a.skills, a.languages, a.max_concurrent,
          coalesce(p.status, 'offline') as status,
          (select count(*) from conversation c where c.assigned_to = a.id and c.state = 'active') as active,
          (select count(*) from conversation c where c.held_for = a.id and c.state = 'queued') as waiting
        from account a left join professional_presence p on p.account_id = a.id
        where a.organisation_id = $1 and a.disabled_at is null and a.role in ('nurse', 'physician', 'specialist')
          and ($2::text is null or a.role = $2)
          and ($3::text is null or $3 = any (a.languages))
          and ($4::text is null or lower(a.display_name) like $4 escape '\\' or lower(coalesce(a.profession, '')) like $4 escape '\\'
            or exists (select 1 from unnest(a.specialties || a.skills) term where term like $4 escape '\\'))
          and (not $5 or coalesce(p.status, 'offline') = 'available')
      )
      select * from found
      order by case status when 'available' then 0 when 'busy' then 1 when 'away' then 2 else 3 end,
        (active + waiting)::float8 / max_concurrent, display_name, id
      limit $6""";

  /** The organisation's active care professionals that match, available first, then by load. */
  public Future<List<Professional>> search(String organisationId, UUID caller, Search search) {
    Tuple params = Tuple.of(organisationId, search.role().map(Role::code).orElse(null), search.language().map(Language::code).orElse(null),
        search.query().map(q -> "%" + escapeLike(q) + "%").orElse(null), search.availableOnly(), MAX_RESULTS);
    return pool.preparedQuery(SEARCH).execute(params).map(rows -> {
      List<Professional> out = new ArrayList<>();
      for (Row row : rows) {
        String status = row.getString("status");
        out.add(new Professional(row.getUUID("id"), row.getString("display_name"), row.getString("role"), row.getString("profession"),
            List.of(row.getArrayOfStrings("specialties")), List.of(row.getArrayOfStrings("skills")), List.of(row.getArrayOfStrings("languages")),
            status, "available".equals(status), new Load(row.getLong("active"), row.getLong("waiting"), row.getInteger("max_concurrent")),
            row.getUUID("id").equals(caller)));
      }
      return out;
    });
  }

  /** Replaces a professional's entry: specialties, skills and languages. */
  public Future<Entry> update(UUID accountId, Expertise expertise) {
    return pool.preparedQuery("update account set specialties = $2, skills = $3, languages = $4 where id = $1"
            + " returning id, specialties, skills, languages")
        .execute(Tuple.of(accountId, expertise.specialties().toArray(String[]::new), expertise.skills().toArray(String[]::new),
            expertise.languages().stream().map(Language::code).toArray(String[]::new)))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ApiError.notFound("account_not_found", "No such account"));
          }
          Row row = rows.iterator().next();
          return Future.succeededFuture(new Entry(row.getUUID("id"), List.of(row.getArrayOfStrings("specialties")),
              List.of(row.getArrayOfStrings("skills")), List.of(row.getArrayOfStrings("languages"))));
        });
  }

  static String escapeLike(String text) {
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
  }
}
