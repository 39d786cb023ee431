package fi.kanava.infra;

import io.vertx.pgclient.PgException;
import java.util.Set;

/**
 * Turns a database wait that hit its bound (statement, lock or idle-in-transaction timeout, no
 * pool connection in time, no connection to the server) or a database that went away under a
 * request (its backend ended, the server restarting or recovering, its connection reset) into the one error a client can
 * act on: 503 {@code database_busy}, try again shortly. A request that failed before it reached the
 * database stored nothing; one whose connection was lost while committing may have been stored, so
 * writes that matter are idempotent ({@code message.send} with the same {@code clientMsgId}).
 */
public final class DatabaseErrors {
  /** query_canceled (statement_timeout), lock_not_available (lock_timeout), idle_in_transaction_session_timeout. */
  private static final Set<String> TIMEOUT_STATES = Set.of("57014", "55P03", "25P03");
  /** admin_shutdown and crash_shutdown (the backend was ended), cannot_connect_now (starting or recovering). */
  private static final Set<String> UNAVAILABLE_STATES = Set.of("57P01", "57P02", "57P03");

  private DatabaseErrors() {}

  /** The {@code database_busy} error for a bounded wait that ran out, or null for any other failure. */
  public static ApiError busyOrNull(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof PgException pg && (TIMEOUT_STATES.contains(pg.getSqlState()) || UNAVAILABLE_STATES.contains(pg.getSqlState())
          || pg.getSqlState() != null && pg.getSqlState().startsWith("08"))) {
        return busy();
      }
      if (t instanceof io.vertx.sqlclient.ClosedConnectionException) {
        return busy();
      }
      String name = t.getClass().getSimpleName();
      if (name.contains("Timeout") || (t.getMessage() != null && t.getMessage().startsWith("Timeout"))
          || t instanceof java.net.SocketException) {
        return busy();
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }

  public static ApiError busy() {
    return new ApiError(503, "database_busy", "The database is busy or unavailable; try again shortly");
  }
}
