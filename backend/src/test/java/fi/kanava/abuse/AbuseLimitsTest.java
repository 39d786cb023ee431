package fi.kanava.abuse;

import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import fi.kanava.infra.ConfigLoader;
import fi.kanava.support.ChatFixtures;
import fi.kanava.support.Fixtures;
import fi.kanava.support.TestApp;
import fi.kanava.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The abuse limits of issue 9 against a real node: per-address buckets for anonymous sessions,
 * queue entries and failed sign-ins, the open conversations per address, trusted proxies, the
 * socket cap and the purge of stale anonymous patients. Every client here is 127.0.0.1; with
 * 127.0.0.1 as a trusted proxy, an X-Forwarded-For header plays the client's address.
 */
@DisplayName("Abuse limits")
class AbuseLimitsTest {
  private static final String PROXY = "127.0.0.1/32";

  /** The documented defaults of every abuse.* setting (TestApp relaxes them for the other tests), with the given overrides. */
  private static Map<String, String> documentedLimits(Map<String, String> overrides) {
    Properties defaults = new Properties();
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(ConfigLoader.DEFAULTS_RESOURCE)) {
      defaults.load(in);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    Map<String, String> settings = new HashMap<>();
    defaults.stringPropertyNames().stream().filter(k -> k.startsWith("abuse.")).forEach(k -> settings.put(k, defaults.getProperty(k)));
    settings.putAll(overrides);
    return settings;
  }

  /** POST /api/patient/session as the client at {@code address} (null: no header). */
  private static Future<HttpResponse<Buffer>> openSession(TestApp t, String address) {
    var request = t.http.post("/api/patient/session");
    if (address != null) {
      request.putHeader("x-forwarded-for", address);
    }
    return request.send();
  }

  /** {@code count} session requests from one address at once; the responses by status. */
  private static Map<Integer, List<HttpResponse<Buffer>>> flood(TestApp t, String address, int count) {
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      all.add(openSession(t, address));
    }
    TestApp.await(Future.join(all));
    return all.stream().map(Future::result).collect(Collectors.groupingBy(HttpResponse::statusCode));
  }

  private static String accessToken(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject().getString("accessToken");
  }

  private static long count(TestApp t, String sql, Object... params) {
    return t.row(sql, params).getLong(0);
  }

  @Nested
  @DisplayName("a flood of sessions and scripted entries")
  class Flood {
    @Test
    void from_one_address_and_a_handful_behind_a_proxy_cannot_turn_a_real_patient_away() {
      try (TestApp t = TestApp.start(documentedLimits(Map.of("http.trusted-proxies", PROXY)))) {
        ChatFixtures chat = new ChatFixtures(t, new Fixtures(t).organisations());
        // the nurse chat of the incident: 205 scripted entries filled it
        chat.createQueue(ChatFixtures.queue("nurse-chat", "pick").put("maxLength", 40));
        List<WsClient> sockets = new ArrayList<>();
        try {
          // 2,000 sessions at once from one address: the burst gets through, the rest is refused and stores nothing
          Map<Integer, List<HttpResponse<Buffer>>> byStatus = flood(t, "203.0.113.66", 2000);
          assertThat(byStatus.keySet()).containsExactlyInAnyOrder(201, 429);
          assertThat(byStatus.get(201)).hasSize(20);
          HttpResponse<Buffer> refused = byStatus.get(429).get(0);
          assertError(refused, 429, "rate_limited");
          assertThat(refused.getHeader("retry-after")).isEqualTo("6");
          assertThat(refused.bodyAsJsonObject().getLong("retryAfterSeconds")).isEqualTo(6);
          assertThat(count(t, "select count(*) from patient")).isEqualTo(20);

          // every session it got enters the queue at once
          Map<String, Integer> outcomes = enterAll(t, sockets, byStatus.get(201), "203.0.113.66");
          assertThat(outcomes).containsExactlyInAnyOrderEntriesOf(
              Map.of("queue.entered", 5, "too_many_open_conversations", 5, "rate_limited", 10));

          // a handful of addresses behind the proxy do the same
          for (int i = 1; i <= 5; i++) {
            String address = "198.51.100." + i;
            Map<Integer, List<HttpResponse<Buffer>>> theirs = flood(t, address, 400);
            assertThat(theirs.get(201)).as(address).hasSize(20);
            assertThat(enterAll(t, sockets, theirs.get(201), address)).as(address).containsEntry("queue.entered", 5);
          }
          assertThat(count(t, "select count(*) from conversation where state = 'queued'")).isEqualTo(30);

          // the real patient, from another address, still gets a session and a place in the queue
          HttpResponse<Buffer> session = TestApp.await(openSession(t, "192.0.2.44"));
          assertThat(session.statusCode()).isEqualTo(201);
          try (WsClient patient = WsClient.connect(t, accessToken(session), Map.of("x-forwarded-for", "192.0.2.44"))) {
            JsonObject entered = patient.request(ChatFixtures.enter("nurse-chat"));
            assertThat(entered.getString("type")).as(entered.encode()).isEqualTo("queue.entered");
          }
          assertThat(count(t, "select count(*) from patient")).isEqualTo(20 + 5 * 20 + 1);
        } finally {
          sockets.forEach(WsClient::close);
        }
      }
    }

    /** Opens a socket per session from {@code address}, sends every queue.enter at once; the outcomes by reply type or error code. */
    private Map<String, Integer> enterAll(TestApp t, List<WsClient> sockets, List<HttpResponse<Buffer>> sessions, String address) {
      List<WsClient> mine = new ArrayList<>();
      for (HttpResponse<Buffer> session : sessions) {
        WsClient ws = WsClient.connect(t, accessToken(session), Map.of("x-forwarded-for", address));
        sockets.add(ws);
        mine.add(ws);
      }
      mine.forEach(ws -> ws.send(ChatFixtures.enter("nurse-chat").put("ref", "enter")));
      Map<String, Integer> outcomes = new HashMap<>();
      for (WsClient ws : mine) {
        JsonObject reply = ws.await(f -> "enter".equals(f.getString("ref")));
        String outcome = "error".equals(reply.getString("type")) ? reply.getString("code") : reply.getString("type");
        outcomes.merge(outcome, 1, Integer::sum);
      }
      return outcomes;
    }
  }

  @Nested
  @DisplayName("forwarded addresses")
  class TrustedProxies {
    @Test
    void a_spoofed_x_forwarded_for_from_a_peer_that_is_not_a_trusted_proxy_is_ignored_over_http_and_websocket() {
      try (TestApp t = TestApp.start(documentedLimits(Map.of("abuse.anonymous-sessions.burst", "3", "abuse.queue-entries.burst", "2")))) {
        ChatFixtures chat = new ChatFixtures(t, new Fixtures(t).organisations());
        chat.createQueue(ChatFixtures.queue("spoof", "pick"));
        List<String> tokens = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
          HttpResponse<Buffer> response = TestApp.await(openSession(t, "10.0.0." + i));
          assertThat(response.statusCode()).isEqualTo(201);
          tokens.add(accessToken(response));
        }
        // a fourth "client" is still 127.0.0.1 to the server
        assertError(TestApp.await(openSession(t, "10.0.0.4")), 429, "rate_limited");
        assertError(TestApp.await(openSession(t, null)), 429, "rate_limited");
        // the same on the socket: the handshake's address is computed the same way
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          try (WsClient ws = WsClient.connect(t, tokens.get(i), Map.of("x-forwarded-for", "10.0.1." + i))) {
            JsonObject reply = ws.request(ChatFixtures.enter("spoof"));
            outcomes.add("error".equals(reply.getString("type")) ? reply.getString("code") : reply.getString("type"));
          }
        }
        assertThat(outcomes).containsExactly("queue.entered", "queue.entered", "rate_limited");
      }
    }

    @Test
    void behind_a_trusted_proxy_each_client_has_its_own_bucket_and_cannot_escape_it_by_writing_hops() {
      try (TestApp t = TestApp.start(documentedLimits(Map.of("http.trusted-proxies", PROXY, "abuse.anonymous-sessions.burst", "2")))) {
        // the proxy appends the address it saw (203.0.113.9) to whatever the client sent
        for (String spoof : List.of("1.1.1.1", "2.2.2.2")) {
          assertThat(TestApp.await(openSession(t, spoof + ", 203.0.113.9")).statusCode()).isEqualTo(201);
        }
        assertError(TestApp.await(openSession(t, "3.3.3.3, 203.0.113.9")), 429, "rate_limited");
        assertThat(TestApp.await(openSession(t, "198.51.100.7")).statusCode()).isEqualTo(201);
        // time brings the tokens back (the injected clock)
        t.clock.advance(Duration.ofSeconds(6));
        assertThat(TestApp.await(openSession(t, "203.0.113.9")).statusCode()).isEqualTo(201);
        assertError(TestApp.await(openSession(t, "203.0.113.9")), 429, "rate_limited");
      }
    }
  }

  @Nested
  @DisplayName("sockets per principal")
  class SocketCap {
    @Test
    void a_socket_over_the_cap_closes_the_principals_oldest_with_4429_and_others_are_untouched() {
      try (TestApp t = TestApp.start(Map.of("abuse.sockets-per-principal", "2"))) {
        String token = accessToken(TestApp.await(openSession(t, null)));
        String other = accessToken(TestApp.await(openSession(t, null)));
        try (WsClient first = WsClient.connect(t, token); WsClient second = WsClient.connect(t, token);
            WsClient elsewhere = WsClient.connect(t, other); WsClient third = WsClient.connect(t, token)) {
          assertThat(first.awaitType("error").getString("code")).isEqualTo("too_many_sockets");
          assertThat(first.awaitClose()).isEqualTo((short) 4429);
          for (WsClient open : List.of(second, third, elsewhere)) {
            assertThat(open.request(new JsonObject().put("type", "ping")).getString("type")).isEqualTo("pong");
          }
          // the next one closes the oldest left, not the newest
          try (WsClient fourth = WsClient.connect(t, token)) {
            assertThat(second.awaitType("error").getString("code")).isEqualTo("too_many_sockets");
            assertThat(second.awaitClose()).isEqualTo((short) 4429);
            for (WsClient open : List.of(third, fourth, elsewhere)) {
              assertThat(open.request(new JsonObject().put("type", "ping")).getString("type")).isEqualTo("pong");
            }
          }
        }
      }
    }
  }

  @Nested
  @DisplayName("sign-in attempts per address")
  class SignIn {
    private HttpResponse<Buffer> login(TestApp t, String address, String username, String password) {
      return TestApp.await(t.http.post("/api/auth/login").putHeader("x-forwarded-for", address)
          .sendJsonObject(new JsonObject().put("username", username).put("password", password)));
    }

    @Test
    void are_bounded_without_letting_a_guesser_lock_the_real_user_out_from_elsewhere() {
      try (TestApp t = TestApp.start(Map.of("http.trusted-proxies", PROXY, "auth.login.max-failures", "3",
          "abuse.login-failures.burst", "6", "abuse.login-failures.interval", "PT1M"))) {
        Fixtures f = new Fixtures(t).organisations();
        f.account("real-nurse", "nurse");
        f.account("other-nurse", "nurse");
        String attacker = "203.0.113.50";
        assertError(login(t, attacker, "real-nurse", "guess 1"), 401, "invalid_credentials");
        assertError(login(t, attacker, "real-nurse", "guess 2"), 401, "invalid_credentials");
        assertError(login(t, attacker, "real-nurse", "guess 3"), 429, "too_many_attempts");
        assertError(login(t, attacker, "real-nurse", Fixtures.PASSWORD), 429, "too_many_attempts");
        // the real nurse, from the hospital's address, signs in
        assertThat(login(t, "192.0.2.80", "real-nurse", Fixtures.PASSWORD).statusCode()).isEqualTo(200);
        // the guesser turns to other usernames until the address is out of attempts
        assertError(login(t, attacker, "other-nurse", "guess 4"), 401, "invalid_credentials");
        assertError(login(t, attacker, "someone-else", "guess 5"), 401, "invalid_credentials");
        HttpResponse<Buffer> bounded = login(t, attacker, "third-name", "guess 6");
        assertError(bounded, 429, "rate_limited");
        assertThat(bounded.getHeader("retry-after")).isEqualTo("60");
        // refused before anything is checked: even the right password, and no username's count moves
        assertError(login(t, attacker, "other-nurse", Fixtures.PASSWORD), 429, "rate_limited");
        assertThat(count(t, "select count(*) from login_throttle where username_key = 'third-name'")).isZero();
        assertThat(count(t, "select failures from login_throttle where username_key = 'other-nurse'")).isEqualTo(1);
        // successful sign-ins from an address cost it nothing
        for (int i = 0; i < 10; i++) {
          assertThat(login(t, "192.0.2.80", "other-nurse", Fixtures.PASSWORD).statusCode()).isEqualTo(200);
        }
        // a minute later the guesser has one attempt again
        t.clock.advance(Duration.ofMinutes(1));
        assertError(login(t, attacker, "someone-else", "guess 7"), 401, "invalid_credentials");
        assertError(login(t, attacker, "someone-else", "guess 8"), 429, "rate_limited");
      }
    }
  }

  @Nested
  @DisplayName("stale anonymous patients")
  class Purge {
    @Test
    void are_purged_after_the_retention_while_patients_of_conversations_and_the_audit_trail_stay() {
      try (TestApp t = TestApp.start(Map.of("abuse.anonymous-retention", "P1D"))) {
        ChatFixtures chat = new ChatFixtures(t, new Fixtures(t).organisations());
        chat.createQueue(ChatFixtures.queue("purge", "pick"));
        Function<String, UUID> patientOf = token -> Fixtures.subject(token);
        HttpResponse<Buffer> idle = TestApp.await(openSession(t, null));
        UUID idleId = patientOf.apply(accessToken(idle));
        UUID closedId;
        UUID waitingId;
        try (ChatFixtures.Patient left = chat.anonymousPatient(); ChatFixtures.Patient waiting = chat.anonymousPatient()) {
          String conversation = left.ws().request(ChatFixtures.enter("purge")).getJsonObject("conversation").getString("id");
          left.ws().request(new JsonObject().put("type", "queue.leave").put("conversationId", conversation));
          waiting.ws().request(ChatFixtures.enter("purge"));
          closedId = left.id();
          waitingId = waiting.id();
        }
        t.rows("insert into audit_event (occurred_at, actor_kind, action, resource_type, patient_id, purpose, outcome)"
            + " values ($1, 'system', 'test.read', 'conversation', $2, 'test', 'allowed')", TestApp.START.atOffset(java.time.ZoneOffset.UTC),
            idleId);

        // the sessions end two hours after they began (auth.refresh-token-ttl); a day later nothing has gone yet
        t.clock.advance(Duration.ofHours(25));
        TestApp.await(t.app.maintenance().run());
        assertThat(count(t, "select count(*) from patient where id = $1", idleId)).isEqualTo(1);
        assertThat(count(t, "select count(*) from refresh_token where subject_id = $1", idleId)).isEqualTo(1);

        // a day after the session ended
        t.clock.advance(Duration.ofHours(1).plusMinutes(1));
        UUID recentId = patientOf.apply(accessToken(TestApp.await(openSession(t, null))));
        TestApp.await(t.app.maintenance().run());

        // the patient who never entered a queue is gone, with their session
        assertThat(count(t, "select count(*) from patient where id = $1", idleId)).isZero();
        assertThat(count(t, "select count(*) from refresh_token where subject_id = $1", idleId)).isZero();
        assertError(t.post("/api/auth/refresh", null, new JsonObject().put("refreshToken", idle.bodyAsJsonObject().getString("refreshToken"))),
            401, "invalid_refresh_token");
        // patients of conversations, closed or waiting, stay (their expired sessions do not); the new one is untouched
        for (UUID kept : List.of(closedId, waitingId)) {
          assertThat(count(t, "select count(*) from patient where id = $1", kept)).isEqualTo(1);
          assertThat(count(t, "select count(*) from refresh_token where subject_id = $1", kept)).isZero();
        }
        assertThat(count(t, "select count(*) from refresh_token where subject_id = $1", recentId)).isEqualTo(1);
        assertThat(count(t, "select count(*) from conversation")).isEqualTo(2);
        // the audit trail keeps what happened to the purged patient's data
        assertThat(count(t, "select count(*) from audit_event where patient_id = $1", idleId)).isEqualTo(1);
      }
    }
  }
}
