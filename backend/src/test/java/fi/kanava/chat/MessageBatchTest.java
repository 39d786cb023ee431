package fi.kanava.chat;

import fi.kanava.conversation.Outcome;
import fi.kanava.conversation.ConversationFrames;
import fi.kanava.conversation.Conversations;

import static fi.kanava.support.ChatFixtures.enter;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.auth.Principal;
import fi.kanava.auth.Role;
import fi.kanava.conversation.Author;
import fi.kanava.infra.ApiError;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.ChatFixtures.Patient;
import fi.kanava.support.ChatFixtures.Pro;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Group commit: sends submitted on one event loop while its previous batch is with the database
 * are stored together. The sends are submitted from inside one event-loop task, so which sends share
 * a batch is certain: the first finds the loop idle and goes alone, the rest wait for it and go
 * together.
 */
@DisplayName("Messages stored together (group commit)")
class MessageBatchTest {
  TestApp t;
  Fixtures f;
  ChatFixtures c;

  @BeforeEach
  void start() {
    t = TestApp.start();
    f = new Fixtures(t).organisations();
    c = new ChatFixtures(t, f);
  }

  @AfterEach
  void stop() {
    t.close();
  }

  /** One send's outcome: its ack, or the error it failed with. */
  private record Outcome(JsonObject ack, Throwable error) {
    long seq() {
      assertThat(error).as("send failed").isNull();
      return ack.getLong("seq");
    }

    String errorCode() {
      assertThat(error).isInstanceOf(ApiError.class);
      return ((ApiError) error).code();
    }
  }

  private record Send(UUID conversationId, String clientMsgId, String text) {}

  /** Submits all the sends from one event-loop task and waits for every outcome. */
  private List<Outcome> sendTogether(Author author, List<Send> sends) {
    Conversations conversations = t.app.services().conversations();
    Promise<List<Outcome>> all = Promise.promise();
    t.vertx.runOnContext(v -> {
      List<Future<Outcome>> outcomes = new ArrayList<>();
      for (Send s : sends) {
        outcomes.add(conversations.send(author, new ConversationFrames.Send(null, s.conversationId(), s.clientMsgId(), s.text(), false))
            .transform(ar -> Future.succeededFuture(new Outcome(ar.result(), ar.cause()))));
      }
      Future.all(outcomes).map(done -> outcomes.stream().map(Future::result).toList()).onComplete(all);
    });
    return TestApp.await(all.future());
  }

  private Author nurseAuthor(Pro nurse) {
    return TestApp.await(t.app.services().conversations().author(Principal.professional(nurse.id(), Role.NURSE, Fixtures.ORG)));
  }

  private UUID taken(Pro nurse, Patient patient, String queue) {
    String id = patient.ws().request(enter(queue)).getJsonObject("conversation").getString("id");
    nurse.ws().request(new JsonObject().put("type", "conversation.take").put("conversationId", id));
    return UUID.fromString(id);
  }

  private long batchMetric(String suffix) {
    String metrics = t.get("/metrics", f.accessToken("figures")).bodyAsString();
    Matcher m = Pattern.compile("(?m)^kanava_message_batch_size_" + suffix + " ([0-9.E]+)$").matcher(metrics);
    assertThat(m.find()).as("kanava_message_batch_size_" + suffix + " in\n" + metrics).isTrue();
    return (long) Double.parseDouble(m.group(1));
  }

  private long count(String sql, Object... params) {
    return t.row(sql, params).getLong(0);
  }

  @Test
  void sends_that_arrive_together_share_one_round_trip_and_each_gets_its_own_answer() {
    f.account("figures", "supervisor");
    try (Pro nurse = c.professional("batcher", "nurse", null); Pro other = c.professional("other", "nurse", null);
        Patient pa = c.anonymousPatient(); Patient pb = c.anonymousPatient(); Patient pc = c.anonymousPatient()) {
      c.createQueue(ChatFixtures.queue("batch", "pick"), nurse.id());
      c.createQueue(ChatFixtures.queue("elsewhere", "pick"), other.id());
      UUID a = taken(nurse, pa, "batch");
      UUID b = taken(nurse, pb, "batch");
      UUID foreign = taken(other, pc, "elsewhere");

      List<Outcome> out = sendTogether(nurseAuthor(nurse), List.of(
          new Send(a, "a1", "eka"),          // finds the loop idle: alone
          new Send(a, "a2", "toka"),         // the rest: one batch
          new Send(b, "b1", "bee yksi"),
          new Send(a, "a3", "kolmas"),
          new Send(a, "a2", "toka"),         // a retry of a2 in the same batch
          new Send(foreign, "f1", "ei sinun"),
          new Send(UUID.randomUUID(), "x1", "ei ole"),
          new Send(b, "b2", "bee kaksi")));

      assertThat(batchMetric("count")).isEqualTo(2);
      assertThat(batchMetric("sum")).isEqualTo(8);

      // one conversation's sends keep their order, without gaps
      long first = out.get(0).seq();
      assertThat(List.of(out.get(1).seq(), out.get(3).seq())).containsExactly(first + 1, first + 2);
      assertThat(out.get(4).seq()).isEqualTo(out.get(1).seq());
      assertThat(out.get(7).seq()).isEqualTo(out.get(2).seq() + 1);
      assertThat(out.get(5).errorCode()).isEqualTo("forbidden");
      assertThat(out.get(6).errorCode()).isEqualTo("conversation_not_found");

      assertThat(count("select count(*) from message where conversation_id = $1 and client_msg_id = 'a2'", a)).isEqualTo(1);
      assertThat(count("select count(*) from message where conversation_id = $1 and kind = 'text'", foreign)).isZero();
      assertThat(count("select count(*) from audit_event where resource_id = $1 and outcome = 'denied'", foreign.toString()))
          .isEqualTo(1);

      // the patient gets each of their messages once, in order
      pa.ws().await(fr -> "kolmas".equals(fr.getString("text")));
      assertThat(pa.ws().all("message").stream().filter(fr -> "text".equals(fr.getString("kind"))).map(fr -> fr.getString("text")))
          .containsExactly("eka", "toka", "kolmas");
      pb.ws().await(fr -> "bee kaksi".equals(fr.getString("text")));
      assertThat(pb.ws().all("message").stream().filter(fr -> "text".equals(fr.getString("kind"))).map(fr -> fr.getString("text")))
          .containsExactly("bee yksi", "bee kaksi");
    }
  }

  @Test
  void a_batch_that_fails_as_a_whole_is_stored_one_by_one() {
    // a message the database refuses makes the whole batch fail (a trigger: the owner's, behind the server's back)
    TestApp.await(t.ownerPool().query("create function refuse_boom() returns trigger language plpgsql as $$"
        + " begin if new.body = 'boom' then raise exception 'refused for the test'; end if; return new; end $$").execute());
    TestApp.await(t.ownerPool().query("create trigger refuse_boom before insert on message for each row execute function refuse_boom()")
        .execute());
    try (Pro nurse = c.professional("batcher", "nurse", null); Patient patient = c.anonymousPatient()) {
      c.createQueue(ChatFixtures.queue("batch", "pick"), nurse.id());
      UUID id = taken(nurse, patient, "batch");

      List<Outcome> out = sendTogether(nurseAuthor(nurse), List.of(
          new Send(id, "m1", "yksi"),
          new Send(id, "m2", "kaksi"),
          new Send(id, "m3", "boom"),
          new Send(id, "m4", "nelja")));

      long first = out.get(0).seq();
      assertThat(out.get(1).seq()).isEqualTo(first + 1);
      assertThat(out.get(2).error()).isNotNull();
      assertThat(out.get(3).seq()).isEqualTo(first + 2);
      assertThat(count("select count(*) from message where conversation_id = $1 and client_msg_id in ('m1', 'm2', 'm3', 'm4')", id))
          .isEqualTo(3);
      patient.ws().await(fr -> "nelja".equals(fr.getString("text")));
      assertThat(patient.ws().all("message").stream().filter(fr -> "text".equals(fr.getString("kind"))).map(fr -> fr.getString("text")))
          .containsExactly("yksi", "kaksi", "nelja");
    }
  }
}
