package fi.kanava.infra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The whole typed configuration, built once at start by {@link ConfigLoader}. */
public record KanavaConfig(
    Http http,
    Db db,
    VertxSettings vertx,
    Auth auth,
    Identity identity,
    Demo demo,
    Metrics metrics,
    Ws ws,
    Routing routing,
    Chat chat,
    Abuse abuse,
    Transfer transfer,
    Attachment attachment,
    Referral referral,
    Feedback feedback,
    Consult consult,
    Visit visit,
    Rtc rtc,
    Netcheck netcheck,
    Cluster cluster) {

  /**
   * Several nodes with one clustered event bus (docs/configuration.md, "Cluster"). Off (the default),
   * a node creates no cluster at all. On, Hazelcast listens on {@code host:port}, tells the others
   * {@code publicHost:publicPort}, joins {@code members} over TCP/IP only (no multicast, no auto
   * detection), takes a member silent for {@code memberTimeout} as gone, and looks for a split-off
   * part to merge with every {@code mergeInterval}. The event bus carries its messages over its own
   * TCP port ({@code eventBusPort}, 0: any free port), announced as {@code eventBusPublicHost}
   * and {@code eventBusPublicPort} (0: the port it listens on). Members share the cluster {@code name}:
   * a Hazelcast member of another name is never joined or merged with. Empty hosts and zero ports have
   * already been resolved to what they default to.
   */
  public record Cluster(boolean enabled, String host, int port, String publicHost, int publicPort, java.util.List<String> members,
      Duration memberTimeout, Duration mergeInterval, String eventBusHost, int eventBusPort, String eventBusPublicHost,
      int eventBusPublicPort, String name) {}

  /**
   * Photos in messages (docs/protocol.md, "Attachments"): the largest upload in bytes, and the
   * most pixels (width times height) an image may have before it is decoded (decompression bombs).
   */
  public record Attachment(int maxBytes, int maxPixels) {}

  /** Partner referrals: the seats of a partner organisation that has no seat limit of its own. */
  public record Referral(int defaultSeatLimit) {}

  /**
   * Feedback: a professional is asked about the tool itself after every
   * {@code professionalEveryClosed} conversations they closed (0: never).
   */
  public record Feedback(int professionalEveryClosed) {}

  /**
   * The network check's server-side peer (docs/video.md, "Network check"): off means every check
   * answers {@code check_unavailable} without loading native WebRTC; a check not done by
   * {@code timeout} ends on its own; at most {@code maxConcurrent} checks at once on a node; the STUN
   * URLs ({@code rtc.stun-urls}, shared with calls) go to the browser and the server's peer.
   */
  public record Netcheck(boolean enabled, Duration timeout, int maxConcurrent, java.util.List<String> stunUrls) {}

  /** Consultations: how soon a non-urgent consultation to a named colleague is due (a consult queue has its own target). */
  public record Consult(Duration namedResponseTarget) {}

  /**
   * Remote visits (docs/protocol.md, "Visits"): how long a join code is valid (never past the visit's
   * end), how long a session opened with one outlives the visit's end, how long after the start a
   * patient who never arrived is a no-show, and the address the join link starts with (empty: a
   * link relative to the server).
   */
  public record Visit(Duration codeTtl, Duration sessionAfterEnd, Duration noShowAfter, String publicBaseUrl) {}

  /**
   * Calls (fi.kanava.rtc): the STUN and TURN servers given to clients, the secret shared with coturn
   * (never logged, never sent), how long a TURN credential lasts, how long a dropped peer may take to
   * come back before it leaves the call, the most members of one call (a mesh), and how long a call
   * offered from a chat rings before it ends unanswered.
   */
  public record Rtc(java.util.List<String> stunUrls, java.util.List<String> turnUrls, Optional<String> turnSecret,
      Duration turnCredentialTtl, Duration reconnectGrace, int maxParticipants, Duration ringTimeout) {
    @Override
    public String toString() {
      return "Rtc[" + stunUrls + ", " + turnUrls + ", " + (turnSecret.isPresent() ? "****" : "") + ", " + turnCredentialTtl + ", "
          + reconnectGrace + ", " + maxParticipants + ", " + ringTimeout + "]";
    }
  }

  /**
   * Transfers: how long a transfer to a named professional waits in their personal queue before it
   * returns to the sender, and how long the patient has to answer whether the earlier messages may
   * be shown to the next professional (no answer: not shown).
   */
  public record Transfer(Duration personalQueueTimeout, Duration consentTimeout) {}

  /** {@code compression}: permessage-deflate offered to clients (a zlib context of up to ~300 KB per open socket when on). */
  public record Ws(java.util.List<String> allowedOrigins, int maxFrameBytes, int rateLimitPerSecond, int rateLimitBurst,
      Duration authTimeout, boolean compression) {}

  public record Routing(Duration acceptTimeout, Duration offlineGrace, Duration heartbeatInterval, Duration sweepInterval, Duration nodeLease) {}

  public record Chat(Duration idleWarning, Duration idleClose) {}

  /**
   * {@code hstsMaxAgeSeconds} 0: no Strict-Transport-Security header (no TLS in front).
   * {@code trustedProxies}: addresses or CIDR blocks whose forwarded header is believed ({@link ClientAddresses}).
   */
  public record Http(String host, int port, int bodyLimitBytes, int verticleInstances, int hstsMaxAgeSeconds,
      java.util.List<String> trustedProxies, ClientAddresses.ForwardedHeader forwardedHeader, Duration drainTime) {}

  /**
   * Abuse limits (docs/security.md, "Abuse limits"): token buckets per client address, the open
   * conversations of anonymous patients per address, sockets per principal, all per node; and how
   * long stale anonymous patients are kept.
   */
  public record Abuse(int trackedAddresses, int ipv6PrefixLength, Bucket anonymousSessions, Bucket queueEntries,
      Bucket loginFailures, int openConversationsPerAddress, int socketsPerPrincipal, Duration anonymousRetention) {

    /** A token bucket: {@code burst} at once, then one more every {@code interval}. */
    public record Bucket(int burst, Duration interval) {}
  }

  /**
   * {@code url} empty means: start the embedded PostgreSQL. {@code migrationUser} empty: the
   * migrations run as {@code user} (external database only; see docs/security.md, "Database roles").
   */
  public record Db(
      Optional<String> url,
      Optional<String> user,
      Optional<String> password,
      Optional<String> migrationUser,
      Optional<String> migrationPassword,
      int poolSize,
      Path embeddedDataDir,
      int embeddedPort,
      Duration embeddedWatchInterval,
      Duration embeddedStartTimeout,
      Limits limits) {

    /** How long anything may wait on the database before it is refused (docs/configuration.md, "Database"). */
    public record Limits(Duration connectTimeout, Duration acquireTimeout, Duration statementTimeout, Duration lockTimeout,
        Duration idleInTransactionTimeout, Duration readyCheckTimeout) {
      /**
       * How long one write may take end to end before its caller is answered {@code database_busy}:
       * a pool connection, then its statements. PostgreSQL's own timeouts cannot fire while the server
       * is frozen or unreachable, so the application enforces this bound itself.
       */
      public Duration writeBound() {
        return acquireTimeout.plus(statementTimeout);
      }
    }

    public boolean embedded() {
      return url.isEmpty();
    }
  }

  public record VertxSettings(Duration maxEventLoopExecuteTime) {}

  public record Auth(
      String issuer,
      Duration accessTokenTtl,
      Duration refreshTokenTtl,
      Duration sessionMaxDuration,
      int loginMaxFailures,
      Duration loginLockout,
      Duration loginFailureDelay,
      Duration loginFailureDelayMax,
      PasswordParams password,
      SigningKey signingKey,
      Duration revocationCheckInterval,
      Duration refreshReuseLeeway) {}

  /**
   * How signing keys rotate and what seals them at rest: a key-encryption key given as base64
   * ({@code encryptionKey}) or in a file; neither means the default file beside the embedded
   * database's data directory.
   */
  public record SigningKey(Duration rotationPeriod, Optional<String> encryptionKey, Optional<Path> encryptionKeyFile) {
    /** A new key is in the database this long before it signs, so that every node (and every JWKS reader) knows it first. */
    public static final Duration PUBLISHED_AHEAD = Duration.ofMinutes(5);
    /** How often each node reads the signing keys: well within {@link #PUBLISHED_AHEAD}. */
    public static final Duration CHECK_INTERVAL = Duration.ofMinutes(1);

    @Override
    public String toString() {
      return "SigningKey[" + rotationPeriod + ", " + (encryptionKey.isPresent() ? "****" : "") + ", " + encryptionKeyFile + "]";
    }
  }

  /** Argon2id cost parameters. */
  public record PasswordParams(int memoryKib, int iterations, int parallelism) {}

  public record Identity(boolean devLoginEnabled) {}

  public record Demo(boolean load) {}

  public record Metrics(Optional<String> scrapeToken) {}
}
