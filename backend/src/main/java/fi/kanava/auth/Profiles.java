package fi.kanava.auth;

import fi.kanava.infra.ApiError;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** The name (and, for accounts, the role) a principal's frames and messages carry. */
public final class Profiles {
  private final Pool pool;

  public Profiles(Pool pool) {
    this.pool = pool;
  }

  public Future<Profile> profile(Principal principal) {
    if (principal.isPatient()) {
      return pool.preparedQuery("select display_name from patient where id = $1").execute(Tuple.of(principal.id()))
          .map(rows -> new Profile(rows.size() == 0 ? null : rows.iterator().next().getString(0), null));
    }
    // an access token outlives the disabling of its account: a socket must not (its sockets were ended then)
    return pool.preparedQuery("select display_name, role from account where id = $1 and disabled_at is null")
        .execute(Tuple.of(principal.id()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(ApiError.unauthenticated("account_disabled", "The account was disabled"));
          }
          Row row = rows.iterator().next();
          return Future.succeededFuture(new Profile(row.getString("display_name"), row.getString("role")));
        });
  }
}
