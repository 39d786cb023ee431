package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The embedded database")
class EmbeddedDatabaseTest {

  @Test
  void keeps_its_data_across_a_restart(@TempDir Path dir) throws Exception {
    Path data = dir.resolve("postgres");
    try (EmbeddedDatabase db = EmbeddedDatabase.start(data, 0)) {
      DbTarget t = db.target();
      try (var c = DriverManager.getConnection(t.jdbcUrl(), t.user(), t.password()); var s = c.createStatement()) {
        s.execute("create table kept (value text)");
        s.execute("insert into kept values ('still here')");
      }
    }
    try (EmbeddedDatabase db = EmbeddedDatabase.start(data, 0)) {
      DbTarget t = db.target();
      try (var c = DriverManager.getConnection(t.jdbcUrl(), t.user(), t.password()); var s = c.createStatement()) {
        var rs = s.executeQuery("select value from kept");
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo("still here");
      }
    }
  }
}
