package fi.kanava.auth;

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
    return pool.preparedQuery("select display_name, role from account where id = $1").execute(Tuple.of(principal.id()))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new Profile(row.getString("display_name"), row.getString("role"));
        });
  }
}
