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
      String history = "select (select count(*) from conversation) + (select count(*) from conversation_participant)"
          + " + (select count(*) from conversation_transfer) + (select count(*) from consultation) + (select count(*) from visit)"
          + " + (select count(*) from visit_member) + (select count(*) from feedback_response) + (select count(*) from professional_feedback)"
          + " + (select count(*) from patient)";
      long rows = TestApp.await(t.pool().query(history).execute()).iterator().next().getLong(0);
      assertThat(rows).isGreaterThan(1000);
      TestApp.await(DemoData.load(t.app.services()));
      assertThat(TestApp.await(t.pool().query(history).execute()).iterator().next().getLong(0)).isEqualTo(rows);
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
          + " from visit v join visit_member m on m.visit_id = v.id and m.kind = 'patient' where v.state = 'booked'").execute());
      assertThat(visit.size()).isEqualTo(1);
      var row = visit.iterator().next();
      assertThat(row.getString(0)).isEqualTo("video");
      assertThat(row.getString(1)).isEqualTo("Aino Asiakas");
      assertThat(row.getLong(2)).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("Last month's report shows the seeded history: contacts, waits, NPS, visits and consultations")
  void last_month_has_figures() {
    try (TestApp t = TestApp.start()) {
      TestApp.await(DemoData.load(t.app.services()));
      String token = t.post("/api/auth/login", null, new JsonObject().put("username", "esihenkilo").put("password", DemoData.PASSWORD))
          .bodyAsJsonObject().getString("accessToken");
      // the test clock's today is 2026-03-02: last month is February
      var response = t.get("/api/reports/monthly?month=2026-02&queue=nurse-chat", token);
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject nurse = response.bodyAsJsonObject().getJsonArray("queues").getJsonObject(0);
      assertThat(nurse.getString("queueId")).isEqualTo("nurse-chat");
      assertThat(nurse.getLong("contacts")).isGreaterThan(100);
      assertThat(nurse.getDouble("nps")).isBetween(60.0, 95.0);
      assertThat(nurse.getDouble("waitP50Seconds")).isPositive();
      assertThat(nurse.getDouble("waitP90Seconds")).isGreaterThan(nurse.getDouble("waitP50Seconds"));
      assertThat(nurse.getDouble("responseRate")).isBetween(0.3, 0.5);
      assertThat(nurse.getLong("transferred")).isPositive();
      assertThat(nurse.getLong("abandoned")).isPositive();
      assertThat(nurse.getJsonObject("remoteVisits").getLong("completed")).isPositive();
      JsonObject all = t.get("/api/reports/monthly?month=2026-02", token).bodyAsJsonObject();
      assertThat(all.getJsonObject("total").getJsonObject("consultations").getLong("opened")).isPositive();
      assertThat(all.getJsonObject("total").getJsonObject("consultations").getLong("breached")).isPositive();
      assertThat(all.getJsonObject("total").getJsonObject("unmetDemandByLanguage").fieldNames()).contains("sv", "se");
      assertThat(all.getJsonObject("total").getJsonObject("remoteVisits").getLong("noShow")).isPositive();
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
