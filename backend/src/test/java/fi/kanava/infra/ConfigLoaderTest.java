package fi.kanava.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("Configuration")
class ConfigLoaderTest {

  @Test
  void the_documented_defaults_load_and_turn_nothing_dangerous_on() {
    KanavaConfig config = ConfigLoader.withOverrides(Map.of());
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.db().embedded()).isTrue();
    assertThat(config.auth().accessTokenTtl()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.http().drainTime()).as("a single node stops at once").isZero();
    assertThat(config.identity().devLoginEnabled()).isFalse();
    assertThat(config.demo().load()).isFalse();
    assertThat(config.metrics().scrapeToken()).isEmpty();
  }

  @Test
  void the_environment_overrides_a_file_which_overrides_the_defaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("kanava.properties");
    Files.writeString(file, "http.port=9000\nauth.access-token-ttl=PT2M\n");
    KanavaConfig config = ConfigLoader.load(Map.of("KANAVA_HTTP_PORT", "9100", "KANAVA_CONFIG_FILE", file.toString()), Optional.empty(), Map.of());
    assertThat(config.http().port()).isEqualTo(9100);
    assertThat(config.auth().accessTokenTtl()).isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void the_pg_variables_select_an_external_database() {
    KanavaConfig config = ConfigLoader.load(Map.of("PGHOST", "db.example", "PGPORT", "5433", "PGDATABASE", "kanava", "PGUSER", "app",
        "PGPASSWORD", "pw"), Optional.empty(), Map.of());
    assertThat(config.db().embedded()).isFalse();
    DbTarget target = DbTarget.fromConfig(config.db());
    assertThat(target.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/kanava?sslmode=disable");
    assertThat(target.user()).isEqualTo("app");
    assertThat(target.toString()).doesNotContain("pw");
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(delimiter = '|', value = {
      "KANAVA_HTTP_PORT|eighty|http.port",
      "KANAVA_HTTP_PORT|70000|http.port",
      "KANAVA_AUTH_ACCESS_TOKEN_TTL|5 minutes|auth.access-token-ttl",
      "KANAVA_AUTH_ACCESS_TOKEN_TTL|PT0S|auth.access-token-ttl",
      "KANAVA_AUTH_REFRESH_TOKEN_TTL|PT1M|auth.refresh-token-ttl",
      "KANAVA_IDENTITY_DEV_LOGIN_ENABLED|yes|identity.dev-login.enabled",
      "KANAVA_DB_URL|mysql://localhost/kanava|db.url",
      "KANAVA_METRICS_SCRAPE_TOKEN|short|metrics.scrape-token",
      "KANAVA_AUTH_PASSWORD_MEMORY_KIB|1024|auth.password.memory-kib",
      "KANAVA_AUTH_SIGNING_KEY_ROTATION_PERIOD|PT10M|auth.signing-key.rotation-period",
      "KANAVA_AUTH_SIGNING_KEY_ENCRYPTION_KEY|not base64!|auth.signing-key.encryption-key",
      "KANAVA_AUTH_REVOCATION_CHECK_INTERVAL|PT5M|auth.revocation-check-interval",
      "KANAVA_HTTP_PROT|8080|KANAVA_HTTP_PROT",
      "KANAVA_HTTP_DRAIN_TIME|PT6M|http.drain-time"})
  void a_bad_value_stops_start_up_with_a_message_that_names_the_key(String variable, String value, String key) {
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(variable, value), Optional.empty(), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(key + ": ")
        .extracting(e -> ((ConfigException) e).key()).isEqualTo(key);
  }

  @Test
  void an_unknown_key_in_the_file_is_an_error(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("kanava.properties");
    Files.writeString(file, "http.prot=9000\n");
    assertThatThrownBy(() -> ConfigLoader.load(Map.of(), Optional.of(file), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("http.prot: is not a Kanava setting");
  }

  @Test
  void secrets_are_masked_in_the_logged_configuration_and_in_errors() {
    String keyEncryptionKey = fi.kanava.auth.KeyEncryptionKey.newEncodedKey();
    KanavaConfig config = ConfigLoader.load(Map.of("KANAVA_DB_URL", "postgresql://app:hunter22@db:5432/kanava",
        "KANAVA_DB_PASSWORD", "hunter22", "KANAVA_DB_MIGRATION_PASSWORD", "owner-secret", "KANAVA_METRICS_SCRAPE_TOKEN",
        "prometheus-scrape-secret", "KANAVA_AUTH_SIGNING_KEY_ENCRYPTION_KEY", keyEncryptionKey), Optional.empty(), Map.of());
    String described = ConfigLoader.describe(config).toString();
    assertThat(described).doesNotContain("hunter22").doesNotContain("owner-secret").doesNotContain("prometheus-scrape-secret")
        .contains("db.password=****").contains("db.migration.password=****")
        .doesNotContain(keyEncryptionKey).contains("auth.signing-key.encryption-key=****");
    assertThat(config.toString()).doesNotContain(keyEncryptionKey);
    assertThatThrownBy(() -> ConfigLoader.load(Map.of("KANAVA_METRICS_SCRAPE_TOKEN", "secret"), Optional.empty(), Map.of()))
        .hasMessageNotContaining("secret'");
  }

  @Test
  void every_default_key_is_documented() throws Exception {
    Path doc = Path.of("..", "docs", "configuration.md");
    String text = Files.readString(doc);
    var props = new java.util.Properties();
    try (var in = ConfigLoader.class.getClassLoader().getResourceAsStream(ConfigLoader.DEFAULTS_RESOURCE)) {
      props.load(in);
    }
    for (String key : props.stringPropertyNames()) {
      assertThat(text).as("docs/configuration.md documents " + key).contains("`" + key + "`");
      assertThat(text).as("docs/configuration.md names " + ConfigLoader.envName(key)).contains(ConfigLoader.envName(key));
    }
  }
}
