package fi.kanava.infra;

import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Transaction;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Bounded waits on the database")
class BoundedWaitsTest {
  @Test
  @DisplayName("a lock held on conversations makes requests fail with database_busy instead of waiting, stores nothing, and they work once it is gone")
  void a_held_lock_is_a_clear_error_not_a_hang() {
    try (TestApp t = TestApp.start(Map.of("db.lock-timeout", "PT0.3S"))) {
      Fixtures f = new Fixtures(t).organisations();
      ChatFixtures c = new ChatFixtures(t, f);
      c.createQueue(ChatFixtures.queue("held", "pick"));
      try (Patient p = c.anonymousPatient()) {
        PgConnection other = TestApp.await(PgConnection.connect(t.vertx, t.db.owner().connectOptions()));
        try {
          Transaction tx = TestApp.await(other.begin());
          TestApp.await(other.query("lock table conversation in access exclusive mode").execute());

          assertError(t.get("/api/patient/conversations/current", p.token()), 503, "database_busy");
          JsonObject refused = p.ws().request(ChatFixtures.enter("held"));
          assertThat(refused.getString("code")).isEqualTo("database_busy");
          // what does not touch the locked table still answers
          assertThat(t.get("/health/ready", null).statusCode()).isEqualTo(200);

          TestApp.await(tx.rollback());
        } finally {
          TestApp.await(other.close());
        }
        assertThat(t.row("select count(*) from conversation where queue_id = 'held'").getLong(0)).isZero();
        assertThat(p.ws().request(ChatFixtures.enter("held")).getString("type")).isEqualTo("queue.entered");
        assertThat(t.get("/api/patient/conversations/current", p.token()).statusCode()).isEqualTo(200);
      }
    }
  }
}
