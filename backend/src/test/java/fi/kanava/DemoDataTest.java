package fi.kanava;

import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Demo data")
class DemoDataTest {

  @Test
  void loads_completely_and_a_second_load_changes_nothing() {
    try (TestApp t = TestApp.start()) {
      TestApp.await(DemoData.load(t.app.services()));
      TestApp.await(DemoData.load(t.app.services()));
      var counts = TestApp.await(t.pool().query("select (select count(*) from account) as accounts, (select count(*) from queue) as queues,"
          + " (select count(*) from queue_member) as members").execute()).iterator().next();
      assertThat(counts.getLong("accounts")).isEqualTo(9);
      assertThat(counts.getLong("queues")).isEqualTo(6);
      assertThat(counts.getLong("members")).isEqualTo(8);
      // the three consult queues, with their response targets, never shown to patients
      var consult = TestApp.await(t.pool().query("select string_agg(id || '=' || consult_response_minutes, ',' order by id) from queue"
          + " where kind = 'consult'").execute()).iterator().next();
      assertThat(consult.getString(0)).isEqualTo("consult-dental-hygienist=2880,consult-on-duty=60,consult-psychiatry=1440");
      assertThat(TestApp.await(t.app.services().queues().publicList()).stream().map(q -> ((JsonObject) q).getString("id")).toList())
          .containsExactlyInAnyOrder("nurse-chat", "dental", "doctor-chat");
      JsonObject login = t.post("/api/auth/login", null, new JsonObject().put("username", "hoitaja").put("password", DemoData.PASSWORD))
          .bodyAsJsonObject();
      assertThat(login.getString("accessToken")).isNotBlank();
      // one video visit today for the physician, booked once; a second load makes no new link (a link is a credential
      // and is not logged: the physician makes one in the console)
      var visit = TestApp.await(t.pool().query("select v.channel, m.display_name, (select count(*) from visit_code c where c.visit_id = v.id)"
          + " from visit v join visit_member m on m.visit_id = v.id and m.kind = 'patient'").execute());
      assertThat(visit.size()).isEqualTo(1);
      var row = visit.iterator().next();
      assertThat(row.getString(0)).isEqualTo("video");
      assertThat(row.getString(1)).isEqualTo("Aino Asiakas");
      assertThat(row.getLong(2)).isEqualTo(1);
    }
  }

  @Test
  void is_not_loaded_unless_asked() {
    try (TestApp t = TestApp.start()) {
      var accounts = TestApp.await(t.pool().query("select count(*) from account").execute()).iterator().next();
      assertThat(accounts.getLong(0)).isZero();
    }
  }
}
