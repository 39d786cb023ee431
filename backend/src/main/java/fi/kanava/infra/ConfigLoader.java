package fi.kanava.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * Builds {@link KanavaConfig} from the documented defaults ({@code kanava-defaults.properties}),
 * an optional file, the environment and command-line overrides, in that order of precedence
 * (later wins). Every value is validated here; the first bad one stops start-up with a {@link
 * ConfigException} that names its key.
 */
public final class ConfigLoader {
  public static final String DEFAULTS_RESOURCE = "kanava-defaults.properties";
  public static final String CONFIG_FILE_ENV = "KANAVA_CONFIG_FILE";
  private static final String ENV_PREFIX = "KANAVA_";

  private static final Set<String> SECRET_KEYS = Set.of("db.password", "db.migration.password", "metrics.scrape-token",
      "auth.signing-key.encryption-key", "rtc.turn-secret");

  private final Map<String, String> values;

  private ConfigLoader(Map<String, String> values) {
    this.values = values;
  }

  /**
   * Loads the configuration.
   *
   * @param env the process environment (tests pass their own map)
   * @param file an optional properties file overriding the defaults
   * @param overrides keys set on the command line; they win over everything else
   */
  public static KanavaConfig load(Map<String, String> env, Optional<Path> file, Map<String, String> overrides) {
    Map<String, String> values = defaults();
    Optional<Path> configFile = file.or(() -> Optional.ofNullable(env.get(CONFIG_FILE_ENV)).filter(s -> !s.isBlank()).map(Path::of));
    configFile.ifPresent(path -> merge(values, readFile(path), "file " + path));
    merge(values, fromEnvironment(env, values.keySet()), "environment");
    merge(values, overrides, "command line");
    applyPgVariables(values, env);
    return new ConfigLoader(values).build();
  }

  /** The defaults alone, with the given keys overridden: what tests use. */
  public static KanavaConfig withOverrides(Map<String, String> overrides) {
    return load(Map.of(), Optional.empty(), overrides);
  }

  /** Key/value lines of the effective configuration, secrets masked, for the start-up log. */
  public static Map<String, String> describe(KanavaConfig config) {
    Map<String, String> out = new TreeMap<>();
    out.put("http.host", config.http().host());
    out.put("http.port", Integer.toString(config.http().port()));
    out.put("http.body-limit-bytes", Integer.toString(config.http().bodyLimitBytes()));
    out.put("http.verticle-instances", Integer.toString(config.http().verticleInstances()));
    out.put("http.hsts-max-age-seconds", Integer.toString(config.http().hstsMaxAgeSeconds()));
    out.put("http.trusted-proxies", String.join(",", config.http().trustedProxies()));
    out.put("http.forwarded-header", config.http().forwardedHeader().header());
    out.put("http.drain-time", config.http().drainTime().toString());
    out.put("db.url", config.db().url().map(ConfigLoader::withoutUserInfo).orElse("(embedded)"));
    out.put("db.user", config.db().user().orElse(""));
    out.put("db.password", mask(config.db().password()));
    out.put("db.migration.user", config.db().migrationUser().orElse(""));
    out.put("db.migration.password", mask(config.db().migrationPassword()));
    out.put("db.pool-size", Integer.toString(config.db().poolSize()));
    out.put("db.embedded.data-dir", config.db().embeddedDataDir().toString());
    out.put("db.embedded.port", Integer.toString(config.db().embeddedPort()));
    out.put("db.embedded.watch-interval", config.db().embeddedWatchInterval().toString());
    out.put("db.embedded.start-timeout", config.db().embeddedStartTimeout().toString());
    var limits = config.db().limits();
    out.put("db.connect-timeout", limits.connectTimeout().toString());
    out.put("db.acquire-timeout", limits.acquireTimeout().toString());
    out.put("db.statement-timeout", limits.statementTimeout().toString());
    out.put("db.lock-timeout", limits.lockTimeout().toString());
    out.put("db.idle-in-transaction-timeout", limits.idleInTransactionTimeout().toString());
    out.put("db.ready-check-timeout", limits.readyCheckTimeout().toString());
    out.put("vertx.max-event-loop-execute-time", config.vertx().maxEventLoopExecuteTime().toString());
    out.put("auth.issuer", config.auth().issuer());
    out.put("auth.access-token-ttl", config.auth().accessTokenTtl().toString());
    out.put("auth.refresh-token-ttl", config.auth().refreshTokenTtl().toString());
    out.put("auth.session-max-duration", config.auth().sessionMaxDuration().toString());
    out.put("auth.refresh-reuse-leeway", config.auth().refreshReuseLeeway().toString());
    out.put("auth.login.max-failures", Integer.toString(config.auth().loginMaxFailures()));
    out.put("auth.login.lockout", config.auth().loginLockout().toString());
    out.put("auth.login.failure-delay", config.auth().loginFailureDelay().toString());
    out.put("auth.login.failure-delay-max", config.auth().loginFailureDelayMax().toString());
    out.put("auth.password.memory-kib", Integer.toString(config.auth().password().memoryKib()));
    out.put("auth.password.iterations", Integer.toString(config.auth().password().iterations()));
    out.put("auth.password.parallelism", Integer.toString(config.auth().password().parallelism()));
    out.put("auth.signing-key.rotation-period", config.auth().signingKey().rotationPeriod().toString());
    out.put("auth.signing-key.encryption-key", mask(config.auth().signingKey().encryptionKey()));
    out.put("auth.signing-key.encryption-key-file", config.auth().signingKey().encryptionKeyFile().map(Path::toString).orElse(""));
    out.put("auth.revocation-check-interval", config.auth().revocationCheckInterval().toString());
    out.put("identity.dev-login.enabled", Boolean.toString(config.identity().devLoginEnabled()));
    out.put("demo.load", Boolean.toString(config.demo().load()));
    out.put("metrics.scrape-token", mask(config.metrics().scrapeToken()));
    out.put("ws.allowed-origins", String.join(",", config.ws().allowedOrigins()));
    out.put("ws.max-frame-bytes", Integer.toString(config.ws().maxFrameBytes()));
    out.put("ws.rate-limit-per-second", Integer.toString(config.ws().rateLimitPerSecond()));
    out.put("ws.rate-limit-burst", Integer.toString(config.ws().rateLimitBurst()));
    out.put("ws.auth-timeout", config.ws().authTimeout().toString());
    out.put("ws.compression", Boolean.toString(config.ws().compression()));
    out.put("routing.accept-timeout", config.routing().acceptTimeout().toString());
    out.put("routing.offline-grace", config.routing().offlineGrace().toString());
    out.put("routing.heartbeat-interval", config.routing().heartbeatInterval().toString());
    out.put("routing.sweep-interval", config.routing().sweepInterval().toString());
    out.put("routing.node-lease", config.routing().nodeLease().toString());
    out.put("chat.idle-warning", config.chat().idleWarning().toString());
    out.put("chat.idle-close", config.chat().idleClose().toString());
    out.put("transfer.personal-queue-timeout", config.transfer().personalQueueTimeout().toString());
    out.put("transfer.consent-timeout", config.transfer().consentTimeout().toString());
    out.put("attachment.max-bytes", Integer.toString(config.attachment().maxBytes()));
    out.put("attachment.max-pixels", Integer.toString(config.attachment().maxPixels()));
    out.put("referral.default-seat-limit", Integer.toString(config.referral().defaultSeatLimit()));
    out.put("feedback.professional-every-closed", Integer.toString(config.feedback().professionalEveryClosed()));
    out.put("consult.named-response-target", config.consult().namedResponseTarget().toString());
    out.put("visit.code-ttl", config.visit().codeTtl().toString());
    out.put("visit.session-after-end", config.visit().sessionAfterEnd().toString());
    out.put("visit.no-show-after", config.visit().noShowAfter().toString());
    out.put("visit.public-base-url", config.visit().publicBaseUrl());
    out.put("rtc.stun-urls", String.join(",", config.rtc().stunUrls()));
    out.put("rtc.turn-urls", String.join(",", config.rtc().turnUrls()));
    out.put("rtc.turn-secret", mask(config.rtc().turnSecret()));
    out.put("rtc.turn-credential-ttl", config.rtc().turnCredentialTtl().toString());
    out.put("rtc.reconnect-grace", config.rtc().reconnectGrace().toString());
    out.put("rtc.max-participants", Integer.toString(config.rtc().maxParticipants()));
    out.put("rtc.ring-timeout", config.rtc().ringTimeout().toString());
    out.put("netcheck.enabled", Boolean.toString(config.netcheck().enabled()));
    out.put("netcheck.timeout", config.netcheck().timeout().toString());
    out.put("netcheck.max-concurrent", Integer.toString(config.netcheck().maxConcurrent()));
    var cluster = config.cluster();
    out.put("cluster.enabled", Boolean.toString(cluster.enabled()));
    out.put("cluster.name", cluster.name());
    out.put("cluster.host", cluster.host());
    out.put("cluster.port", Integer.toString(cluster.port()));
    out.put("cluster.public-host", cluster.publicHost());
    out.put("cluster.public-port", Integer.toString(cluster.publicPort()));
    out.put("cluster.members", String.join(",", cluster.members()));
    out.put("cluster.member-timeout", cluster.memberTimeout().toString());
    out.put("cluster.merge-interval", cluster.mergeInterval().toString());
    out.put("cluster.event-bus-host", cluster.eventBusHost());
    out.put("cluster.event-bus-port", Integer.toString(cluster.eventBusPort()));
    out.put("cluster.event-bus-public-host", cluster.eventBusPublicHost());
    out.put("cluster.event-bus-public-port", Integer.toString(cluster.eventBusPublicPort()));
    var abuse = config.abuse();
    out.put("abuse.tracked-addresses", Integer.toString(abuse.trackedAddresses()));
    out.put("abuse.ipv6-prefix-length", Integer.toString(abuse.ipv6PrefixLength()));
    out.put("abuse.anonymous-sessions.burst", Integer.toString(abuse.anonymousSessions().burst()));
    out.put("abuse.anonymous-sessions.interval", abuse.anonymousSessions().interval().toString());
    out.put("abuse.queue-entries.burst", Integer.toString(abuse.queueEntries().burst()));
    out.put("abuse.queue-entries.interval", abuse.queueEntries().interval().toString());
    out.put("abuse.login-failures.burst", Integer.toString(abuse.loginFailures().burst()));
    out.put("abuse.login-failures.interval", abuse.loginFailures().interval().toString());
    out.put("abuse.open-conversations-per-address", Integer.toString(abuse.openConversationsPerAddress()));
    out.put("abuse.sockets-per-principal", Integer.toString(abuse.socketsPerPrincipal()));
    out.put("abuse.anonymous-retention", abuse.anonymousRetention().toString());
    return out;
  }

  static boolean isSecret(String key) {
    return SECRET_KEYS.contains(key);
  }

  /** The environment variable that overrides a key: http.port -> KANAVA_HTTP_PORT. */
  public static String envName(String key) {
    return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  private KanavaConfig build() {
    var http =
        new KanavaConfig.Http(
            nonBlank("http.host"),
            intIn("http.port", 0, 65535),
            intIn("http.body-limit-bytes", 1024, 16 * 1024 * 1024),
            intIn("http.verticle-instances", 1, 256),
            intIn("http.hsts-max-age-seconds", 0, 63072000),
            trustedProxies("http.trusted-proxies"),
            forwardedHeader("http.forwarded-header"),
            durationAtMost("http.drain-time", Duration.ofMinutes(5)));
    var db =
        new KanavaConfig.Db(
            optional("db.url").map(url -> validDbUrl("db.url", url)),
            optional("db.user"),
            optional("db.password"),
            optional("db.migration.user"),
            optional("db.migration.password"),
            intIn("db.pool-size", 1, 1000),
            Path.of(nonBlank("db.embedded.data-dir")),
            intIn("db.embedded.port", 0, 65535),
            positiveDuration("db.embedded.watch-interval"),
            positiveDuration("db.embedded.start-timeout"),
            new KanavaConfig.Db.Limits(
                positiveDuration("db.connect-timeout"),
                positiveDuration("db.acquire-timeout"),
                positiveDuration("db.statement-timeout"),
                positiveDuration("db.lock-timeout"),
                positiveDuration("db.idle-in-transaction-timeout"),
                positiveDuration("db.ready-check-timeout")));
    var vertx = new KanavaConfig.VertxSettings(positiveDuration("vertx.max-event-loop-execute-time"));
    var auth =
        new KanavaConfig.Auth(
            nonBlank("auth.issuer"),
            positiveDuration("auth.access-token-ttl"),
            positiveDuration("auth.refresh-token-ttl"),
            positiveDuration("auth.session-max-duration"),
            intIn("auth.login.max-failures", 1, 1000),
            positiveDuration("auth.login.lockout"),
            duration("auth.login.failure-delay"),
            duration("auth.login.failure-delay-max"),
            new KanavaConfig.PasswordParams(
                intIn("auth.password.memory-kib", 8 * 1024, 4 * 1024 * 1024),
                intIn("auth.password.iterations", 1, 100),
                intIn("auth.password.parallelism", 1, 64)),
            new KanavaConfig.SigningKey(
                positiveDuration("auth.signing-key.rotation-period"),
                optional("auth.signing-key.encryption-key").map(key -> keyEncryptionKey("auth.signing-key.encryption-key", key)),
                optional("auth.signing-key.encryption-key-file").map(Path::of)),
            positiveDuration("auth.revocation-check-interval"),
            duration("auth.refresh-reuse-leeway"));
    if (auth.refreshReuseLeeway().compareTo(Duration.ofMinutes(1)) > 0) {
      throw new ConfigException("auth.refresh-reuse-leeway", "must be at most PT1M: a copied refresh token is usable for that long");
    }
    if (auth.refreshTokenTtl().compareTo(auth.accessTokenTtl()) < 0) {
      throw new ConfigException("auth.refresh-token-ttl", "must not be shorter than auth.access-token-ttl");
    }
    if (auth.sessionMaxDuration().compareTo(auth.refreshTokenTtl()) < 0) {
      throw new ConfigException("auth.session-max-duration", "must not be shorter than auth.refresh-token-ttl");
    }
    // a key is published ahead of signing and verifies for a token lifetime after: a period must hold both
    Duration ahead = KanavaConfig.SigningKey.PUBLISHED_AHEAD;
    if (auth.signingKey().rotationPeriod().compareTo(Duration.ofHours(1)) < 0
        || auth.signingKey().rotationPeriod().compareTo(auth.accessTokenTtl().plus(ahead.multipliedBy(2))) < 0) {
      throw new ConfigException("auth.signing-key.rotation-period",
          "must be at least PT1H and at least auth.access-token-ttl plus " + ahead.multipliedBy(2).toMinutes() + " minutes");
    }
    if (auth.signingKey().encryptionKey().isPresent() && auth.signingKey().encryptionKeyFile().isPresent()) {
      throw new ConfigException("auth.signing-key.encryption-key", "give the key or a file (auth.signing-key.encryption-key-file), not both");
    }
    if (auth.revocationCheckInterval().compareTo(auth.accessTokenTtl()) >= 0) {
      throw new ConfigException("auth.revocation-check-interval", "must be shorter than auth.access-token-ttl");
    }
    var identity = new KanavaConfig.Identity(bool("identity.dev-login.enabled"));
    var demo = new KanavaConfig.Demo(bool("demo.load"));
    var metrics = new KanavaConfig.Metrics(optional("metrics.scrape-token"));
    metrics.scrapeToken().filter(t -> t.length() < 16).ifPresent(t -> {
      throw new ConfigException("metrics.scrape-token", "must be at least 16 characters long");
    });
    var ws = new KanavaConfig.Ws(
        origins("ws.allowed-origins"),
        intIn("ws.max-frame-bytes", 1024, 65536),
        intIn("ws.rate-limit-per-second", 1, 10000),
        intIn("ws.rate-limit-burst", 1, 100000),
        positiveDuration("ws.auth-timeout"),
        bool("ws.compression"));
    var routing = new KanavaConfig.Routing(
        positiveDuration("routing.accept-timeout"),
        positiveDuration("routing.offline-grace"),
        positiveDuration("routing.heartbeat-interval"),
        positiveDuration("routing.sweep-interval"),
        positiveDuration("routing.node-lease"));
    if (routing.offlineGrace().compareTo(routing.heartbeatInterval().multipliedBy(2)) < 0) {
      throw new ConfigException("routing.offline-grace", "must be at least twice routing.heartbeat-interval");
    }
    if (routing.nodeLease().compareTo(routing.heartbeatInterval().multipliedBy(2)) < 0 || routing.nodeLease().compareTo(routing.offlineGrace()) > 0) {
      throw new ConfigException("routing.node-lease", "must be at least twice routing.heartbeat-interval and at most routing.offline-grace");
    }
    var chat = new KanavaConfig.Chat(positiveDuration("chat.idle-warning"), positiveDuration("chat.idle-close"));
    if (chat.idleClose().compareTo(chat.idleWarning()) <= 0) {
      throw new ConfigException("chat.idle-close", "must be longer than chat.idle-warning");
    }
    var abuse = new KanavaConfig.Abuse(
        intIn("abuse.tracked-addresses", 100, 10_000_000),
        intIn("abuse.ipv6-prefix-length", 32, 128),
        bucket("abuse.anonymous-sessions"),
        bucket("abuse.queue-entries"),
        bucket("abuse.login-failures"),
        intIn("abuse.open-conversations-per-address", 1, 100_000),
        intIn("abuse.sockets-per-principal", 1, 10_000),
        positiveDuration("abuse.anonymous-retention"));
    var transfer = new KanavaConfig.Transfer(positiveDuration("transfer.personal-queue-timeout"), positiveDuration("transfer.consent-timeout"));
    var attachment = new KanavaConfig.Attachment(intIn("attachment.max-bytes", 1024, 100 * 1024 * 1024),
        intIn("attachment.max-pixels", 1, 200_000_000));
    var referral = new KanavaConfig.Referral(intIn("referral.default-seat-limit", 1, 1000));
    var feedback = new KanavaConfig.Feedback(intIn("feedback.professional-every-closed", 0, 100_000));
    var consult = new KanavaConfig.Consult(positiveDuration("consult.named-response-target"));
    var visit = new KanavaConfig.Visit(positiveDuration("visit.code-ttl"), positiveDuration("visit.session-after-end"),
        positiveDuration("visit.no-show-after"), publicBaseUrl("visit.public-base-url"));
    var rtc = rtc();
    // the network check uses the calls' STUN servers (rtc.stun-urls)
    var netcheck = new KanavaConfig.Netcheck(bool("netcheck.enabled"), positiveDuration("netcheck.timeout"),
        intIn("netcheck.max-concurrent", 1, 10_000), rtc.stunUrls());
    return new KanavaConfig(http, db, vertx, auth, identity, demo, metrics, ws, routing, chat, abuse, transfer, attachment, referral, feedback, consult,
        visit, rtc, netcheck, cluster());
  }

  private KanavaConfig.Cluster cluster() {
    String host = nonBlank("cluster.host");
    if (!host.matches("[0-9.]+|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*")) {
      throw new ConfigException("cluster.host", "must be an IP address of this machine (Hazelcast binds to it), got '" + host + "'");
    }
    int port = intIn("cluster.port", 1, 65535);
    String publicHost = optional("cluster.public-host").orElse(host);
    int publicPort = intIn("cluster.public-port", 0, 65535);
    java.util.List<String> members = new java.util.ArrayList<>();
    for (String part : raw("cluster.members").split(",")) {
      String member = part.strip();
      if (member.isEmpty()) {
        continue;
      }
      if (!member.matches("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}") || Integer.parseInt(member.substring(member.lastIndexOf(':') + 1)) > 65535) {
        throw new ConfigException("cluster.members", "'" + member + "' is not host:port");
      }
      members.add(member);
    }
    Duration memberTimeout = positiveDuration("cluster.member-timeout");
    if (memberTimeout.compareTo(Duration.ofSeconds(2)) < 0) {
      throw new ConfigException("cluster.member-timeout", "must be at least PT2S");
    }
    Duration mergeInterval = positiveDuration("cluster.merge-interval");
    if (mergeInterval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigException("cluster.merge-interval", "must be at least PT1S");
    }
    String busHost = optional("cluster.event-bus-host").orElse(host);
    int busPort = intIn("cluster.event-bus-port", 0, 65535);
    int busPublicPort = intIn("cluster.event-bus-public-port", 0, 65535);
    return new KanavaConfig.Cluster(bool("cluster.enabled"), host, port, publicHost, publicPort == 0 ? port : publicPort,
        java.util.List.copyOf(members), memberTimeout, mergeInterval, busHost, busPort,
        optional("cluster.event-bus-public-host").orElse(publicHost), busPublicPort == 0 ? busPort : busPublicPort, clusterName());
  }

  private String clusterName() {
    String name = nonBlank("cluster.name");
    if (!name.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new ConfigException("cluster.name", "must be 1 to 64 letters, digits, dots, dashes or underscores, got '" + name + "'");
    }
    return name;
  }

  private KanavaConfig.Rtc rtc() {
    var stun = iceUrls("rtc.stun-urls", "stun:");
    var turn = iceUrls("rtc.turn-urls", "turn:", "turns:");
    Optional<String> secret = optional("rtc.turn-secret");
    if (!turn.isEmpty() && secret.isEmpty()) {
      throw new ConfigException("rtc.turn-secret", "must be set when rtc.turn-urls is (the static-auth-secret of coturn)");
    }
    if (secret.isPresent() && secret.get().length() < 16) {
      throw new ConfigException("rtc.turn-secret", "must be at least 16 characters (openssl rand -hex 32)");
    }
    return new KanavaConfig.Rtc(stun, turn, secret, positiveDuration("rtc.turn-credential-ttl"), positiveDuration("rtc.reconnect-grace"),
        intIn("rtc.max-participants", 2, 4), positiveDuration("rtc.ring-timeout"));
  }

  /** Comma-separated ICE server URLs, each starting with one of the schemes. */
  private java.util.List<String> iceUrls(String key, String... schemes) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String part : raw(key).split(",")) {
      String url = part.strip();
      if (url.isEmpty()) {
        continue;
      }
      if (java.util.Arrays.stream(schemes).noneMatch(url::startsWith) || !url.matches("[a-z]+:[A-Za-z0-9.:\\[\\]-]+(\\?transport=(udp|tcp))?")) {
        throw new ConfigException(key, "'" + url + "' is not a " + String.join(" or ", schemes) + "host:port[?transport=udp|tcp] URL");
      }
      out.add(url);
    }
    return java.util.List.copyOf(out);
  }

  /** {@code prefix.burst} and {@code prefix.interval}: a token bucket. */
  private KanavaConfig.Abuse.Bucket bucket(String prefix) {
    return new KanavaConfig.Abuse.Bucket(intIn(prefix + ".burst", 1, 1_000_000), positiveDuration(prefix + ".interval"));
  }

  private java.util.List<String> trustedProxies(String key) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String part : raw(key).split(",")) {
      String cidr = part.strip();
      if (cidr.isEmpty()) {
        continue;
      }
      try {
        ClientAddresses.validate(cidr);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key, e.getMessage());
      }
      out.add(cidr);
    }
    return java.util.List.copyOf(out);
  }

  private ClientAddresses.ForwardedHeader forwardedHeader(String key) {
    try {
      return ClientAddresses.ForwardedHeader.of(raw(key));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage() + ", got '" + raw(key) + "'");
    }
  }

  /** A base64 key-encryption key of 32 bytes (AES-256); the message never shows the value. */
  private static String keyEncryptionKey(String key, String value) {
    byte[] raw;
    try {
      raw = java.util.Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "must be base64 (for example from: openssl rand -base64 32)");
    }
    if (raw.length != 32) {
      throw new ConfigException(key, "must be 32 bytes in base64 (openssl rand -base64 32), got " + raw.length + " bytes");
    }
    return value;
  }

  private java.util.List<String> origins(String key) {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (String part : raw(key).split(",")) {
      String origin = part.strip();
      if (origin.isEmpty()) {
        continue;
      }
      if (!origin.matches("https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
        throw new ConfigException(key, "'" + origin + "' is not an origin such as https://chat.example.fi");
      }
      out.add(origin);
    }
    return java.util.List.copyOf(out);
  }

  private String raw(String key) {
    String value = values.get(key);
    if (value == null) {
      throw new IllegalStateException("no default for " + key + " in " + DEFAULTS_RESOURCE);
    }
    return value.trim();
  }

  private Optional<String> optional(String key) {
    return Optional.of(raw(key)).filter(s -> !s.isEmpty());
  }

  private String nonBlank(String key) {
    String value = raw(key);
    if (value.isEmpty()) {
      throw new ConfigException(key, "must not be empty");
    }
    return value;
  }

  private int intIn(String key, int min, int max) {
    String value = raw(key);
    int parsed;
    try {
      parsed = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "must be a whole number, got '" + shown(key, value) + "'");
    }
    if (parsed < min || parsed > max) {
      throw new ConfigException(key, "must be between " + min + " and " + max + ", got " + parsed);
    }
    return parsed;
  }

  private boolean bool(String key) {
    String value = raw(key).toLowerCase(Locale.ROOT);
    return switch (value) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new ConfigException(key, "must be true or false, got '" + shown(key, value) + "'");
    };
  }

  private Duration duration(String key) {
    String value = raw(key);
    try {
      Duration d = Duration.parse(value);
      if (d.isNegative()) {
        throw new ConfigException(key, "must not be negative, got " + value);
      }
      return d;
    } catch (DateTimeParseException e) {
      throw new ConfigException(key, "must be an ISO-8601 duration such as PT5M, got '" + shown(key, value) + "'");
    }
  }

  private Duration durationAtMost(String key, Duration max) {
    Duration d = duration(key);
    if (d.compareTo(max) > 0) {
      throw new ConfigException(key, "must be at most " + max + ", got " + d);
    }
    return d;
  }

  private Duration positiveDuration(String key) {
    Duration d = duration(key);
    if (d.isZero()) {
      throw new ConfigException(key, "must be longer than zero");
    }
    return d;
  }

  /** Empty, or an http(s) address without query or fragment; a trailing slash is dropped. */
  private String publicBaseUrl(String key) {
    String value = raw(key);
    if (value.isEmpty()) {
      return value;
    }
    try {
      URI uri = URI.create(value);
      if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null || uri.getQuery() != null
          || uri.getFragment() != null) {
        throw new ConfigException(key, "must be an http(s) address such as https://kanava.example.fi, got '" + value + "'");
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "must be an http(s) address such as https://kanava.example.fi, got '" + value + "'");
    }
    return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
  }

  private static String validDbUrl(String key, String url) {
    try {
      URI uri = URI.create(url);
      if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
        throw new ConfigException(key, "must start with postgresql://");
      }
      if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
        throw new ConfigException(key, "must name a host and a database: postgresql://host:5432/kanava");
      }
      return url;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "is not a valid URL");
    }
  }

  private static String shown(String key, String value) {
    return isSecret(key) ? "****" : value;
  }

  private static String mask(Optional<String> secret) {
    return secret.isPresent() ? "****" : "";
  }

  private static String withoutUserInfo(String url) {
    URI uri = URI.create(url);
    return uri.getUserInfo() == null ? url : url.replace(uri.getRawUserInfo() + "@", "****@");
  }

  private static Map<String, String> defaults() {
    Properties props = new Properties();
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the class path");
      }
      props.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + DEFAULTS_RESOURCE, e);
    }
    Map<String, String> map = new LinkedHashMap<>();
    props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k)));
    return map;
  }

  private static Map<String, String> readFile(Path path) {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      props.load(reader);
    } catch (IOException e) {
      throw new ConfigException(CONFIG_FILE_ENV, "cannot read " + path + ": " + e.getMessage());
    }
    Map<String, String> map = new LinkedHashMap<>();
    props.stringPropertyNames().forEach(k -> map.put(k, props.getProperty(k)));
    return map;
  }

  private static Map<String, String> fromEnvironment(Map<String, String> env, Set<String> keys) {
    Map<String, String> byEnvName = new LinkedHashMap<>();
    keys.forEach(k -> byEnvName.put(envName(k), k));
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach(
        (name, value) -> {
          if (!name.startsWith(ENV_PREFIX) || name.equals(CONFIG_FILE_ENV)) {
            return;
          }
          String key = byEnvName.get(name);
          if (key == null) {
            throw new ConfigException(name, "is not a Kanava setting (see docs/configuration.md)");
          }
          out.put(key, value);
        });
    return out;
  }

  private static void merge(Map<String, String> into, Map<String, String> from, String source) {
    from.forEach(
        (key, value) -> {
          if (!into.containsKey(key)) {
            throw new ConfigException(key, "is not a Kanava setting (from " + source + "; see docs/configuration.md)");
          }
          into.put(key, value);
        });
  }

  /** libpq's PG* variables fill in what db.url and db.user/db.password leave out. */
  private static void applyPgVariables(Map<String, String> values, Map<String, String> env) {
    String host = env.get("PGHOST");
    if (values.get("db.url").isBlank() && host != null && !host.isBlank()) {
      String port = env.getOrDefault("PGPORT", "5432");
      String database = env.getOrDefault("PGDATABASE", env.getOrDefault("PGUSER", "postgres"));
      values.put("db.url", "postgresql://" + host + ":" + port + "/" + database);
    }
    if (!values.get("db.url").isBlank()) {
      if (values.get("db.user").isBlank() && env.containsKey("PGUSER")) {
        values.put("db.user", env.get("PGUSER"));
      }
      if (values.get("db.password").isBlank() && env.containsKey("PGPASSWORD")) {
        values.put("db.password", env.get("PGPASSWORD"));
      }
    }
  }
}
