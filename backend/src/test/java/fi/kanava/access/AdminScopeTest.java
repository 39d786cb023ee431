package fi.kanava.access;

import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.auth.Accounts;
import fi.kanava.auth.Organisations;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every admin route, tried on organisation A's accounts, units and queues by A's admin (allowed),
 * by another organisation's admin (refused, audited, nothing changed) and by a platform admin
 * (allowed). The lists show an admin its own organisation only. The routes are read from the main
 * sources, so a new admin route fails here until it has a row.
 */
@DisplayName("Administration is scoped to the admin's organisation; the platform admin's reaches every one")
class AdminScopeTest {
  static final String A = Fixtures.ORG;
  static final String B = "other-area";
  static final String PLATFORM = "platform-operator";
  static TestApp t;
  static Fixtures f;
  static int counter;
  /** A's objects the calls act on. */
  static String queueA;
  static UUID nurseA;
  static UUID spareA;
  /** A partner organisation working with A (its seats are A's admins' to give) and one of its accounts. */
  static final String PARTNER_OF_A = "partner-of-a";
  static UUID partnerAccountA;

  @BeforeAll
  static void start() {
    t = TestApp.start();
    f = new Fixtures(t).organisations();
    organisation(B);
    organisation(PLATFORM);
    queueA = unique("queue-a");
    nurseA = f.account(unique("nurse-a"), "nurse");
    spareA = f.account(unique("spare-a"), "nurse");
    new ChatFixtures(t, f).createQueue(ChatFixtures.queue(queueA, "pick"), nurseA);
    TestApp.await(t.app.services().organisations().create(Fixtures.decode(new JsonObject().put("id", PARTNER_OF_A).put("name", "Partner of A")
        .put("kind", "partner").put("partnerOf", A), Organisations.NewOrganisation.class)));
    String username = unique("partner-a");
    partnerAccountA = UUID.fromString(TestApp.await(t.app.services().accounts().create(Fixtures.decode(new JsonObject().put("username", username)
        .put("password", Fixtures.PASSWORD).put("displayName", "Partner " + username).put("role", "partner").put("organisationId", PARTNER_OF_A)
        .put("languages", new JsonArray().add("fi")), Accounts.NewAccount.class))).getString("id"));
  }

  @AfterAll
  static void stop() {
    t.close();
  }

  private static String unique(String prefix) {
    return prefix + "-" + (++counter);
  }

  private static void organisation(String id) {
    TestApp.await(t.app.services().organisations().create(Fixtures.decode(new JsonObject().put("id", id).put("name", id)
        .put("kind", "wellbeing_area"), Organisations.NewOrganisation.class)));
  }

  /** An account made through the service (no policy), and its access token. */
  private static String signedIn(String role, String organisation) {
    String username = unique(role);
    TestApp.await(t.app.services().accounts().create(Fixtures.decode(new JsonObject().put("username", username)
        .put("password", Fixtures.PASSWORD).put("displayName", "Admin " + username).put("role", role).put("organisationId", organisation)
        .put("languages", new JsonArray().add("fi")), Accounts.NewAccount.class)));
    return f.accessToken(username);
  }

  enum Admin {
    OWN("A's admin"),
    OTHER("another organisation's admin"),
    PLATFORM_ADMIN("a platform admin");

    final String description;

    Admin(String description) {
      this.description = description;
    }

    @Override
    public String toString() {
      return description;
    }

    String token() {
      return switch (this) {
        case OWN -> signedIn("admin", A);
        case OTHER -> signedIn("admin", B);
        case PLATFORM_ADMIN -> signedIn("platform_admin", PLATFORM);
      };
    }
  }

  /** One admin route on A's data: {@code route} as the source declares it, and the status when allowed. */
  record Call(String route, String path, Supplier<JsonObject> body, int status, boolean onlyPlatform) {
    HttpMethod method() {
      return HttpMethod.valueOf(route.substring(0, route.indexOf(' ')));
    }
  }

  private static Call call(String route, String path, Supplier<JsonObject> body, int status) {
    return new Call(route, path, body, status, false);
  }

  private static final List<Call> CALLS = List.of(
      call("POST /api/admin/accounts", "/api/admin/accounts", () -> new JsonObject().put("username", unique("made")).put("password",
          Fixtures.PASSWORD).put("displayName", "Made").put("role", "nurse").put("organisationId", A).put("languages", new JsonArray().add("fi")),
          201),
      call("POST /api/admin/accounts/:id/disable", "/api/admin/accounts/{spare}/disable", () -> null, 200),
      call("POST /api/admin/accounts/:id/enable", "/api/admin/accounts/{spare}/enable", () -> null, 200),
      new Call("POST /api/admin/organisations", "/api/admin/organisations", () -> new JsonObject().put("id", unique("org")).put("name", "Made")
          .put("kind", "wellbeing_area"), 201, true),
      call("POST /api/admin/organisations/:id/units", "/api/admin/organisations/" + A + "/units", () -> new JsonObject()
          .put("id", unique("unit")).put("name", "Made"), 201),
      call("POST /api/admin/queues", "/api/admin/queues", () -> ChatFixtures.queue(unique("made"), "pick").put("organisationId", A), 201),
      call("PUT /api/admin/queues/:id", "/api/admin/queues/{queue}", () -> {
        JsonObject changed = ChatFixtures.queue("ignored", "pick").put("maxLength", 7 + counter++);
        changed.remove("id");
        return changed;
      }, 200),
      call("PUT /api/admin/queues/:id/members", "/api/admin/queues/{queue}/members",
          () -> new JsonObject().put("accountIds", new JsonArray().add(nurseA.toString())), 200),
      call("GET /api/admin/queues/:id/members", "/api/admin/queues/{queue}/members", () -> null, 200),
      call("POST /api/admin/queues/:id/archive", "/api/admin/queues/{queue}/archive", () -> null, 200),
      call("POST /api/admin/queues/:id/restore", "/api/admin/queues/{queue}/restore", () -> null, 200),
      call("GET /api/admin/accounts/:id/capacity", "/api/admin/accounts/{nurse}/capacity", () -> null, 200),
      call("PUT /api/admin/accounts/:id/capacity", "/api/admin/accounts/{nurse}/capacity", () -> new JsonObject().put("maxConcurrent", 3),
          200),
      // partner seats: A's admins give the seats of a partner working with A (fi.kanava.referral)
      call("POST /api/admin/organisations/:id/seats/:accountId", "/api/admin/organisations/" + PARTNER_OF_A + "/seats/{partner}", () -> null, 200),
      call("GET /api/admin/organisations/:id/seats", "/api/admin/organisations/" + PARTNER_OF_A + "/seats", () -> null, 200),
      call("DELETE /api/admin/organisations/:id/seats/:accountId", "/api/admin/organisations/" + PARTNER_OF_A + "/seats/{partner}", () -> null,
          200),
      call("PUT /api/admin/accounts/:id/expertise", "/api/admin/accounts/{nurse}/expertise", () -> new JsonObject()
          .put("specialties", new JsonArray(List.of("diabetes"))).put("skills", new JsonArray()).put("languages", new JsonArray(List.of("fi"))),
          200));

  /** The lists: every admin may call them, and each shows only what the caller administers. */
  private static final List<String> LISTS = List.of("GET /api/admin/accounts", "GET /api/admin/organisations", "GET /api/admin/queues");

  private static String path(Call call) {
    return call.path().replace("{spare}", spareA.toString()).replace("{queue}", queueA).replace("{nurse}", nurseA.toString())
        .replace("{partner}", partnerAccountA.toString());
  }

  /** Everything of organisation A that an admin call might change, and how many organisations there are. */
  private static String organisationA() {
    return t.row("select jsonb_build_object("
        + " 'accounts', (select jsonb_agg(to_jsonb(a) - 'password_hash' order by a.id) from account a where a.organisation_id = $1),"
        + " 'units', (select jsonb_agg(to_jsonb(u) order by u.id) from unit u where u.organisation_id = $1),"
        + " 'queues', (select jsonb_agg(to_jsonb(q) order by q.id) from queue q where q.organisation_id = $1),"
        + " 'members', (select jsonb_agg(to_jsonb(m) order by m.queue_id, m.account_id) from queue_member m"
        + "   join queue q on q.id = m.queue_id where q.organisation_id = $1),"
        + " 'seats', (select jsonb_agg(to_jsonb(s) order by s.account_id) from partner_seat s"
        + "   join organisation o on o.id = s.organisation_id where o.partner_of = $1),"
        + " 'organisations', (select count(*) from organisation))::text", A).getString(0);
  }

  private static long denials(String token) {
    return t.row("select count(*) from audit_event where actor_id = $1 and outcome = 'denied'", Fixtures.subject(token)).getLong(0);
  }

  @Test
  @DisplayName("every admin route in the sources has a row here")
  void every_admin_route_is_in_the_table() throws IOException {
    Set<String> declared = new TreeSet<>();
    Pattern route = Pattern.compile("router\\.(get|post|put|delete)\\(\"(/api/admin/[^\"]+)\"");
    try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
      for (Path file : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher m = route.matcher(Files.readString(file));
        while (m.find()) {
          declared.add(m.group(1).toUpperCase(java.util.Locale.ROOT) + " " + m.group(2));
        }
      }
    }
    Set<String> covered = new TreeSet<>(LISTS);
    CALLS.forEach(c -> covered.add(c.route()));
    assertThat(declared).as("admin routes in the sources").hasSizeGreaterThan(10);
    assertThat(covered).as("admin routes without a row in AdminScopeTest").containsAll(declared);
    assertThat(declared).as("rows for routes that no longer exist").containsAll(covered);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Admin.class)
  @DisplayName("each admin route on organisation A: allowed for A's admin and a platform admin, refused, audited and harmless for another's")
  void every_route(Admin who) {
    String token = who.token();
    SoftAssertions softly = new SoftAssertions();
    for (Call call : CALLS) {
      String what = who + ": " + call.route();
      boolean allowed = who == Admin.PLATFORM_ADMIN || (who == Admin.OWN && !call.onlyPlatform());
      String before = organisationA();
      long deniedBefore = denials(token);
      HttpResponse<Buffer> response = t.send(call.method(), path(call), token, call.body().get());
      if (allowed) {
        softly.assertThat(response.statusCode()).as(what + " answered " + response.bodyAsString()).isEqualTo(call.status());
      } else {
        softly.assertThat(response.statusCode()).as(what + " answered " + response.bodyAsString()).isEqualTo(403);
        softly.assertThat(organisationA()).as(what + ": organisation A is as it was").isEqualTo(before);
        softly.assertThat(denials(token)).as(what + ": a denied audit row").isGreaterThan(deniedBefore);
      }
    }
    softly.assertAll();
  }

  @Nested
  @DisplayName("the lists")
  class Lists {
    @Test
    void an_admin_sees_its_own_organisation_s_accounts_units_and_queues_only() {
      String other = Admin.OTHER.token();
      String ownToken = Admin.OWN.token();
      for (String list : LISTS) {
        String path = list.substring(4);
        String ofOther = t.get(path, other).bodyAsString();
        assertThat(ofOther).as(list + " for another organisation's admin").doesNotContain(A).doesNotContain(queueA)
            .doesNotContain(nurseA.toString());
        String ofOwn = t.get(path, ownToken).bodyAsString();
        assertThat(ofOwn).as(list + " for A's admin").doesNotContain("\"" + B + "\"").doesNotContain(PLATFORM);
      }
      assertThat(t.get("/api/admin/accounts", ownToken).bodyAsString()).contains(nurseA.toString());
      assertThat(t.get("/api/admin/queues", ownToken).bodyAsJsonArray().stream().map(q -> ((JsonObject) q).getString("id")))
          .contains(queueA);
      assertThat(t.get("/api/admin/organisations", ownToken).bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("id")))
          .containsExactly(A);
    }

    @Test
    void a_platform_admin_sees_every_organisation() {
      String platform = Admin.PLATFORM_ADMIN.token();
      assertThat(t.get("/api/admin/organisations", platform).bodyAsJsonArray().stream().map(o -> ((JsonObject) o).getString("id")))
          .contains(A, B, PLATFORM, Fixtures.PARTNER_ORG);
      assertThat(t.get("/api/admin/accounts", platform).bodyAsString()).contains(nurseA.toString());
    }
  }

  @Nested
  @DisplayName("what an admin may not do even in its own organisation")
  class WithinTheOrganisation {
    @Test
    void an_admin_neither_makes_a_platform_admin_nor_disables_one() {
      String admin = Admin.OWN.token();
      JsonObject platformAccount = new JsonObject().put("username", unique("would-be-platform")).put("password", Fixtures.PASSWORD)
          .put("displayName", "Would be").put("role", "platform_admin").put("organisationId", A).put("languages", new JsonArray().add("fi"));
      assertError(t.post("/api/admin/accounts", admin, platformAccount), 403, "forbidden");
      String platformToken = Admin.PLATFORM_ADMIN.token();
      HttpResponse<Buffer> made = t.post("/api/admin/accounts", platformToken, platformAccount);
      assertThat(made.statusCode()).as(made.bodyAsString()).isEqualTo(201);
      String id = made.bodyAsJsonObject().getString("id");
      assertError(t.post("/api/admin/accounts/" + id + "/disable", admin, null), 403, "forbidden");
      assertThat(t.row("select disabled_at from account where id = $1", UUID.fromString(id)).getValue(0)).isNull();
      assertThat(t.row("select reason from audit_event where actor_id = $1 order by id desc limit 1", Fixtures.subject(admin))
          .getString(0)).isEqualTo("platform_admin_only");
    }

    @Test
    void nobody_puts_another_organisation_s_professional_in_a_queue_and_a_queue_stays_with_its_organisation() {
      UUID nurseB = TestApp.await(t.app.services().accounts().create(Fixtures.decode(new JsonObject().put("username", unique("nurse-b"))
          .put("password", Fixtures.PASSWORD).put("displayName", "Nurse B").put("role", "nurse").put("organisationId", B)
          .put("languages", new JsonArray().add("fi")), Accounts.NewAccount.class))).getString("id").transform(UUID::fromString);
      for (String token : List.of(Admin.OWN.token(), Admin.PLATFORM_ADMIN.token())) {
        assertError(t.send(HttpMethod.PUT, "/api/admin/queues/" + queueA + "/members", token,
            new JsonObject().put("accountIds", new JsonArray().add(nurseA.toString()).add(nurseB.toString()))), 400, "unknown_account");
        JsonObject moved = ChatFixtures.queue("ignored", "pick").put("organisationId", B);
        moved.remove("id");
        assertError(t.send(HttpMethod.PUT, "/api/admin/queues/" + queueA, token, moved), 400, "invalid_field");
      }
      assertThat(t.rows("select account_id from queue_member where queue_id = $1", queueA)).extracting(r -> r.getUUID(0))
          .containsExactly(nurseA);
      assertThat(t.row("select organisation_id from queue where id = $1", queueA).getString(0)).isEqualTo(A);
    }

    @Test
    void an_admin_s_new_queue_is_its_own_organisation_s() {
      String id = unique("own-queue");
      HttpResponse<Buffer> made = t.post("/api/admin/queues", Admin.OTHER.token(), ChatFixtures.queue(id, "pick"));
      assertThat(made.statusCode()).as(made.bodyAsString()).isEqualTo(201);
      assertThat(made.bodyAsJsonObject().getString("organisationId")).isEqualTo(B);
      assertThat(t.row("select organisation_id from queue where id = $1", id).getString(0)).isEqualTo(B);
    }
  }
}
