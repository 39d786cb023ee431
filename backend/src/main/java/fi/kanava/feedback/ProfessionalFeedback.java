package fi.kanava.feedback;

import fi.kanava.auth.Principal;
import fi.kanava.conversation.ConversationEvents;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.Timestamps;
import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;
import fi.kanava.ws.ServerFrame;
import fi.kanava.ws.ServerFrames;
import fi.kanava.ws.SocketEvents;
import fi.kanava.ws.SocketFrames.Fields;
import fi.kanava.ws.SocketSession;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Professional feedback (docs/protocol.md, "Professional feedback"): after every
 * {@code feedback.professional-every-closed} conversations a professional closed, their console is
 * asked to show one question about the tool itself (0-10, would you recommend Kanava to a colleague),
 * two optional statements and optional text; skipping is one click. The answer is stored without
 * the account (its role and organisation only), apart from patients' feedback, and reported apart.
 */
public final class ProfessionalFeedback {
  private static final Logger log = LoggerFactory.getLogger(ProfessionalFeedback.class);
  /** The statements about the tool, each 1-5: "Kanava is easy to use", "Kanava helps me in my work". */
  public static final List<String> STATEMENTS = List.of("easy", "helps");

  /** {@code profeedback.submit}: the answer to a question that is pending for the sender. */
  public record Submit(String ref, Integer score, Map<String, Integer> statements, String text) implements ClientFrame {
    public Submit {
      ref = Fields.ref(ref);
      if (score == null || score < 0 || score > 10) {
        throw ApiError.badRequest("invalid_score", "'score' must be a whole number from 0 to 10");
      }
      Map<String, Integer> checked = new LinkedHashMap<>();
      if (statements != null) {
        statements.forEach((id, value) -> {
          if (!STATEMENTS.contains(id) || value == null || value < 1 || value > 5) {
            throw ApiError.badRequest("invalid_statement", "Statements are " + STATEMENTS + ", each a whole number from 1 to 5");
          }
          checked.put(id, value);
        });
      }
      statements = Map.copyOf(checked);
      text = text == null || text.isBlank() ? null : text.strip();
      if (text != null && text.length() > FeedbackFrames.MAX_TEXT) {
        throw ApiError.badRequest("text_too_long", "'text' is longer than " + FeedbackFrames.MAX_TEXT + " characters");
      }
    }
  }

  /** {@code profeedback.skip}: one click. */
  public record Skip(String ref) implements ClientFrame {
    public Skip {
      ref = Fields.ref(ref);
    }
  }

  /** {@code profeedback.ask}: the console shows the question (sent when it falls due, and on each connect while it is pending). */
  public record Ask(List<String> statements) implements ServerFrame {
    @Override
    public String type() {
      return "profeedback.ask";
    }
  }

  /** {@code profeedback.recorded}: the reply to submit and skip. */
  public record Recorded(boolean skipped) implements ServerFrame {
    @Override
    public String type() {
      return "profeedback.recorded";
    }
  }

  /** A month's professional feedback of one organisation (or all), by role and in total; no person. */
  public record Figures(long responses, long skipped, long promoters, long passives, long detractors, Map<String, long[]> byRole) {
    public JsonObject toJson() {
      JsonObject roles = new JsonObject();
      byRole.forEach((role, c) -> roles.put(role, counts(c[0], c[1], c[2]).put("skipped", c[3])));
      return counts(promoters, passives, detractors).put("skipped", skipped).put("byRole", roles);
    }

    private static JsonObject counts(long promoters, long passives, long detractors) {
      double nps = Nps.score(promoters, passives, detractors);
      return new JsonObject().put("responses", promoters + passives + detractors).put("promoters", promoters).put("passives", passives)
          .put("detractors", detractors)
          .put("nps", Double.isNaN(nps) ? null : java.math.BigDecimal.valueOf(nps).setScale(1, java.math.RoundingMode.HALF_UP).doubleValue());
    }
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final int everyClosed;
  private final ProfessionalFeedbackMetrics metrics;

  public ProfessionalFeedback(Vertx vertx, Pool pool, Clock clock, int everyClosed, ProfessionalFeedbackMetrics metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.everyClosed = everyClosed;
    this.metrics = metrics;
  }

  public void register(FrameRegistry registry) {
    registry.onReady(this::ready);
    registry.register("profeedback.submit", Submit.class, Senders.PROFESSIONALS, (s, f) -> record(s.principal(), f.score(), f.statements(),
        f.text()).map(FrameResult::reply));
    registry.register("profeedback.skip", Skip.class, Senders.PROFESSIONALS, (s, f) -> record(s.principal(), null, Map.of(), null)
        .map(FrameResult::reply));
  }

  /** On each node, each close by a professional of a conversation they had accepted may make their question due. */
  public void start() {
    if (everyClosed == 0) {
      return;
    }
    vertx.eventBus().<JsonObject>localConsumer(ConversationEvents.CLOSED, msg -> {
      String professional = msg.body().getString("professionalId");
      if (professional != null && msg.body().getBoolean("accepted", false)) {
        UUID id = UUID.fromString(professional);
        due(id).onFailure(e -> log.warn("Could not check whether {} is due a question about the tool", id, e));
      }
    });
  }

  /** Asks the professional (all their sockets) once they have closed enough conversations since they last answered. */
  Future<Void> due(UUID accountId) {
    Instant now = clock.instant();
    return pool.withTransaction(tx -> prompt(tx, accountId).compose(row -> {
          if (row.getValue("asked_at") != null) {
            return Future.succeededFuture(false);
          }
          java.time.OffsetDateTime since = row.getOffsetDateTime("answered_at");
          return tx.preparedQuery("select count(*) from conversation where assigned_to = $1 and state = 'closed' and accepted_at is not null"
                  + " and ($2::timestamptz is null or closed_at > $2)")
              .execute(Tuple.of(accountId, since))
              .compose(rows -> rows.iterator().next().getLong(0) < everyClosed ? Future.succeededFuture(false)
                  : tx.preparedQuery("update professional_feedback_prompt set asked_at = $2 where account_id = $1")
                      .execute(Tuple.of(accountId, Timestamps.at(now))).map(true));
        }))
        .map(asked -> {
          if (asked) {
            SocketEvents.toPrincipal(vertx.eventBus(), accountId, ServerFrames.toJson(new Ask(STATEMENTS)));
          }
          return null;
        });
  }

  private static Future<Row> prompt(SqlClient tx, UUID accountId) {
    return tx.preparedQuery("insert into professional_feedback_prompt (account_id) values ($1) on conflict (account_id) do nothing")
        .execute(Tuple.of(accountId))
        .compose(v -> tx.preparedQuery("select asked_at, answered_at from professional_feedback_prompt where account_id = $1 for update")
            .execute(Tuple.of(accountId)))
        .map(rows -> rows.iterator().next());
  }

  /** A console that connects while its question is pending shows it again. */
  private Future<Void> ready(SocketSession s) {
    if (everyClosed == 0 || !Senders.PROFESSIONALS.admits().test(s.principal())) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery("select 1 from professional_feedback_prompt where account_id = $1 and asked_at is not null")
        .execute(Tuple.of(s.principal().id()))
        .map(rows -> {
          if (rows.size() > 0) {
            s.send(new Ask(STATEMENTS));
          }
          return null;
        });
  }

  /** Stores the answer (score null: skipped) of a pending question, without the account; clears the question. */
  private Future<Recorded> record(Principal principal, Integer score, Map<String, Integer> statements, String text) {
    Instant now = clock.instant();
    String role = principal.role().map(r -> r.code()).orElseThrow();
    return pool.withTransaction(tx -> prompt(tx, principal.id()).compose(row -> {
          if (row.getValue("asked_at") == null) {
            return Future.failedFuture(ApiError.conflict("profeedback_not_asked", "No question about the tool is pending for you"));
          }
          return tx.preparedQuery("insert into professional_feedback (id, organisation_id, role, score, statements, free_text, skipped, created_at)"
                  + " values ($1, $2, $3, $4::smallint, $5::jsonb, $6, $4::smallint is null, $7)")
              .execute(Tuple.of(UUID.randomUUID(), principal.organisationId().orElse(null), role, score == null ? null : score.shortValue(),
                  new JsonObject(Map.copyOf(statements)), text).addValue(Timestamps.at(now)))
              .compose(v -> tx.preparedQuery("update professional_feedback_prompt set asked_at = null, answered_at = $2 where account_id = $1")
                  .execute(Tuple.of(principal.id(), Timestamps.at(now))));
        }))
        .map(v -> {
          if (score != null) {
            metrics.responded(role, score);
          }
          return new Recorded(score == null);
        });
  }

  /** The professional feedback given in [from, to) in one organisation (null: every one), by role. */
  public Future<Figures> figures(String organisationId, Instant from, Instant to) {
    return pool.preparedQuery("select role, count(*) filter (where score >= 9), count(*) filter (where score between 7 and 8),"
            + " count(*) filter (where score <= 6), count(*) filter (where skipped) from professional_feedback"
            + " where created_at >= $1 and created_at < $2 and ($3::text is null or organisation_id = $3) group by role order by role")
        .execute(Tuple.of(Timestamps.at(from), Timestamps.at(to), organisationId))
        .map(rows -> {
          Map<String, long[]> byRole = new TreeMap<>();
          long[] total = new long[4];
          for (Row row : rows) {
            long[] c = {row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4)};
            byRole.put(row.getString(0), c);
            for (int i = 0; i < 4; i++) {
              total[i] += c[i];
            }
          }
          return new Figures(total[0] + total[1] + total[2], total[3], total[0], total[1], total[2], byRole);
        });
  }
}
