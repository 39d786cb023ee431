package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.SocketException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A database that went away or a wait that ran out is database_busy; anything else is not")
class DatabaseErrorsTest {
  private static String code(Throwable failure) {
    ApiError error = DatabaseErrors.busyOrNull(failure);
    return error == null ? null : error.code();
  }

  @Test
  void a_lost_or_refused_connection_is_busy_however_deep_in_the_causes() {
    // the fault drill's PostgreSQL restart reset connections in the middle of message.send: internal_error before
    assertThat(code(new SocketException("Connection reset"))).isEqualTo("database_busy");
    assertThat(code(new IllegalStateException(new SocketException("Connection reset")))).isEqualTo("database_busy");
    assertThat(code(new ConnectException("Connection refused"))).isEqualTo("database_busy");
    assertThat(code(io.vertx.sqlclient.ClosedConnectionException.INSTANCE)).isEqualTo("database_busy");
  }

  @Test
  void other_failures_are_not() {
    assertThat(code(new IllegalStateException("a bug"))).isNull();
    assertThat(code(new NullPointerException())).isNull();
  }
}
