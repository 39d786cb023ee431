package fi.kanava.auth;

import static fi.kanava.support.HttpAssertions.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import fi.kanava.infra.ConfigException;
import fi.kanava.infra.ConfigLoader;
import fi.kanava.infra.Database;
import fi.kanava.infra.DbTarget;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.support.TestApp;
import fi.kanava.support.TestDb;
import fi.kanava.support.Tokens;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Signing keys: sealed at rest, rotated, published")
class SigningKeysTest {
  private static final Duration PERIOD = Duration.ofDays(7);
  private static final Duration AHEAD = KanavaConfig.SigningKey.PUBLISHED_AHEAD;

  private static String patientToken(TestApp t) {
    return t.post("/api/patient/session", null, null).bodyAsJsonObject().getString("accessToken");
  }

  /** A call that any patient's valid token may make. */
  private static int accessLog(TestApp t, String token) {
    return t.get("/api/patient/access-log", token).statusCode();
  }

  private static List<String> jwksKeyIds(TestApp t) {
    var response = t.get("/.well-known/jwks.json", null);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("cache-control")).isEqualTo("public, max-age=60");
    return response.bodyAsJsonObject().getJsonArray("keys").stream().map(k -> ((JsonObject) k).getString("kid")).toList();
  }

  private static List<Row> keys(TestApp t) {
    return t.rows("select key_id, signs_from, public_pem, private_pem, private_sealed, sealed_with from signing_key order by signs_from");
  }

  @Nested
  @DisplayName("at rest")
  class AtRest {
    @Test
    void the_private_key_is_stored_only_sealed_under_the_configured_key_encryption_key() {
      try (TestApp t = TestApp.start()) {
        List<Row> rows = keys(t);
        assertThat(rows).hasSize(1);
        Row row = rows.get(0);
        assertThat(row.getString("private_pem")).isNull();
        String sealed = new String(row.getBuffer("private_sealed").getBytes(), StandardCharsets.ISO_8859_1);
        assertThat(sealed).doesNotContain("PRIVATE KEY").doesNotContain("MIG");
        assertThat(row.getString("sealed_with")).isEqualTo(KeyEncryptionKey.resolve(t.config).fingerprint());
        // and what is sealed is the key that signs: the test opens it with the same key and it signs tokens Kanava accepts
        String keyId = row.getString("key_id");
        String privatePem = new String(KeyEncryptionKey.resolve(t.config).open(keyId, row.getString("public_pem"),
            row.getBuffer("private_sealed").getBytes()), StandardCharsets.UTF_8);
        String forged = Tokens.patientToken(t.vertx, privatePem, keyId, UUID.randomUUID(), t.clock.instant(),
            t.clock.instant().plusSeconds(60));
        assertThat(accessLog(t, forged)).isEqualTo(200);
      }
    }

    @Test
    void a_key_stored_in_plaintext_before_the_upgrade_is_sealed_on_start_keeps_verifying_and_is_replaced_at_once() throws Exception {
      Database database = TestDb.newDatabase();
      DbTarget db = database.owner();
      // the schema as it was before keys were sealed, with the plaintext key an older server stored
      Flyway.configure().dataSource(db.jdbcUrl(), db.user(), db.password()).locations("classpath:db/migration").target("3").load().migrate();
      Tokens.Pem legacy = Tokens.newKeyPair();
      String legacyId = UUID.randomUUID().toString();
      // a day old: not due for rotation by its age, replaced because it lay in plaintext
      Instant before = TestApp.START.minus(Duration.ofDays(1));
      try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
          PreparedStatement insert = c.prepareStatement("insert into signing_key (purpose, algorithm, key_id, private_pem, public_pem,"
              + " created_at) values ('access-token', 'ES256', ?, ?, ?, ?)")) {
        insert.setString(1, legacyId);
        insert.setString(2, legacy.privatePem());
        insert.setString(3, legacy.publicPem());
        insert.setObject(4, before.atOffset(java.time.ZoneOffset.UTC));
        insert.executeUpdate();
      }

      try (TestApp t = TestApp.startOn(database, Map.of())) {
        List<Row> rows = keys(t);
        assertThat(rows).extracting(r -> r.getString("key_id")).first().isEqualTo(legacyId);
        assertThat(rows).allSatisfy(r -> {
          assertThat(r.getString("private_pem")).isNull();
          assertThat(r.getBuffer("private_sealed")).isNotNull();
        });
        // replaced: a successor is published now and signs once every node has read it
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1).getOffsetDateTime("signs_from").toInstant()).isEqualTo(TestApp.START.plus(AHEAD));

        // a token the old key signed still verifies until it expires
        String old = Tokens.patientToken(t.vertx, legacy.privatePem(), legacyId, UUID.randomUUID(), t.clock.instant(),
            t.clock.instant().plus(Duration.ofMinutes(5)));
        assertThat(accessLog(t, old)).isEqualTo(200);
        assertThat(Tokens.keyId(patientToken(t))).isEqualTo(legacyId);
        t.clock.advance(AHEAD);
        assertThat(Tokens.keyId(patientToken(t))).isEqualTo(rows.get(1).getString("key_id"));
      }
    }

    @Test
    void a_wrong_key_encryption_key_stops_start_up_with_a_message_naming_both_keys_and_nothing_else() {
      try (TestApp t = TestApp.start()) {
        String stored = KeyEncryptionKey.resolve(t.config).fingerprint();
        String wrong = KeyEncryptionKey.newEncodedKey();
        assertThatThrownBy(() -> TestApp.startOn(t.db, Map.of("auth.signing-key.encryption-key", wrong)).close())
            .isInstanceOf(ConfigException.class)
            .hasMessageStartingWith("auth.signing-key.encryption-key: the signing keys in the database were sealed with the"
                + " key-encryption key " + stored + ", but auth.signing-key.encryption-key holds ")
            .hasMessageContaining("delete the rows of signing_key")
            .hasMessageNotContaining(wrong)
            .hasNoCause();
        // nothing was changed by the failed start: the right key still works
        try (TestApp again = t.anotherNode()) {
          assertThat(accessLog(again, patientToken(t))).isEqualTo(200);
        }
      }
    }

    @Test
    void an_altered_sealed_key_stops_start_up_and_says_so() {
      try (TestApp t = TestApp.start()) {
        TestApp.await(t.pool().query("update signing_key set private_sealed = set_byte(private_sealed, 20, get_byte(private_sealed, 20) # 1)")
            .execute());
        assertThatThrownBy(() -> t.anotherNode().close())
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining("does not open with the key-encryption key")
            .hasMessageContaining("was altered");
      }
    }
  }

  @Nested
  @DisplayName("against someone who can write the table but has not the key-encryption key")
  class DatabaseWriter {
    @Test
    void a_plaintext_key_written_after_sealing_is_never_trusted() {
      try (TestApp t = TestApp.start()) {
        Tokens.Pem forged = Tokens.newKeyPair();
        String forgedId = UUID.randomUUID().toString();
        TestApp.await(t.pool().preparedQuery("insert into signing_key (purpose, algorithm, key_id, private_pem, public_pem, signs_from,"
                + " created_at) values ('access-token', 'ES256', $1, $2, $3, $4, $4)")
            .execute(io.vertx.sqlclient.Tuple.of(forgedId, forged.privatePem(), forged.publicPem(),
                fi.kanava.infra.Timestamps.at(t.clock.instant().minusSeconds(1)))));
        TestApp.await(t.app.services().signingKeys().refresh());
        String token = Tokens.patientToken(t.vertx, forged.privatePem(), forgedId, UUID.randomUUID(), t.clock.instant(),
            t.clock.instant().plusSeconds(60));
        assertError(t.get("/api/patient/access-log", token), 401, "invalid_token");
        assertThat(jwksKeyIds(t)).doesNotContain(forgedId);
        assertThat(Tokens.keyId(patientToken(t))).isNotEqualTo(forgedId);
        // nor on a node that starts now
        try (TestApp other = t.anotherNode()) {
          assertError(other.get("/api/patient/access-log", token), 401, "invalid_token");
        }
      }
    }

    @Test
    void a_public_key_swapped_for_a_forger_s_verifies_nothing() {
      try (TestApp t = TestApp.start()) {
        Tokens.Pem forged = Tokens.newKeyPair();
        String keyId = keys(t).get(0).getString("key_id");
        TestApp.await(t.pool().preparedQuery("update signing_key set public_pem = $2 where key_id = $1")
            .execute(io.vertx.sqlclient.Tuple.of(keyId, forged.publicPem())));
        TestApp.await(t.app.services().signingKeys().refresh());
        String token = Tokens.patientToken(t.vertx, forged.privatePem(), keyId, UUID.randomUUID(), t.clock.instant(),
            t.clock.instant().plusSeconds(60));
        assertError(t.get("/api/patient/access-log", token), 401, "invalid_token");
        assertThat(accessLog(t, patientToken(t))).isEqualTo(200);
        // a node that starts reads the row afresh: it does not open, and the start says so
        assertThatThrownBy(() -> t.anotherNode().close()).isInstanceOf(ConfigException.class).hasMessageContaining("was altered");
      }
    }
  }

  @Nested
  @DisplayName("the key-encryption key")
  class KeyEncryptionKeys {
    @Test
    void with_the_embedded_database_and_no_setting_it_is_generated_owner_only_beside_the_data_directory(@TempDir Path dir)
        throws Exception {
      KanavaConfig config = ConfigLoader.withOverrides(Map.of("db.embedded.data-dir", dir.resolve("postgres").toString()));
      KeyEncryptionKey first = KeyEncryptionKey.resolve(config);
      Path file = dir.resolve("key-encryption.key");
      assertThat(file).exists();
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
      assertThat(dir.resolve("postgres")).doesNotExist();
      // the next start reads the same key
      assertThat(KeyEncryptionKey.resolve(config).fingerprint()).isEqualTo(first.fingerprint());
      assertThat(first.toString()).doesNotContain(Files.readString(file).strip());
    }

    @Test
    void with_an_external_database_one_must_be_configured() {
      KanavaConfig config = ConfigLoader.withOverrides(Map.of("db.url", "postgresql://db.example:5432/kanava"));
      assertThatThrownBy(() -> KeyEncryptionKey.resolve(config))
          .isInstanceOf(ConfigException.class)
          .hasMessageStartingWith("auth.signing-key.encryption-key: is required with an external database");
    }

    @Test
    void a_configured_file_must_exist_and_hold_32_bytes(@TempDir Path dir) throws Exception {
      Path missing = dir.resolve("nowhere.key");
      assertThatThrownBy(() -> KeyEncryptionKey.resolve(ConfigLoader.withOverrides(Map.of("auth.signing-key.encryption-key-file",
          missing.toString())))).isInstanceOf(ConfigException.class).hasMessageStartingWith("auth.signing-key.encryption-key-file: cannot read");
      assertThat(missing).doesNotExist();
      Path shortKey = dir.resolve("short.key");
      Files.writeString(shortKey, "c2hvcnQ=\n");
      assertThatThrownBy(() -> KeyEncryptionKey.resolve(ConfigLoader.withOverrides(Map.of("auth.signing-key.encryption-key-file",
          shortKey.toString())))).isInstanceOf(ConfigException.class).hasMessageContaining("32 bytes");
      assertThatThrownBy(() -> ConfigLoader.withOverrides(Map.of("auth.signing-key.encryption-key", "c2hvcnQ=")))
          .isInstanceOf(ConfigException.class).hasMessageStartingWith("auth.signing-key.encryption-key: must be 32 bytes");
    }

    @Test
    void a_sealed_key_opens_only_under_the_same_key_and_key_id() {
      KeyEncryptionKey one = KeyEncryptionKey.resolve(ConfigLoader.withOverrides(Map.of("auth.signing-key.encryption-key",
          KeyEncryptionKey.newEncodedKey())));
      KeyEncryptionKey other = KeyEncryptionKey.resolve(ConfigLoader.withOverrides(Map.of("auth.signing-key.encryption-key",
          KeyEncryptionKey.newEncodedKey())));
      byte[] sealed = one.seal("kid-1", "public 1", "secret".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(one.open("kid-1", "public 1", sealed), StandardCharsets.UTF_8)).isEqualTo("secret");
      assertThatThrownBy(() -> other.open("kid-1", "public 1", sealed)).isInstanceOf(KeyEncryptionKey.Unreadable.class);
      assertThatThrownBy(() -> one.open("kid-2", "public 1", sealed)).isInstanceOf(KeyEncryptionKey.Unreadable.class);
      // the public key is bound in: one swapped for a forger's makes the row unreadable
      assertThatThrownBy(() -> one.open("kid-1", "public 2", sealed)).isInstanceOf(KeyEncryptionKey.Unreadable.class);
    }
  }

  @Nested
  @DisplayName("rotation, by the injected clock")
  class Rotation {
    @Test
    void the_old_key_verifies_its_tokens_new_tokens_carry_the_new_kid_and_a_retired_key_verifies_nothing() {
      try (TestApp t = TestApp.start()) {
        SigningKeys keys = t.app.services().signingKeys();
        String first = Tokens.keyId(patientToken(t));
        assertThat(jwksKeyIds(t)).containsExactly(first);

        // nothing to do until shortly before the period ends
        t.clock.advance(PERIOD.minus(AHEAD).minusSeconds(1));
        TestApp.await(keys.refresh());
        assertThat(keys(t)).hasSize(1);
        // then the successor is published, but does not sign yet
        t.clock.advance(Duration.ofSeconds(1));
        TestApp.await(keys.refresh());
        List<Row> rows = keys(t);
        assertThat(rows).hasSize(2);
        String second = rows.get(1).getString("key_id");
        assertThat(rows.get(1).getOffsetDateTime("signs_from").toInstant()).isEqualTo(TestApp.START.plus(PERIOD));
        assertThat(jwksKeyIds(t)).containsExactly(first, second);
        // a refresh on a later read changes nothing: one successor
        TestApp.await(keys.refresh());
        assertThat(keys(t)).hasSize(2);
        t.clock.advance(AHEAD.minusMinutes(1));
        String signedByFirst = patientToken(t);
        assertThat(Tokens.keyId(signedByFirst)).isEqualTo(first);

        // the period is over: new tokens carry the new kid, and the old key's token still verifies
        t.clock.advance(Duration.ofMinutes(1));
        String signedBySecond = patientToken(t);
        assertThat(Tokens.keyId(signedBySecond)).isEqualTo(second);
        assertThat(accessLog(t, signedByFirst)).isEqualTo(200);
        assertThat(accessLog(t, signedBySecond)).isEqualTo(200);

        // a token signed with the first key that would live long (a forger's, or a node that missed the rotation)
        KeyEncryptionKey kek = KeyEncryptionKey.resolve(t.config);
        String firstPrivate = new String(kek.open(first, rows.get(0).getString("public_pem"), rows.get(0).getBuffer("private_sealed").getBytes()),
            StandardCharsets.UTF_8);
        String longLived = Tokens.patientToken(t.vertx, firstPrivate, first, UUID.randomUUID(), t.clock.instant(),
            t.clock.instant().plus(Duration.ofDays(1)));
        assertThat(accessLog(t, longLived)).isEqualTo(200);

        // once every token the first key signed has expired it is retired: deleted, unpublished, verifying nothing
        t.clock.advance(Duration.ofMinutes(5).plus(AHEAD));
        TestApp.await(keys.refresh());
        assertThat(keys(t)).extracting(r -> r.getString("key_id")).containsExactly(second);
        assertThat(jwksKeyIds(t)).containsExactly(second);
        assertError(t.get("/api/patient/access-log", longLived), 401, "invalid_token");
        assertThat(accessLog(t, patientToken(t))).isEqualTo(200);
      }
    }

    @Test
    void two_nodes_rotating_at_once_make_one_successor_and_verify_each_other_s_tokens() {
      try (TestApp a = TestApp.start(); TestApp b = a.anotherNode()) {
        a.clock.advance(PERIOD.minus(AHEAD).plusSeconds(1));
        b.clock.advance(PERIOD.minus(AHEAD).plusSeconds(1));
        TestApp.await(Future.all(a.app.services().signingKeys().refresh(), b.app.services().signingKeys().refresh(),
            a.app.services().signingKeys().refresh(), b.app.services().signingKeys().refresh()));
        // whichever wrote it, both read it
        TestApp.await(Future.all(a.app.services().signingKeys().refresh(), b.app.services().signingKeys().refresh()));
        assertThat(keys(a)).hasSize(2);
        a.clock.advance(AHEAD);
        b.clock.advance(AHEAD);
        String fromA = patientToken(a);
        String fromB = patientToken(b);
        assertThat(Tokens.keyId(fromA)).isEqualTo(Tokens.keyId(fromB)).isEqualTo(keys(a).get(1).getString("key_id"));
        assertThat(accessLog(b, fromA)).isEqualTo(200);
        assertThat(accessLog(a, fromB)).isEqualTo(200);
      }
    }

    @Test
    void the_jwks_holds_public_p256_keys_only() {
      try (TestApp t = TestApp.start()) {
        JsonObject key = t.get("/.well-known/jwks.json", null).bodyAsJsonObject().getJsonArray("keys").getJsonObject(0);
        assertThat(key.fieldNames()).containsExactlyInAnyOrder("kty", "crv", "alg", "use", "kid", "x", "y");
        assertThat(key.getString("kty")).isEqualTo("EC");
        assertThat(key.getString("crv")).isEqualTo("P-256");
        assertThat(key.getString("alg")).isEqualTo("ES256");
        assertThat(java.util.Base64.getUrlDecoder().decode(key.getString("x"))).hasSize(32);
        assertThat(java.util.Base64.getUrlDecoder().decode(key.getString("y"))).hasSize(32);
      }
    }
  }
}
