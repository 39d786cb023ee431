package fi.kanava.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import fi.kanava.auth.Accounts;
import fi.kanava.auth.Organisations;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The monthly report against a known set of recorded events in November 2026 (Helsinki time,
 * UTC+2 then), seeded straight into the tables as the services record them, with events just
 * outside the month on both sides. The expected figures are counted by hand in the comments.
 */
@DisplayName("Monthly report: figures equal the counts of the recorded events, for supervisors only")
class MonthlyReportTest {
  static TestApp t;
  static Fixtures f;
  static final String A = "report-a";
  static final String B = "report-b";
  static final String NAME_A = "Kuume, \"yö\"";
  static final String NAME_B = "=1+1";
  static UUID nurse1;
  static UUID nurse2;
  static UUID nurseB;
  static String supervisor;
  static String nurse;

  @BeforeAll
  static void seed() {
    t = TestApp.start();
    f = new Fixtures(t).organisations();
    ChatFixtures c = new ChatFixtures(t, f);
    nurse1 = f.account("report-nurse1", "nurse");
    nurse2 = f.account("report-nurse2", "nurse");
    nurseB = f.account("report-nurseb", "nurse");
    f.account("report-supervisor", "supervisor");
    f.account("report-nurse", "nurse");
    supervisor = f.accessToken("report-supervisor");
    nurse = f.accessToken("report-nurse");
    // units (their professional's, as the accounts are now): nurse1 in test-unit, nurse2 in report-ward, nurseB in none
    t.rows("insert into unit (id, organisation_id, name, created_at) values ('report-ward', $1, 'Osasto, \"2\"', now())", Fixtures.ORG);
    t.rows("update account set unit_id = 'test-unit' where id = $1", nurse1);
    t.rows("update account set unit_id = 'report-ward' where id = $1", nurse2);
    c.createQueue(ChatFixtures.queue(A, "pick").put("names", new JsonObject().put("fi", NAME_A)), nurse1, nurse2);
    c.createQueue(ChatFixtures.queue(B, "pick").put("names", new JsonObject().put("fi", NAME_B)), nurseB);

    // members of A speak fi and sv (Fixtures.account)
    Instant nov = Instant.parse("2026-10-31T22:00:00Z"); // 1 November 00:00 in Helsinki
    // c1: just after the month starts in Helsinki (still October in UTC); waited 60 s; resolved; a promoter
    UUID c1 = conversation(A, "fi", nov.plusSeconds(1800), 60, nurse1, "resolved");
    feedback(c1, A, 10, nov.plus(Duration.ofDays(1)));
    UUID c2 = conversation(A, "fi", nov.plus(Duration.ofDays(4)), 120, nurse2, "resolved");
    feedback(c2, A, 9, nov.plus(Duration.ofDays(5)));
    UUID c3 = conversation(A, "sv", nov.plus(Duration.ofDays(5)), 300, nurse1, "referred");
    feedback(c3, A, 3, nov.plus(Duration.ofDays(6)));
    // c4: left the queue before anyone took it
    conversation(A, "fi", nov.plus(Duration.ofDays(6)), -1, null, "abandoned");
    // c5: North Sámi, which no member of A speaks; waited 600 s; resolved; the patient skipped the feedback
    UUID c5 = conversation(A, "se", nov.plus(Duration.ofDays(7)), 600, nurse1, "resolved");
    feedback(c5, A, null, nov.plus(Duration.ofDays(8)));
    // c6: taken in A after 30 s, transferred to B after 10 min, taken there by nurseB, resolved in B; a passive
    Instant c6At = nov.plus(Duration.ofDays(8));
    UUID c6 = conversation(A, "fi", c6At, 30, nurse2, null);
    transfer(c6, A, B, nurse2, c6At.plusSeconds(600));
    t.rows("update conversation set queue_id = $2, assigned_to = $3, assigned_at = $4, accepted_at = $4, state = 'closed',"
        + " outcome = 'resolved', closed_at = $5 where id = $1", c6, B, nurseB, at(c6At.plusSeconds(1200)), at(c6At.plusSeconds(3600)));
    participant(c6, nurseB, c6At.plusSeconds(1200));
    feedback(c6, B, 8, c6At.plusSeconds(4000));
    // outside the month: entered at 00:30 on 1 December in Helsinki (30 November in UTC), and on 31 October at 22:00 (closed at 23:00)
    Instant dec = Instant.parse("2026-11-30T22:00:00Z");
    UUID c7 = conversation(A, "se", dec.plusSeconds(1800), 5, nurse1, "resolved");
    feedback(c7, A, 0, dec.plusSeconds(7000));
    conversation(A, "fi", nov.minusSeconds(7200), 5, nurse2, "abandoned");
    // consultations, counted by the queue they were sent to: k1 urgent and answered, k2 non-urgent and breached (to A);
    // k3 to a named colleague, answered (the total of a report of every queue only); k4 in December
    consultation(A, null, "urgent", nov.plus(Duration.ofDays(2)), true, false);
    consultation(A, null, "non_urgent", nov.plus(Duration.ofDays(3)), false, true);
    consultation(null, nurseB, "non_urgent", nov.plus(Duration.ofDays(3)), true, false);
    consultation(A, null, "urgent", dec.plusSeconds(3600), true, false);
    // remote visits, counted by the month they started in: in A one completed, one cancelled, one no-show, one still
    // booked (not counted); one completed without a queue (the total of a report of every queue only); one in December, one in October
    visit(A, "completed", nov.plus(Duration.ofDays(2)));
    visit(A, "cancelled", nov.plus(Duration.ofDays(3)));
    visit(A, "no_show", nov.plus(Duration.ofDays(4)));
    visit(A, "booked", nov.plus(Duration.ofDays(5)));
    visit(null, "completed", nov.plus(Duration.ofDays(6)));
    visit(A, "completed", dec.plusSeconds(600));
    visit(A, "no_show", nov.minusSeconds(600));
    // professionals' feedback about the tool: in November a promoter, a detractor and a skip; one in December
    professionalFeedback("nurse", 10, nov.plus(Duration.ofDays(3)));
    professionalFeedback("physician", 6, nov.plus(Duration.ofDays(4)));
    professionalFeedback("nurse", null, nov.plus(Duration.ofDays(5)));
    professionalFeedback("nurse", 0, dec.plusSeconds(600));
  }

  private static void professionalFeedback(String role, Integer score, Instant when) {
    t.rows("insert into professional_feedback (id, organisation_id, role, score, skipped, created_at) values ($1, $2, $3, $4, $5, $6)",
        UUID.randomUUID(), Fixtures.ORG, role, score == null ? null : score.shortValue(), score == null, at(when));
  }

  /** A remote visit booked by nurse1 in {@code queue} starting at {@code startsAt}, in {@code state} (ended an hour later when final). */
  private static void visit(String queue, String state, Instant startsAt) {
    UUID patient = UUID.randomUUID();
    t.rows("insert into patient (id, kind, created_at) values ($1, 'anonymous', $2)", patient, at(startsAt.minus(Duration.ofDays(1))));
    boolean ended = !"booked".equals(state);
    t.rows("insert into visit (id, organisation_id, queue_id, patient_id, starts_at, duration_minutes, channel, language, interpreter_needed,"
            + " state, booked_by, booked_at, ended_at) values ($1, $2, $3, $4, $5, 30, 'video', 'fi', false, $6, $7, $8, $9)",
        UUID.randomUUID(), Fixtures.ORG, queue, patient, at(startsAt), state, nurse1, at(startsAt.minus(Duration.ofDays(1))),
        ended ? at(startsAt.plusSeconds(3600)) : null);
  }

  /** A consultation asked by nurse1 at {@code at}, with its professional-only thread; answered a day later, or breached. */
  private static void consultation(String queue, UUID colleague, String urgency, Instant at, boolean answered, boolean breached) {
    UUID thread = UUID.randomUUID();
    t.rows("insert into conversation (id, queue_id, patient_id, state, urgency, urgency_rank, language, answers, triage_summary, enqueued_at,"
            + " last_activity_at) values ($1, null, null, 'active', 'non_urgent', 2, 'fi', '{}', '[]', $2, $2)", thread, at(at));
    Instant due = "urgent".equals(urgency) ? null : at.plus(Duration.ofHours(1));
    t.rows("insert into consultation (id, thread_conversation_id, requester_id, queue_id, to_account_id, urgency, situation, created_at,"
            + " due_at, state, consultant_id, accepted_at, breached_at, answer, closed_at, closed_by)"
            + " values ($1, $2, $3, $4, $5, $6, 'Kysymys', $7, $8, $9, $10, $11, $12, $13, $14, $10)",
        UUID.randomUUID(), thread, nurse1, queue, colleague, urgency, at(at), at(due), answered ? "closed" : "waiting",
        answered ? nurse2 : null, answered ? at(at.plusSeconds(600)) : null, breached ? at(due) : null, answered ? "Vastaus" : null,
        answered ? at(at.plus(Duration.ofDays(1))) : null);
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static OffsetDateTime at(Instant i) {
    return i == null ? null : OffsetDateTime.ofInstant(i, ZoneOffset.UTC);
  }

  /** A conversation entered at {@code enqueued}, taken after {@code waitSeconds} (-1: never) and closed an hour later with {@code outcome} (null: left active). */
  private static UUID conversation(String queue, String language, Instant enqueued, long waitSeconds, UUID professional, String outcome) {
    UUID id = UUID.randomUUID();
    UUID patient = UUID.randomUUID();
    t.rows("insert into patient (id, kind, created_at) values ($1, 'anonymous', $2)", patient, at(enqueued));
    Instant assigned = waitSeconds < 0 ? null : enqueued.plusSeconds(waitSeconds);
    Instant closed = outcome == null ? null : enqueued.plusSeconds(3600);
    String state = outcome != null ? "closed" : "active";
    t.rows("insert into conversation (id, queue_id, patient_id, state, urgency, urgency_rank, language, answers, triage_summary, enqueued_at,"
            + " assigned_to, assigned_at, accepted_at, last_activity_at, closed_at, outcome)"
            + " values ($1, $2, $3, $4, 'non_urgent', 2, $5, '{}', '[]', $6, $7, $8, $8, $6, $9, $10)",
        id, queue, patient, state, language, at(enqueued), professional, at(assigned), at(closed), outcome);
    t.rows("insert into conversation_participant (conversation_id, kind, patient_id, joined_at) values ($1, 'patient', $2, $3)",
        id, patient, at(enqueued));
    if (assigned != null) {
      participant(id, professional, assigned);
    }
    return id;
  }

  private static void participant(UUID conversation, UUID professional, Instant joined) {
    t.rows("insert into conversation_participant (conversation_id, kind, account_id, joined_at) values ($1, 'assigned', $2, $3)",
        conversation, professional, at(joined));
  }

  private static void transfer(UUID conversation, String from, String to, UUID by, Instant when) {
    t.rows("update conversation_participant set left_at = $3 where conversation_id = $1 and account_id = $2", conversation, by, at(when));
    t.rows("insert into conversation_transfer (id, conversation_id, from_account, from_queue, to_queue, situation, history_from_seq,"
            + " created_at, state, resolved_at, consent, consent_deadline, consent_at, consent_by)"
            + " values ($1, $2, $3, $4, $5, 'Tarvitsee fysioterapeutin', 1, $6, 'accepted', $6, 'granted', $6, $6, 'patient')",
        UUID.randomUUID(), conversation, by, from, to, at(when));
  }

  /** A response ({@code score} null: skipped) to the conversation's feedback request. */
  private static void feedback(UUID conversation, String queue, Integer score, Instant when) {
    // its unit as the server records it: the service unit of the professional who first accepted the conversation
    t.rows("insert into feedback_response (id, event_kind, event_id, queue_id, organisation_id, unit_id, professional_role, channel, language,"
            + " transferred, consulted, score, skipped, created_at) values ($1, 'conversation', $2, $3, $4,"
            + " (select a.unit_id from conversation_participant p join account a on a.id = p.account_id where p.conversation_id = $2"
            + " and p.kind = 'assigned' order by p.joined_at, a.id limit 1), 'nurse', 'chat', 'fi', false, false, $5, $6, $7)",
        UUID.randomUUID(), conversation, queue, Fixtures.ORG, score == null ? null : score.shortValue(), score == null, at(when));
  }

  private static JsonObject report(String query) {
    HttpResponse<Buffer> response = t.get("/api/reports/monthly?" + query, supervisor);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static JsonObject row(JsonObject report, String queue) {
    return row(report, "queue", queue);
  }

  /** The CSV of the query, checked to be CSV named {@code file}. */
  private static String csv(String query, String file) {
    HttpResponse<Buffer> response = t.get("/api/reports/monthly.csv?" + query, supervisor);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("content-type")).startsWith("text/csv; charset=utf-8");
    assertThat(response.getHeader("content-disposition")).isEqualTo("attachment; filename=\"" + file + "\"");
    return response.bodyAsString("UTF-8");
  }

  private static JsonObject unit(JsonObject report, String unit) {
    return row(report, "unit", unit);
  }

  /** The row of a queue or unit ({@code by}) with that id (null: the unit row of events without one). */
  private static JsonObject row(JsonObject report, String by, String id) {
    return report.getJsonArray(by + "s").stream().map(JsonObject.class::cast).filter(r -> java.util.Objects.equals(id, r.getString(by + "Id")))
        .findFirst().orElseThrow();
  }

  private static long audit() {
    return t.row("select count(*) from audit_event").getLong(0);
  }

  @Nested
  @DisplayName("the figures")
  class Figures {
    @Test
    @DisplayName("equal the counts of the seeded events, per queue and in total, with Helsinki month boundaries")
    void figures() {
      JsonObject report = report("month=2026-11");
      assertThat(report.getString("month")).isEqualTo("2026-11");
      assertThat(report.getString("timeZone")).isEqualTo("Europe/Helsinki");
      assertThat(report.getString("from")).isEqualTo("2026-10-31T22:00:00Z");
      assertThat(report.getString("to")).isEqualTo("2026-11-30T22:00:00Z");
      assertThat(report.getJsonArray("queues").stream().map(r -> ((JsonObject) r).getString("queueId")).toList()).containsExactly(A, B);

      JsonObject a = row(report, A);
      assertThat(a.getString("queueName")).isEqualTo(NAME_A);
      assertThat(a.getLong("contacts")).as("c1-c6 entered A in November (Helsinki)").isEqualTo(6);
      assertThat(a.getLong("transferred")).as("c6").isEqualTo(1);
      assertThat(a.getDouble("transferredShare")).isEqualTo(0.1667);
      assertThat(a.getLong("waitsMeasured")).isEqualTo(5);
      // waits 30, 60, 120, 300, 600 s (c6's first take, before its transfer)
      assertThat(a.getDouble("waitP50Seconds")).isEqualTo(120.0);
      assertThat(a.getDouble("waitP90Seconds")).as("300 + 0.6 * (600 - 300)").isEqualTo(480.0);
      assertThat(a.getLong("closed")).as("c1-c5 closed in A; c6 closed in B").isEqualTo(5);
      assertThat(a.getLong("resolvedWithoutReferral")).as("c1, c2, c5").isEqualTo(3);
      assertThat(a.getDouble("resolvedWithoutReferralShare")).isEqualTo(0.6);
      assertThat(a.getLong("abandoned")).as("c4").isEqualTo(1);
      assertThat(a.getLong("promoters")).isEqualTo(2);
      assertThat(a.getLong("passives")).isEqualTo(0);
      assertThat(a.getLong("detractors")).isEqualTo(1);
      assertThat(a.getDouble("nps")).as("(2 - 1) / 3").isEqualTo(33.3);
      assertThat(a.getLong("feedbackAsked")).as("c1, c2, c3, c5: accepted and closed").isEqualTo(4);
      assertThat(a.getLong("feedbackAnswered")).as("c5 skipped").isEqualTo(3);
      assertThat(a.getDouble("responseRate")).isEqualTo(0.75);
      assertThat(a.getLong("activeProfessionals")).as("nurse1, nurse2").isEqualTo(2);
      assertThat(a.getJsonObject("unmetDemandByLanguage").encode()).isEqualTo("{\"se\":1}");
      assertThat(a.getJsonObject("consultations").encode()).as("k1 and k2; k4 is in December")
          .isEqualTo("{\"opened\":2,\"urgent\":1,\"nonUrgent\":1,\"answered\":1,\"breached\":1}");
      assertThat(a.getJsonObject("remoteVisits").encode()).as("the visits of November in A; not the booked one, nor December's or October's")
          .isEqualTo("{\"completed\":1,\"cancelled\":1,\"noShow\":1}");

      JsonObject b = row(report, B);
      assertThat(b.getString("queueName")).isEqualTo(NAME_B);
      assertThat(b.getLong("contacts")).as("c6 counts where it entered").isZero();
      assertThat(b.getDouble("transferredShare")).isNull();
      assertThat(b.getDouble("waitP50Seconds")).isNull();
      assertThat(b.getLong("closed")).isEqualTo(1);
      assertThat(b.getLong("resolvedWithoutReferral")).isEqualTo(1);
      assertThat(b.getLong("passives")).isEqualTo(1);
      assertThat(b.getDouble("nps")).isEqualTo(0.0);
      assertThat(b.getDouble("responseRate")).isEqualTo(1.0);
      assertThat(b.getLong("activeProfessionals")).as("nurseB").isEqualTo(1);

      assertThat(b.getJsonObject("consultations").getLong("opened")).isZero();
      assertThat(b.getJsonObject("remoteVisits").encode()).isEqualTo("{\"completed\":0,\"cancelled\":0,\"noShow\":0}");

      JsonObject total = report.getJsonObject("total");
      assertThat(total.getString("queueId")).isNull();
      assertThat(total.getJsonObject("consultations").encode()).as("k1, k2 and the named k3")
          .isEqualTo("{\"opened\":3,\"urgent\":1,\"nonUrgent\":2,\"answered\":2,\"breached\":1}");
      assertThat(total.getJsonObject("remoteVisits").encode()).as("A's three and the completed one without a queue")
          .isEqualTo("{\"completed\":2,\"cancelled\":1,\"noShow\":1}");
      assertThat(total.getLong("contacts")).isEqualTo(6);
      assertThat(total.getLong("closed")).isEqualTo(6);
      assertThat(total.getLong("resolvedWithoutReferral")).isEqualTo(4);
      assertThat(total.getDouble("resolvedWithoutReferralShare")).isEqualTo(0.6667);
      assertThat(total.getLong("abandoned")).isEqualTo(1);
      assertThat(total.getDouble("waitP50Seconds")).isEqualTo(120.0);
      assertThat(total.getDouble("waitP90Seconds")).isEqualTo(480.0);
      assertThat(total.getDouble("nps")).as("(2 - 1) / 4").isEqualTo(25.0);
      assertThat(total.getDouble("responseRate")).as("4 of 5").isEqualTo(0.8);
      assertThat(total.getLong("activeProfessionals")).as("distinct accounts").isEqualTo(3);
      assertThat(total.getJsonObject("unmetDemandByLanguage").encode()).isEqualTo("{\"se\":1}");
      assertThat(report.encode()).as("no patient or professional ids in a report").doesNotContain(nurse1.toString(), nurse2.toString());
    }

    @Test
    @DisplayName("by unit count each event in its professional's unit, with a row for events without one, and the same total")
    void by_unit() {
      JsonObject report = report("month=2026-11&by=unit");
      assertThat(report.getString("by")).isEqualTo("unit");
      assertThat(report.containsKey("queues")).isFalse();
      JsonArray units = report.getJsonArray("units");
      assertThat(units.stream().map(r -> ((JsonObject) r).getString("unitId")).toList()).as("the organisation's units, then none")
          .containsExactly("report-ward", "test-unit", null);
      JsonObject unit = unit(report, "test-unit");
      assertThat(unit.getString("unitName")).isEqualTo("Test unit");
      assertThat(unit.getLong("contacts")).as("c1, c3, c5: nurse1 took them first").isEqualTo(3);
      assertThat(unit.getLong("closed")).isEqualTo(3);
      assertThat(unit.getLong("resolvedWithoutReferral")).as("c1, c5").isEqualTo(2);
      assertThat(unit.getDouble("waitP50Seconds")).as("60, 300, 600 s").isEqualTo(300.0);
      assertThat(unit.getLong("promoters")).isEqualTo(1);
      assertThat(unit.getLong("detractors")).isEqualTo(1);
      assertThat(unit.getDouble("nps")).isEqualTo(0.0);
      assertThat(unit.getLong("activeProfessionals")).isEqualTo(1);
      assertThat(unit.getJsonObject("unmetDemandByLanguage").encode()).isEqualTo("{\"se\":1}");
      assertThat(unit.getJsonObject("consultations").getLong("opened")).as("nurse1 asked k1-k3").isEqualTo(3);
      JsonObject ward = unit(report, "report-ward");
      assertThat(ward.getLong("contacts")).as("c2, and c6 (nurse2 took it before its transfer)").isEqualTo(2);
      assertThat(ward.getLong("transferred")).isEqualTo(1);
      assertThat(ward.getLong("passives")).as("c6's answer").isEqualTo(1);
      assertThat(ward.getDouble("nps")).as("(1 - 0) / 2").isEqualTo(50.0);
      JsonObject none = unit(report, null);
      assertThat(none.getString("unitName")).isNull();
      assertThat(none.getLong("contacts")).as("c4: nobody took it").isEqualTo(1);
      assertThat(none.getLong("abandoned")).isEqualTo(1);
      assertThat(none.getLong("activeProfessionals")).as("nurseB has no unit").isEqualTo(1);
      assertThat(none.getJsonObject("remoteVisits").encode()).as("the seeded visits have no unit")
          .isEqualTo("{\"completed\":2,\"cancelled\":1,\"noShow\":1}");
      JsonObject byQueue = report("month=2026-11").getJsonObject("total");
      assertThat(report.getJsonObject("total").encode()).as("the same events in total")
          .isEqualTo(byQueue.encode().replace("\"queueId\":null,\"queueName\":null", "\"unitId\":null,\"unitName\":null"));
    }

    @Test
    @DisplayName("by unit as CSV name the unit columns and the file, and quote a unit's name")
    void by_unit_csv() {
      List<String> lines = Arrays.asList(csv("month=2026-11&by=unit", "kanava-2026-11-by-unit.csv").split("\r\n"));
      assertThat(lines).hasSize(5);
      assertThat(lines.get(0)).startsWith("month,unit_id,unit_name,contacts,");
      assertThat(lines.get(1)).startsWith("2026-11,report-ward,\"Osasto, \"\"2\"\"\",2,");
      assertThat(lines.get(2)).startsWith("2026-11,test-unit,Test unit,3,");
      assertThat(lines.get(3)).as("events without a unit").startsWith("2026-11,,,1,");
      assertThat(lines.get(4)).startsWith("2026-11,total,,6,6,4,");
    }

    @Test
    @DisplayName("of one queue are that queue's row, and the total is over that queue only")
    void one_queue() {
      JsonObject report = report("month=2026-11&queue=" + B);
      assertThat(report.getJsonArray("queues")).hasSize(1);
      assertThat(row(report, B).getLong("closed")).isEqualTo(1);
      assertThat(report.getJsonObject("total").getLong("closed")).isEqualTo(1);
      assertThat(report.getJsonObject("total").getLong("activeProfessionals")).isEqualTo(1);
      assertThat(report.getJsonObject("total").getJsonObject("remoteVisits").getLong("completed")).as("B's only").isZero();
    }

    @Test
    @DisplayName("of a month without events are zeros and nulls, never invented")
    void empty_month() {
      JsonObject total = report("month=2026-05").getJsonObject("total");
      assertThat(total.getLong("contacts")).isZero();
      assertThat(total.getDouble("nps")).isNull();
      assertThat(total.getDouble("responseRate")).isNull();
      assertThat(total.getDouble("waitP90Seconds")).isNull();
    }
  }

  @Nested
  @DisplayName("the CSV")
  class Csv {
    @Test
    @DisplayName("has the same numbers, a header, an attachment name, and escapes commas, quotes and formulas")
    void csv() {
      String body = MonthlyReportTest.csv("month=2026-11", "kanava-2026-11.csv");
      assertThat(body).endsWith("\r\n");
      List<String> lines = Arrays.asList(body.split("\r\n"));
      assertThat(lines).hasSize(4);
      List<String> header = Arrays.asList(lines.get(0).split(","));
      assertThat(header).startsWith("month", "queue_id", "queue_name", "contacts").contains("nps", "response_rate", "unmet_demand_se")
          .contains("consultations", "consultations_urgent", "consultations_answered", "consultations_breached", "visits_completed",
              "visits_cancelled", "visits_no_show");
      assertThat(lines.get(1)).startsWith("2026-11,report-a,\"Kuume, \"\"yö\"\"\",6,5,3,0.6,1,0.1667,5,120.0,480.0,1,33.3,3,2,0,1,4,3,0.75,2,1,1,"
          + "2,1,1,1,1,1,1");
      assertThat(lines.get(2)).as("a name that looks like a formula is defused").startsWith("2026-11,report-b,'=1+1,0,1,1,1.0,0,,0,,,0,0.0,1,");
      assertThat(header).endsWith("visits_no_show", "professional_feedback_responses", "professional_feedback_skipped", "professional_promoters",
          "professional_passives", "professional_detractors", "professional_nps");
      assertThat(lines.get(1)).as("a queue's row has no professional feedback").endsWith(",1,1,1,,,,,,");
      assertThat(lines.get(3)).startsWith("2026-11,total,,6,6,4,0.6667,1,0.1667,5,120.0,480.0,1,25.0,4,2,1,1,5,4,0.8,3,1,1,")
          .as("visits, then the professionals' feedback of November: a promoter, a detractor, a skip").endsWith(",2,1,1,2,1,1,0,1,0.0");
    }

    @Test
    @DisplayName("escapes by RFC 4180 and defuses = + - @ in text")
    void escaping() {
      assertThat(ReportCsv.text("plain")).isEqualTo("plain");
      assertThat(ReportCsv.text("a,b")).isEqualTo("\"a,b\"");
      assertThat(ReportCsv.text("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
      assertThat(ReportCsv.text("line\nbreak")).isEqualTo("\"line\nbreak\"");
      assertThat(ReportCsv.text("=SUM(A1)")).isEqualTo("'=SUM(A1)");
      assertThat(ReportCsv.text("+1")).isEqualTo("'+1");
      assertThat(ReportCsv.text("-1")).isEqualTo("'-1");
      assertThat(ReportCsv.text("@cmd")).isEqualTo("'@cmd");
      assertThat(ReportCsv.text("=HYPERLINK(\"x\",1)")).isEqualTo("\"'=HYPERLINK(\"\"x\"\",1)\"");
    }
  }

  @Nested
  @DisplayName("refusals")
  class Refusals {
    @Test
    @DisplayName("a nurse gets 403 forbidden and a denied audit row, for JSON and CSV")
    void nurse() {
      UUID nurseId = Fixtures.subject(nurse);
      for (String path : List.of("/api/reports/monthly?month=2026-11", "/api/reports/monthly.csv?month=2026-11",
          "/api/reports/monthly?month=2026-11&by=unit", "/api/reports/monthly.csv?month=2026-11&by=unit")) {
        long before = t.row("select count(*) from audit_event where actor_id = $1 and outcome = 'denied' and action = 'READ_FIGURES'"
            + " and purpose = 'monthly_report'", nurseId).getLong(0);
        HttpResponse<Buffer> response = t.get(path, nurse);
        assertThat(response.statusCode()).as(path).isEqualTo(403);
        assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("forbidden");
        assertThat(t.row("select count(*) from audit_event where actor_id = $1 and outcome = 'denied' and action = 'READ_FIGURES'"
            + " and purpose = 'monthly_report'", nurseId).getLong(0)).isEqualTo(before + 1);
      }
    }

    @Test
    @DisplayName("a patient gets 403 forbidden")
    void patient() {
      String token = t.post("/api/patient/session", null, null).bodyAsJsonObject().getString("accessToken");
      HttpResponse<Buffer> response = t.get("/api/reports/monthly?month=2026-11", token);
      assertThat(response.statusCode()).isEqualTo(403);
      assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("forbidden");
    }

    @Test
    @DisplayName("a bad or missing month gets 400 invalid_parameter and changes nothing")
    void bad_month() {
      long audited = audit();
      for (String query : List.of("month=2026-13", "month=2026-1", "month=26-11", "month=2026-11-01", "", "month=", "queue=" + A,
          "month=2026-11&by=ward", "month=2026-11&by=", "month=2026-11&by=UNIT")) {
        for (String path : List.of("/api/reports/monthly?", "/api/reports/monthly.csv?")) {
          HttpResponse<Buffer> response = t.get(path + query, supervisor);
          assertThat(response.statusCode()).as(path + query).isEqualTo(400);
          assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("invalid_parameter");
        }
      }
      assertThat(audit()).isEqualTo(audited);
    }

    @Test
    @DisplayName("an unknown queue gets 404 queue_not_found")
    void unknown_queue() {
      HttpResponse<Buffer> response = t.get("/api/reports/monthly?month=2026-11&queue=no-such-queue", supervisor);
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.bodyAsJsonObject().getString("code")).isEqualTo("queue_not_found");
    }

    @Test
    @DisplayName("a supervisor of another organisation sees none of these queues, and is refused (and audited) when naming one")
    void other_organisation() {
      TestApp.await(t.app.services().organisations().create(Fixtures.decode(new JsonObject().put("id", "other-area").put("name", "Other")
          .put("kind", "wellbeing_area"), Organisations.NewOrganisation.class)));
      JsonObject created = TestApp.await(t.app.services().accounts().create(Fixtures.decode(new JsonObject().put("username", "other-sup")
          .put("password", Fixtures.PASSWORD).put("displayName", "Other").put("role", "supervisor").put("organisationId", "other-area")
          .put("languages", new JsonArray().add("fi")), Accounts.NewAccount.class)));
      String token = f.accessToken("other-sup");
      HttpResponse<Buffer> all = t.get("/api/reports/monthly?month=2026-11", token);
      assertThat(all.statusCode()).isEqualTo(200);
      assertThat(all.bodyAsJsonObject().getJsonArray("queues")).isEmpty();
      assertThat(all.bodyAsJsonObject().getJsonObject("total").getLong("contacts")).isZero();
      HttpResponse<Buffer> one = t.get("/api/reports/monthly?month=2026-11&queue=" + A, token);
      assertThat(one.statusCode()).isEqualTo(403);
      assertThat(t.row("select count(*) from audit_event where actor_id = $1 and outcome = 'denied' and reason = 'other_organisation'",
          UUID.fromString(created.getString("id"))).getLong(0)).isEqualTo(1);
    }
  }
}
