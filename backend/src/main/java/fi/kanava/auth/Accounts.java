package fi.kanava.auth;

import fi.kanava.infra.Timestamps;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Require;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/** Professional accounts: create, list, disable and enable (admin functions). */
public final class Accounts {
  static final int MIN_PASSWORD_LENGTH = 12;
  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@-]{3,100}");

  private final Vertx vertx;
  private final Pool pool;
  private final PasswordHasher hasher;
  private final Sessions sessions;
  private final Clock clock;

  public Accounts(Vertx vertx, Pool pool, PasswordHasher hasher, Sessions sessions, Clock clock) {
    this.vertx = vertx;
    this.pool = pool;
    this.hasher = hasher;
    this.sessions = sessions;
    this.clock = clock;
  }

  /** The body of {@code POST /api/admin/accounts}, validated as it is decoded. */
  public record NewAccount(
      String username,
      String password,
      String displayName,
      Role role,
      String profession,
      String organisationId,
      String unitId,
      List<Language> languages,
      List<String> specialties,
      List<String> skills) {

    @com.fasterxml.jackson.annotation.JsonCreator
    public static NewAccount fromJson(
        @com.fasterxml.jackson.annotation.JsonProperty("username") String username,
        @com.fasterxml.jackson.annotation.JsonProperty("password") String password,
        @com.fasterxml.jackson.annotation.JsonProperty("displayName") String displayName,
        @com.fasterxml.jackson.annotation.JsonProperty("role") String role,
        @com.fasterxml.jackson.annotation.JsonProperty("profession") String profession,
        @com.fasterxml.jackson.annotation.JsonProperty("organisationId") String organisationId,
        @com.fasterxml.jackson.annotation.JsonProperty("unitId") String unitId,
        @com.fasterxml.jackson.annotation.JsonProperty("languages") List<String> languages,
        @com.fasterxml.jackson.annotation.JsonProperty("specialties") List<String> specialties,
        @com.fasterxml.jackson.annotation.JsonProperty("skills") List<String> skills) {
      String name = Require.text(username, "username", 100);
      if (!USERNAME.matcher(name).matches()) {
        throw ApiError.badRequest("invalid_field", "Field 'username' may hold letters, digits and . _ @ - (3 to 100)");
      }
      String secret = Require.secret(password, "password", 256);
      if (secret.length() < MIN_PASSWORD_LENGTH) {
        throw ApiError.badRequest("weak_password", "The password must be at least " + MIN_PASSWORD_LENGTH + " characters long");
      }
      Role parsedRole = Require.code(role, "role", Role::fromCode);
      String parsedProfession = Require.optionalText(profession, "profession", 100);
      if (parsedRole == Role.SPECIALIST && parsedProfession == null) {
        throw ApiError.badRequest("missing_field", "Field 'profession' is required for a specialist");
      }
      return new NewAccount(
          name,
          secret,
          Require.text(displayName, "displayName", 200),
          parsedRole,
          parsedProfession,
          Require.text(organisationId, "organisationId", 63),
          Require.optionalText(unitId, "unitId", 63),
          Require.codes(languages, "languages", Language::fromCode),
          // the expert registry's terms (optional here; see fi.kanava.directory)
          fi.kanava.directory.Expertise.terms(specialties, "specialties"),
          fi.kanava.directory.Expertise.terms(skills, "skills"));
    }

    @Override
    public String toString() {
      return "NewAccount[" + username + ", " + role + "]";
    }
  }

  public Future<JsonObject> create(NewAccount request) {
    return vertx.executeBlocking(() -> hasher.hash(request.password()))
        .compose(hash -> pool.withTransaction(tx -> insert(tx, request, hash)))
        .recover(e -> {
          if (e instanceof PgException pg && "23505".equals(pg.getSqlState())) {
            return Future.failedFuture(ApiError.conflict("username_taken", "That username is already in use"));
          }
          return Future.failedFuture(e);
        });
  }

  private Future<JsonObject> insert(SqlClient tx, NewAccount request, String hash) {
    UUID id = UUID.randomUUID();
    return tx.preparedQuery("select kind, seat_limit from organisation where id = $1 for update")
        .execute(Tuple.of(request.organisationId()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ApiError.badRequest("unknown_organisation", "No organisation '" + request.organisationId() + "'"));
          }
          Row org = rows.iterator().next();
          boolean partnerOrg = "partner".equals(org.getString("kind"));
          if (partnerOrg != (request.role() == Role.PARTNER)) {
            return Future.failedFuture(ApiError.badRequest("role_not_allowed",
                "Partner organisations have partner accounts only, and partner accounts belong to partner organisations"));
          }
          Integer seats = org.getInteger("seat_limit");
          return checkUnit(tx, request)
              .compose(v -> seats == null ? Future.succeededFuture() : checkSeats(tx, request.organisationId(), seats));
        })
        .compose(v -> tx.preparedQuery(
                "insert into account (id, username, username_key, display_name, role, profession, organisation_id, unit_id,"
                    + " languages, password_hash, created_at, specialties, skills) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
            .execute(Tuple.of(id, request.username(), request.username().toLowerCase(Locale.ROOT), request.displayName(),
                    request.role().code(), request.profession())
                .addValue(request.organisationId())
                .addValue(request.unitId())
                .addValue(request.languages().stream().map(Language::code).toArray(String[]::new))
                .addValue(hash)
                .addValue(Timestamps.at(clock.instant()))
                .addValue(request.specialties().toArray(String[]::new))
                .addValue(request.skills().toArray(String[]::new))))
        .compose(v -> get(tx, id));
  }

  private static Future<Void> checkUnit(SqlClient tx, NewAccount request) {
    if (request.unitId() == null) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery("select 1 from unit where id = $1 and organisation_id = $2")
        .execute(Tuple.of(request.unitId(), request.organisationId()))
        .compose(rows -> rows.size() == 1
            ? Future.succeededFuture()
            : Future.failedFuture(ApiError.badRequest("unknown_unit", "No unit '" + request.unitId() + "' in that organisation")));
  }

  /** The organisation row is locked above, so two admins cannot both take the last seat. */
  private static Future<Void> checkSeats(SqlClient tx, String organisationId, int seats) {
    return tx.preparedQuery("select count(*) as used from account where organisation_id = $1 and disabled_at is null")
        .execute(Tuple.of(organisationId))
        .compose(rows -> rows.iterator().next().getLong("used") >= seats
            ? Future.failedFuture(ApiError.conflict("seat_limit_reached", "The organisation has no free seats (" + seats + ")"))
            : Future.succeededFuture());
  }

  /** The accounts of one organisation, or ({@code organisationId} null) of all. */
  public Future<JsonArray> list(String organisationId) {
    return pool.preparedQuery(SELECT + " where ($1::text is null or a.organisation_id = $1) order by a.organisation_id, a.display_name, a.id")
        .execute(Tuple.of(organisationId)).map(rows -> {
      List<JsonObject> out = new ArrayList<>();
      rows.forEach(row -> out.add(toJson(row)));
      return new JsonArray(out);
    });
  }

  /**
   * Disables an account: it can no longer sign in, its refresh tokens are revoked, and its access
   * tokens and sockets end at once on this node and within seconds on every other.
   */
  public Future<JsonObject> disable(UUID id) {
    return pool.withTransaction(tx -> tx.preparedQuery(
                "update account set disabled_at = coalesce(disabled_at, $2) where id = $1 returning id")
            .execute(Tuple.of(id, Timestamps.at(clock.instant())))
            .compose(rows -> rows.size() == 0 ? Future.failedFuture(noSuchAccount()) : Future.succeededFuture())
            .compose(v -> sessions.revokeAll(tx, Principal.Kind.PROFESSIONAL, id, Revocations.ACCOUNT_DISABLED))
            .compose(revoked -> get(tx, id).map(account -> new Disabled(account, revoked))))
        // after the commit: from then on its access tokens are refused and its sockets end
        .map(disabled -> {
          sessions.applied(disabled.revoked());
          return disabled.account();
        });
  }

  private record Disabled(JsonObject account, Revocations.Revocation revoked) {}

  /** Re-enables an account; a partner organisation's seat limit still holds. */
  public Future<JsonObject> enable(UUID id) {
    return pool.withTransaction(tx -> tx.preparedQuery(
                "select a.organisation_id, o.seat_limit, a.disabled_at from account a join organisation o on o.id = a.organisation_id"
                    + " where a.id = $1 for update of o")
            .execute(Tuple.of(id))
            .compose(rows -> {
              if (rows.size() == 0) {
                return Future.failedFuture(noSuchAccount());
              }
              Row row = rows.iterator().next();
              Integer seats = row.getInteger("seat_limit");
              if (row.getOffsetDateTime("disabled_at") == null || seats == null) {
                return Future.succeededFuture();
              }
              return checkSeats(tx, row.getString("organisation_id"), seats);
            })
            .compose(v -> tx.preparedQuery("update account set disabled_at = null where id = $1").execute(Tuple.of(id)))
            .compose(v -> get(tx, id)));
  }

  /** Whose an account is and what it may do: what administering it is decided on. */
  public record Owner(String organisationId, Role role) {}

  public Future<Owner> owner(UUID id) {
    return pool.preparedQuery("select organisation_id, role from account where id = $1").execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(noSuchAccount())
            : Future.succeededFuture(new Owner(rows.iterator().next().getString(0), Role.fromCode(rows.iterator().next().getString(1)))));
  }

  private static final String SELECT =
      "select a.id, a.username, a.display_name, a.role, a.profession, a.organisation_id, a.unit_id, a.languages,"
          + " a.specialties, a.skills, a.created_at, a.disabled_at from account a";

  private static Future<JsonObject> get(SqlClient client, UUID id) {
    return client.preparedQuery(SELECT + " where a.id = $1")
        .execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(noSuchAccount()) : Future.succeededFuture(toJson(rows.iterator().next())));
  }

  private static JsonObject toJson(Row row) {
    return new JsonObject()
        .put("id", row.getUUID("id").toString())
        .put("username", row.getString("username"))
        .put("displayName", row.getString("display_name"))
        .put("role", row.getString("role"))
        .put("profession", row.getString("profession"))
        .put("organisationId", row.getString("organisation_id"))
        .put("unitId", row.getString("unit_id"))
        .put("languages", new JsonArray(List.of(row.getArrayOfStrings("languages"))))
        .put("specialties", new JsonArray(List.of(row.getArrayOfStrings("specialties"))))
        .put("skills", new JsonArray(List.of(row.getArrayOfStrings("skills"))))
        .put("createdAt", row.getOffsetDateTime("created_at").toInstant().toString())
        .put("disabled", row.getOffsetDateTime("disabled_at") != null);
  }

  private static ApiError noSuchAccount() {
    return ApiError.notFound("account_not_found", "No such account");
  }
}
