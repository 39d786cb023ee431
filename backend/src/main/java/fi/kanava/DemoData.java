package fi.kanava;

import fi.kanava.auth.Accounts;
import fi.kanava.auth.Organisations;
import fi.kanava.infra.ApiError;
import fi.kanava.queue.QueueSettings;
import fi.kanava.queue.Queues;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import fi.kanava.infra.JsonBodies;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Demo organisations and one account per role, loaded by the README's run command only
 * ({@code demo.load=true}). Loading twice changes nothing. All demo accounts share one password,
 * printed at start so a newcomer can sign in.
 */
public final class DemoData {
  private static final Logger log = LoggerFactory.getLogger(DemoData.class);
  public static final String PASSWORD = "kanava-demo-password";

  private DemoData() {}

  private static final List<JsonObject> ORGANISATIONS = List.of(
      new JsonObject().put("id", "lappi").put("name", "Lapin hyvinvointialue").put("kind", "wellbeing_area"),
      new JsonObject().put("id", "rovaniemi-liikunta").put("name", "Liikuntaneuvonta / exercise counselling").put("kind", "partner")
          .put("seatLimit", 2).put("partnerOf", "lappi"));

  private static final List<String[]> UNITS = List.of(
      new String[] {"lappi", "lappi-digi", "Digitaalinen sote-keskus"},
      new String[] {"lappi", "lappi-suunhoito", "Suun terveydenhuolto"});

  /** username, display name, role, profession, organisation, unit, languages. */
  private static final List<String[]> ACCOUNTS = List.of(
      new String[] {"admin", "Demo Admin", "admin", null, "lappi", null, "fi,en"},
      new String[] {"alusta", "Demo Platform Admin", "platform_admin", null, "lappi", null, "fi,en"},
      new String[] {"hoitaja", "Hanna Hoitaja", "nurse", null, "lappi", "lappi-digi", "fi,sv,en"},
      new String[] {"sairaanhoitaja", "Sámi-Sanna Hoitaja", "nurse", null, "lappi", "lappi-digi", "fi,se"},
      new String[] {"laakari", "Lauri Lääkäri", "physician", null, "lappi", "lappi-digi", "fi,en"},
      new String[] {"fysio", "Fiia Fysioterapeutti", "specialist", "physiotherapist", "lappi", "lappi-digi", "fi"},
      new String[] {"suuhygienisti", "Suvi Suuhygienisti", "specialist", "dental hygienist", "lappi", "lappi-suunhoito", "fi,sv"},
      new String[] {"liikunta", "Leo Liikuntaneuvoja", "partner", null, "rovaniemi-liikunta", null, "fi"},
      new String[] {"esihenkilo", "Eija Esihenkilö", "supervisor", null, "lappi", "lappi-digi", "fi"});

  /** The expert registry (fi.kanava.directory): username → specialties, skills (comma-separated). */
  private static final java.util.Map<String, String[]> EXPERTISE = java.util.Map.of(
      "hoitaja", new String[] {"diabetes,wound care", "telephone triage,insulin pumps"},
      "sairaanhoitaja", new String[] {"mental health,child psychiatry", "sámi culture,family counselling"},
      "laakari", new String[] {"diabetes,internal medicine", "remote consultation,ultrasound"},
      "fysio", new String[] {"back pain,sports injuries", "exercise therapy"},
      "suuhygienisti", new String[] {"orthodontics,oral hygiene", "dental photography"});

  /** Demo queue definitions (resources demo/*.json) and the usernames that serve them. */
  private static final List<String[]> QUEUES = List.of(
      new String[] {"nurse-chat", "hoitaja", "sairaanhoitaja", "laakari"},
      new String[] {"dental", "suuhygienisti"},
      // where a nurse transfers a patient who needs a physician (docs/protocol.md, "Transfers")
      new String[] {"doctor-chat", "laakari"},
      new String[] {"consult-on-duty", "laakari"},
      new String[] {"consult-psychiatry", "laakari"},
      new String[] {"consult-dental-hygienist", "suuhygienisti"});

  /** Consult queues (docs/protocol.md, "Consultations") among {@link #QUEUES}: their response target for non-urgent consultations. */
  private static final java.util.Map<String, java.time.Duration> CONSULT_QUEUES = java.util.Map.of(
      "consult-on-duty", java.time.Duration.ofMinutes(60),
      "consult-psychiatry", java.time.Duration.ofDays(1),
      "consult-dental-hygienist", java.time.Duration.ofDays(2));

  private static Future<Void> demoQueue(Application.Services services, String queueId, List<String> usernames) {
    JsonObject definition;
    try (var in = DemoData.class.getClassLoader().getResourceAsStream("demo/" + queueId + ".json")) {
      definition = new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.io.IOException | NullPointerException e) {
      return Future.failedFuture(new IllegalStateException("demo queue " + queueId + " is missing", e));
    }
    QueueSettings.Request request = decode(definition, QueueSettings.Request.class);
    return exists(services.queues().create(request.validate(null), request.organisationId()), "queue_exists")
        .compose(v -> services.accounts().list(request.organisationId()))
        .compose(accounts -> {
          List<java.util.UUID> ids = accounts.stream().map(JsonObject.class::cast)
              .filter(a -> usernames.contains(a.getString("username")))
              .map(a -> java.util.UUID.fromString(a.getString("id"))).toList();
          return services.queues().setMembers(queueId, new Queues.Members(ids));
        })
        .mapEmpty();
  }

  /**
   * Loads whatever part of the demo data is missing: each organisation, unit, account and queue is
   * created unless it exists, so a run interrupted half-way is completed by the next one.
   */
  public static Future<Void> load(Application.Services services) {
    Organisations organisations = services.organisations();
    Accounts accounts = services.accounts();
    Future<Void> chain = Future.succeededFuture();
    for (JsonObject org : ORGANISATIONS) {
      chain = chain.compose(v -> exists(organisations.create(decode(org, Organisations.NewOrganisation.class)), "organisation_exists"));
    }
    for (String[] unit : UNITS) {
      chain = chain.compose(v -> exists(organisations.createUnit(unit[0],
          decode(new JsonObject().put("id", unit[1]).put("name", unit[2]), Organisations.NewUnit.class)), "unit_exists"));
    }
    for (String[] a : ACCOUNTS) {
      JsonObject body = new JsonObject().put("username", a[0]).put("password", PASSWORD).put("displayName", a[1])
          .put("role", a[2]).put("organisationId", a[4]).put("languages", new JsonArray(List.of(a[6].split(","))));
      if (a[3] != null) {
        body.put("profession", a[3]);
      }
      if (a[5] != null) {
        body.put("unitId", a[5]);
      }
      String[] expertise = EXPERTISE.get(a[0]);
      if (expertise != null) {
        body.put("specialties", new JsonArray(List.of(expertise[0].split(",")))).put("skills", new JsonArray(List.of(expertise[1].split(","))));
      }
      chain = chain.compose(v -> exists(accounts.create(decode(body, Accounts.NewAccount.class)), "username_taken"));
    }
    for (String[] queue : QUEUES) {
      chain = chain.compose(v -> demoQueue(services, queue[0], List.of(queue).subList(1, queue.length)));
    }
    // the exercise counsellor holds one of the partner's two seats, given by the area's admin
    chain = chain.compose(v -> services.referrals().demoSeat("liikunta", "admin"));
    for (var consult : CONSULT_QUEUES.entrySet()) {
      chain = chain.compose(v -> services.consultations().makeConsultQueue(consult.getKey(), consult.getValue()));
    }
    chain = chain.compose(v -> services.demoHistory().load()); // last month's and this month's events (fi.kanava.DemoHistory)
    // a video visit today for the physician, with a patient known only by name. Its join link is a one-time
    // credential, so it is not logged: the physician makes one in the console (Visits, the visit, "New link").
    chain = chain.compose(v -> services.visits().demoVisit("laakari", "Aino Asiakas"))
        .map(booked -> {
          log.info("Demo video visit today for laakari with Aino Asiakas: sign in as laakari, open Visits and the visit,"
              + " and choose \"New link\" for the patient's one-time join link");
          return null;
        });
    // ops/loadtest waits for "Demo data loaded" before it starts
    return chain.onSuccess(v -> log.info("Demo data loaded. Demo accounts: {} (password '{}')",
        ACCOUNTS.stream().map(a -> a[0] + "=" + a[2]).toList(), PASSWORD));
  }

  /** Succeeds when the thing was created or already existed. */
  private static Future<Void> exists(Future<?> creation, String existsCode) {
    return creation.<Void>mapEmpty().recover(e -> e instanceof ApiError api && api.code().equals(existsCode)
        ? Future.succeededFuture() : Future.failedFuture(e));
  }

  private static <T> T decode(JsonObject json, Class<T> type) {
    return JsonBodies.decode(Buffer.buffer(json.encode()), type);
  }
}
