package fi.kanava.referral;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * V16 on a database with referrals made before referral threads existed: each gets its own thread,
 * open unless the referral has ended, with the client and the partner organisation as participants.
 */
@DisplayName("V16 gives the referrals made before it a thread each")
class ReferralThreadMigrationTest {
  private static final UUID NURSE = UUID.randomUUID();
  private static final UUID CLIENT = UUID.randomUUID();

  @Test
  @DisplayName("an ongoing referral gets an open thread, an ended one a closed thread; the source keeps the partner, read-only")
  void existing_referrals_get_threads(@TempDir Path dir) throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).start()) {
      var source = pg.getPostgresDatabase();
      Flyway.configure().dataSource(source).locations("classpath:db/migration").target("14").load().migrate();
      UUID ongoing;
      UUID ended;
      try (Connection c = source.getConnection(); var s = c.createStatement()) {
        s.execute("insert into organisation (id, name, kind, created_at) values ('area', 'Area', 'wellbeing_area', now()),"
            + " ('exercise', 'Liikuntaneuvonta', 'partner', now())");
        s.execute("insert into account (id, username, username_key, display_name, role, organisation_id, languages, password_hash, created_at)"
            + " values ('" + NURSE + "', 'n', 'n', 'Nurse', 'nurse', 'area', '{fi}', 'x', now())");
        s.execute("insert into patient (id, kind, created_at) values ('" + CLIENT + "', 'anonymous', now())");
        s.execute("insert into queue (id, names, service_area, municipalities, languages, opening_hours, anonymous_allowed, strong_id_required,"
            + " max_length, routing_mode, questionnaire, created_at, updated_at) values ('chat', '{}', 'Lappi', '{Inari}', '{fi}', '{}', true,"
            + " false, 10, 'pick', '{}', now(), now())");
        ongoing = referral(s, "contacted", "sv");
        ended = referral(s, "completed", "fi");
      }
      Flyway.configure().dataSource(source).locations("classpath:db/migration").load().migrate();
      try (Connection c = source.getConnection(); var s = c.createStatement()) {
        ResultSet open = s.executeQuery("select t.state, t.queue_id, t.assigned_to, t.patient_id, t.language, t.referral_thread, t.outcome"
            + " from referral r join conversation t on t.id = r.thread_conversation_id where r.id = '" + ongoing + "'");
        assertThat(open.next()).isTrue();
        assertThat(open.getString("state")).isEqualTo("active");
        assertThat(open.getString("queue_id")).isNull();
        assertThat(open.getString("assigned_to")).isNull();
        assertThat(open.getString("patient_id")).isEqualTo(CLIENT.toString());
        assertThat(open.getString("language")).isEqualTo("sv");
        assertThat(open.getBoolean("referral_thread")).isTrue();
        ResultSet closed = s.executeQuery("select t.state, t.outcome, t.outcome_detail from referral r"
            + " join conversation t on t.id = r.thread_conversation_id where r.id = '" + ended + "'");
        assertThat(closed.next()).isTrue();
        assertThat(closed.getString("state")).isEqualTo("closed");
        assertThat(closed.getString("outcome")).isEqualTo("referral_ended");
        assertThat(closed.getString("outcome_detail")).isEqualTo("completed");
        ResultSet participants = s.executeQuery("select count(*) filter (where p.kind = 'patient' and p.patient_id = r.patient_id),"
            + " count(*) filter (where p.kind = 'partner' and p.organisation_id = 'exercise') from referral r"
            + " join conversation_participant p on p.conversation_id = r.thread_conversation_id and p.left_at is null");
        assertThat(participants.next()).isTrue();
        assertThat(participants.getInt(1)).isEqualTo(2);
        assertThat(participants.getInt(2)).isEqualTo(2);
      }
    }
  }

  /** A client's conversation with the nurse, referred to the partner (which joined it), with the outcome given. */
  private static UUID referral(java.sql.Statement s, String outcome, String language) throws Exception {
    UUID conversation = UUID.randomUUID();
    UUID id = UUID.randomUUID();
    s.execute("insert into conversation (id, queue_id, patient_id, state, urgency, urgency_rank, language, answers, triage_summary,"
        + " enqueued_at, last_activity_at, closed_at, outcome) values ('" + conversation + "', 'chat', '" + CLIENT + "', 'closed', 'non_urgent', 2, '"
        + language + "', '{}', '[]', now(), now(), now(), 'referred')");
    s.execute("insert into conversation_participant (conversation_id, kind, organisation_id, joined_at) values ('" + conversation
        + "', 'partner', 'exercise', now())");
    s.execute("insert into referral (id, conversation_id, patient_id, partner_organisation_id, referring_organisation_id, referred_by, reason,"
        + " consent_method, consent_asked_by, consent_at, created_at, outcome, outcome_at) values ('" + id + "', '" + conversation + "', '"
        + CLIENT + "', 'exercise', 'area', '" + NURSE + "', 'Liikunta', 'chat', '" + NURSE + "', now(), now(), '" + outcome + "', now())");
    return id;
  }
}
