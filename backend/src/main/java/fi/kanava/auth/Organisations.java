package fi.kanava.auth;

import fi.kanava.infra.Timestamps;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Require;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Organisations (a wellbeing area, or a partner with a seat limit) and their units. */
public final class Organisations {
  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{1,62}");

  private final Pool pool;
  private final Clock clock;

  public Organisations(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** {@code partnerOf}: for a partner, the wellbeing area it works with, whose admins assign its seats (fi.kanava.referral). */
  public record NewOrganisation(String id, String name, String kind, Integer seatLimit, String partnerOf) {
    @JsonCreator
    public static NewOrganisation fromJson(
        @JsonProperty("id") String id,
        @JsonProperty("name") String name,
        @JsonProperty("kind") String kind,
        @JsonProperty("seatLimit") Integer seatLimit,
        @JsonProperty("partnerOf") String partnerOf) {
      String parsedKind = Require.text(kind, "kind", 20);
      if (!parsedKind.equals("wellbeing_area") && !parsedKind.equals("partner")) {
        throw ApiError.badRequest("invalid_field", "Field 'kind' must be wellbeing_area or partner");
      }
      if (seatLimit != null && (seatLimit < 1 || !parsedKind.equals("partner"))) {
        throw ApiError.badRequest("invalid_field", "Field 'seatLimit' is a positive number, for partner organisations only");
      }
      if (partnerOf != null && !parsedKind.equals("partner")) {
        throw ApiError.badRequest("invalid_field", "Field 'partnerOf' is for partner organisations only");
      }
      return new NewOrganisation(slug(id, "id"), Require.text(name, "name", 200), parsedKind, seatLimit,
          partnerOf == null ? null : slug(partnerOf, "partnerOf"));
    }
  }

  public record NewUnit(String id, String name) {
    @JsonCreator
    public static NewUnit fromJson(@JsonProperty("id") String id, @JsonProperty("name") String name) {
      return new NewUnit(slug(id, "id"), Require.text(name, "name", 200));
    }
  }

  public Future<JsonObject> create(NewOrganisation o) {
    return pool.preparedQuery("insert into organisation (id, name, kind, seat_limit, partner_of, created_at)"
            + " select $1, $2, $3, $4, $5, $6 where $5::text is null or exists (select 1 from organisation where id = $5 and kind = 'wellbeing_area')")
        .execute(Tuple.of(o.id(), o.name(), o.kind(), o.seatLimit(), o.partnerOf(), Timestamps.at(clock.instant())))
        .recover(e -> Future.failedFuture(duplicate(e, "organisation_exists", "An organisation with that id exists")))
        .compose(rows -> rows.rowCount() == 0
            ? Future.failedFuture(ApiError.badRequest("unknown_organisation", "Field 'partnerOf' names no wellbeing area"))
            : Future.succeededFuture(new JsonObject().put("id", o.id()).put("name", o.name()).put("kind", o.kind())
                .put("seatLimit", o.seatLimit()).put("partnerOf", o.partnerOf()).put("units", new JsonArray())));
  }

  public Future<JsonObject> createUnit(String organisationId, NewUnit u) {
    return pool.preparedQuery(
            "insert into unit (id, organisation_id, name, created_at) select $1, id, $3, $4 from organisation where id = $2")
        .execute(Tuple.of(u.id(), organisationId, u.name(), Timestamps.at(clock.instant())))
        .recover(e -> Future.failedFuture(duplicate(e, "unit_exists", "A unit with that id exists")))
        .compose(rows -> rows.rowCount() == 0
            ? Future.failedFuture(ApiError.notFound("organisation_not_found", "No such organisation"))
            : Future.succeededFuture(new JsonObject().put("id", u.id()).put("organisationId", organisationId).put("name", u.name())));
  }

  /** One organisation with its units, or ({@code organisationId} null) all of them. */
  public Future<JsonArray> list(String organisationId) {
    return pool.preparedQuery(
            "select o.id, o.name, o.kind, o.seat_limit, o.partner_of, u.id as unit_id, u.name as unit_name"
                + " from organisation o left join unit u on u.organisation_id = o.id"
                + " where ($1::text is null or o.id = $1) order by o.id, u.id")
        .execute(Tuple.of(organisationId))
        .map(rows -> {
          List<JsonObject> out = new ArrayList<>();
          JsonObject current = null;
          for (Row row : rows) {
            if (current == null || !current.getString("id").equals(row.getString("id"))) {
              current = new JsonObject().put("id", row.getString("id")).put("name", row.getString("name"))
                  .put("kind", row.getString("kind")).put("seatLimit", row.getInteger("seat_limit"))
                  .put("partnerOf", row.getString("partner_of")).put("units", new JsonArray());
              out.add(current);
            }
            if (row.getString("unit_id") != null) {
              current.getJsonArray("units").add(new JsonObject().put("id", row.getString("unit_id")).put("name", row.getString("unit_name")));
            }
          }
          return new JsonArray(out);
        });
  }

  private static String slug(String value, String field) {
    String text = Require.text(value, field, 63);
    if (!ID.matcher(text).matches()) {
      throw ApiError.badRequest("invalid_field", "Field '" + field + "' must be 2-63 lower-case letters, digits and hyphens");
    }
    return text;
  }

  private static Throwable duplicate(Throwable e, String code, String message) {
    return e instanceof PgException pg && "23505".equals(pg.getSqlState()) ? ApiError.conflict(code, message) : e;
  }
}
