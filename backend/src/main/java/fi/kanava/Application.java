package fi.kanava;

import fi.kanava.access.AccessGuard;
import fi.kanava.access.AccessPolicy;
import fi.kanava.attachment.AttachmentRoutes;
import fi.kanava.attachment.Attachments;
import fi.kanava.access.AuditLog;
import fi.kanava.auth.AccessTokens;
import fi.kanava.auth.Accounts;
import fi.kanava.auth.AuthRoutes;
import fi.kanava.auth.Authenticator;
import fi.kanava.auth.DevIdentityProvider;
import fi.kanava.auth.IdentityProvider;
import fi.kanava.auth.KeyEncryptionKey;
import fi.kanava.auth.LoginThrottle;
import fi.kanava.auth.Logins;
import fi.kanava.auth.Organisations;
import fi.kanava.auth.PasswordHasher;
import fi.kanava.auth.Patients;
import fi.kanava.auth.Profiles;
import fi.kanava.auth.Revocations;
import fi.kanava.auth.Sessions;
import fi.kanava.auth.SigningKeys;
import fi.kanava.conversation.ChatMetrics;
import fi.kanava.conversation.ConversationRoutes;
import fi.kanava.conversation.ConversationSockets;
import fi.kanava.conversation.Conversations;
import fi.kanava.infra.AbuseMetrics;
import fi.kanava.infra.AddressLimiter;
import fi.kanava.infra.ClientAddresses;
import fi.kanava.infra.Database;
import fi.kanava.infra.DatabaseSupervisor;
import fi.kanava.infra.HttpVerticle;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.infra.Migrations;
import fi.kanava.ops.OpsRoutes;
import fi.kanava.presence.Presence;
import fi.kanava.presence.PresenceSockets;
import fi.kanava.queue.Offers;
import fi.kanava.queue.QueueEntry;
import fi.kanava.queue.QueueRoutes;
import fi.kanava.report.LiveFigures;
import fi.kanava.report.LiveWatch;
import fi.kanava.report.ReportRoutes;
import fi.kanava.report.Reports;
import fi.kanava.queue.QueueSockets;
import fi.kanava.queue.Queues;
import fi.kanava.queue.Routing;
import fi.kanava.queue.WaitingLists;
import fi.kanava.feedback.Feedback;
import fi.kanava.feedback.FeedbackMetrics;
import fi.kanava.feedback.FeedbackSockets;
import fi.kanava.feedback.ProfessionalFeedback;
import fi.kanava.feedback.ProfessionalFeedbackMetrics;
import fi.kanava.transfer.TransferMetrics;
import fi.kanava.transfer.TransferSockets;
import fi.kanava.transfer.Transfers;
import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.SocketMetrics;
import fi.kanava.ws.WebSocketEndpoint;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running Kanava node: migrates the database (on a worker), builds the services and deploys
 * the verticles. {@link Main} and the tests both start it this way.
 */
public final class Application {
  private static final Logger log = LoggerFactory.getLogger(Application.class);

  private final Vertx vertx;
  private final Pool pool;
  private final int port;
  private final Services services;
  private final Maintenance maintenance;
  private final fi.kanava.ops.Drain drain;

  /** The services, for tests and for demo data. */
  public record Services(Accounts accounts, Organisations organisations, Patients patients, AuditLog audit,
      AccessGuard guard, Sessions sessions, PasswordHasher hasher, Queues queues, Conversations conversations, Routing routing,
      Presence presence, Sweeper sweeper, FrameRegistry frames, SigningKeys signingKeys, Revocations revocations,
      fi.kanava.referral.Referrals referrals,
      fi.kanava.consult.Consultations consultations,
      fi.kanava.visit.Visits visits,
      fi.kanava.rtc.Calls calls,
      DemoHistory demoHistory) {}

  private Application(Vertx vertx, Pool pool, int port, Services services, Maintenance maintenance, fi.kanava.ops.Drain drain) {
    this.drain = drain;
    this.vertx = vertx;
    this.pool = pool;
    this.port = port;
    this.services = services;
    this.maintenance = maintenance;
  }

  /**
   * Migrates as the database's owner, then serves as its application role; an embedded database is
   * supervised from then on (restarted if it dies, the node not ready meanwhile).
   */
  public static Future<Application> start(Vertx vertx, KanavaConfig config, Database db, Clock clock, PrometheusMeterRegistry registry) {
    return vertx.executeBlocking(() -> {
          Migrations.migrate(db);
          // Netty's resolver loads IDN and its Unicode tables on first use: not on an event loop
          java.net.IDN.toASCII(db.app().host());
          // reads (or, for the embedded database, first makes) the key that seals the signing keys
          return KeyEncryptionKey.resolve(config);
        })
        .compose(kek -> {
          Optional<DatabaseSupervisor> supervisor = db.embedded().map(embedded -> DatabaseSupervisor.start(vertx, embedded, registry,
              config.db().embeddedWatchInterval(), config.db().embeddedStartTimeout()));
          Pool pool = PgBuilder.pool()
              .with(new PoolOptions().setMaxSize(config.db().poolSize()).setName("kanava-db")
                  .setConnectionTimeout((int) config.db().limits().acquireTimeout().toMillis())
                  .setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS))
              .with(new io.vertx.core.net.NetClientOptions().setConnectTimeout((int) config.db().limits().connectTimeout().toMillis()))
              .connectingTo(bounded(db.app().connectOptions(), config.db().limits()))
              .using(vertx)
              .build();
          // building the services loads most of the application's classes: on a worker, not an event loop
          SigningKeys keys = new SigningKeys(vertx, pool, kek, config.auth(), clock);
          Revocations revocations = new Revocations(vertx, pool, config.auth().accessTokenTtl(),
              config.auth().revocationCheckInterval(), clock);
          return keys.refresh()
              .compose(ring -> revocations.refresh())
              .compose(v -> vertx.executeBlocking(() -> wire(vertx, config, pool, keys, revocations, clock, registry,
                  supervisor.map(s -> (BooleanSupplier) s::restarting).orElse(() -> false))))
              .compose(wired -> deploy(vertx, config, pool, wired))
              .onFailure(e -> pool.close());
        });
  }

  /** Everything {@link #wire} builds that deploying needs. */
  private record Wired(Services services, Routing routing, Sweeper sweeper, Maintenance maintenance, List<Consumer<Router>> features,
      WebSocketEndpoint endpoint, fi.kanava.ops.Drain drain) {}

  /** Builds the services and registers every feature's frames and routes; runs on a worker. */
  private static Wired wire(Vertx vertx, KanavaConfig config, Pool pool, SigningKeys keys, Revocations revocations, Clock clock,
      PrometheusMeterRegistry registry, BooleanSupplier databaseRestarting) {
    var auth = config.auth();
    PasswordHasher hasher = new PasswordHasher(auth.password());
    AccessTokens accessTokens = new AccessTokens(vertx, keys, revocations, auth, clock);
    Sessions sessions = new Sessions(pool, accessTokens, revocations, auth.refreshTokenTtl(), auth.sessionMaxDuration(),
        auth.refreshReuseLeeway(), clock);
    AuditLog audit = new AuditLog(pool);
    AccessGuard guard = new AccessGuard(new AccessPolicy(), audit, clock);
    Authenticator authenticator = new Authenticator(accessTokens);
    Accounts accounts = new Accounts(vertx, pool, hasher, sessions, clock);
    Organisations organisations = new Organisations(pool, clock);
    Patients patients = new Patients(pool, sessions, clock);
    var abuse = config.abuse();
    AbuseMetrics abuseMetrics = new AbuseMetrics(registry);
    ClientAddresses addresses = ClientAddresses.of(config);
    Logins logins = new Logins(vertx, pool, hasher, sessions,
        new LoginThrottle(auth.loginMaxFailures(), auth.loginLockout(), auth.loginFailureDelay(), auth.loginFailureDelayMax()),
        new AddressLimiter("login", abuse.loginFailures(), abuse.trackedAddresses(), clock, abuseMetrics), clock);
    List<IdentityProvider> identityProviders = new ArrayList<>();
    if (config.identity().devLoginEnabled()) {
      log.warn("Development login is ON: anyone can sign in as a demo person. Never in production.");
      identityProviders.add(new DevIdentityProvider());
    }
    AuthRoutes authRoutes = new AuthRoutes(logins, sessions, accounts, organisations, patients, identityProviders, guard, audit, authenticator,
        addresses, new AddressLimiter("anonymous_session", abuse.anonymousSessions(), abuse.trackedAddresses(), clock, abuseMetrics),
        keys, clock);
    fi.kanava.ops.Drain drain = new fi.kanava.ops.Drain();
    OpsRoutes opsRoutes = new OpsRoutes(pool, registry, config.metrics().scrapeToken(), authenticator, guard,
        config.db().limits().readyCheckTimeout(), databaseRestarting, drain);

    ChatMetrics chatMetrics = new ChatMetrics(registry);
    Queues queues = new Queues(pool, clock);
    WaitingLists waiting = new WaitingLists(vertx, pool, clock, config.routing().offlineGrace());
    Profiles profiles = new Profiles(pool);
    Conversations conversations = new Conversations(vertx, pool, clock, guard, waiting, queues::servedBy,
        fi.kanava.referral.Referrals.seatHolders(pool), profiles, chatMetrics, config.chat(), config.db().limits().writeBound());
    fi.kanava.referral.Referrals referrals = new fi.kanava.referral.Referrals(pool, clock, conversations, guard,
        new fi.kanava.referral.ReferralMetrics(registry), config.referral().defaultSeatLimit());
    Presence presence = new Presence(vertx, pool, clock, config.routing(), new fi.kanava.presence.PresenceMetrics(registry));
    Routing routing = new Routing(vertx, pool, clock, config.routing(), conversations, waiting, chatMetrics, presence, queues);
    QueueEntry entry = new QueueEntry(pool, clock, queues, conversations, waiting, routing, chatMetrics,
        new AddressLimiter("queue_entry", abuse.queueEntries(), abuse.trackedAddresses(), clock, abuseMetrics), abuse, abuseMetrics);
    Offers offers = new Offers(clock, conversations, routing, chatMetrics);
    Transfers transfers = new Transfers(vertx, pool, clock, conversations, guard, routing, new TransferMetrics(registry), config.transfer());
    fi.kanava.consult.Consultations consultations = new fi.kanava.consult.Consultations(vertx, pool, clock, conversations, guard,
        new fi.kanava.consult.ConsultMetrics(registry), config.consult());
    fi.kanava.visit.Visits visits = new fi.kanava.visit.Visits(vertx, pool, clock, guard, conversations, patients, sessions,
        new fi.kanava.visit.VisitMetrics(registry), config.visit(), config.routing().sweepInterval());
    // calls ask the visit feature who may join a visit's call (CallRoster)
    fi.kanava.rtc.TurnCredentials turn = new fi.kanava.rtc.TurnCredentials(config.rtc(), clock);
    fi.kanava.rtc.Calls calls = new fi.kanava.rtc.Calls(vertx, pool, clock, conversations, guard, new fi.kanava.visit.VisitRoster(visits), turn,
        new fi.kanava.rtc.CallMetrics(registry), config.rtc());
    calls.start();
    Sweeper sweeper = new Sweeper(vertx, config.routing(), presence, routing, conversations, transfers, consultations, calls);

    // every feature registers its frames; the socket knows none of them
    FrameRegistry frames = WebSocketEndpoint.newRegistry();
    ConversationSockets conversationSockets = new ConversationSockets(conversations, guard, chatMetrics);
    conversationSockets.register(frames);
    new PresenceSockets(presence).register(frames);
    new TransferSockets(transfers, conversationSockets).register(frames);
    new fi.kanava.consult.ConsultSockets(consultations, conversationSockets).register(frames);
    new fi.kanava.visit.VisitSockets(visits, conversations, conversationSockets).register(frames);
    new fi.kanava.rtc.RtcSockets(vertx, calls).register(frames);
    Feedback feedback = new Feedback(vertx, pool, clock, conversations, visits, new FeedbackMetrics(registry));
    feedback.start();
    new FeedbackSockets(feedback).register(frames);
    ProfessionalFeedback professionalFeedback = new ProfessionalFeedback(vertx, pool, clock, config.feedback().professionalEveryClosed(),
        new ProfessionalFeedbackMetrics(registry));
    professionalFeedback.start();
    professionalFeedback.register(frames);
    new QueueSockets(queues, entry, offers, routing, waiting, conversationSockets).register(frames);
    LiveFigures liveFigures = new LiveFigures(pool, clock, guard, queues, config.routing().offlineGrace());
    LiveWatch liveWatch = new LiveWatch(vertx, liveFigures);
    liveWatch.register(frames);
    liveWatch.start();
    new fi.kanava.rtc.NetworkCheckSockets(new fi.kanava.rtc.NetworkChecks(vertx, pool, clock, config.netcheck(), turn,
        new fi.kanava.rtc.NetworkCheckMetrics(registry))).register(frames);
    WebSocketEndpoint endpoint = new WebSocketEndpoint(vertx, clock, config.ws(), authenticator, profiles::profile, frames,
        new SocketMetrics(registry), addresses, abuse.socketsPerPrincipal(), abuseMetrics);
    Maintenance maintenance = new Maintenance(vertx, logins, patients, revocations, abuse.anonymousRetention(), abuseMetrics);

    ConversationRoutes conversationRoutes = new ConversationRoutes(conversations, guard, authenticator);
    QueueRoutes queueRoutes = new QueueRoutes(queues, accounts, routing, guard, authenticator);
    ReportRoutes reportRoutes = new ReportRoutes(new Reports(pool, guard, professionalFeedback), liveFigures, authenticator);
    AttachmentRoutes attachmentRoutes = new AttachmentRoutes(
        new Attachments(vertx, pool, clock, conversations, guard, config.attachment()), authenticator);
    fi.kanava.referral.ReferralRoutes referralRoutes = new fi.kanava.referral.ReferralRoutes(referrals, authenticator);
    fi.kanava.directory.DirectoryRoutes directoryRoutes =
        new fi.kanava.directory.DirectoryRoutes(new fi.kanava.directory.Registry(pool), accounts, guard, authenticator);
    fi.kanava.consult.ConsultRoutes consultRoutes = new fi.kanava.consult.ConsultRoutes(consultations, guard, authenticator);
    fi.kanava.visit.VisitRoutes visitRoutes = new fi.kanava.visit.VisitRoutes(visits, authenticator, addresses,
        new AddressLimiter("visit_code", abuse.anonymousSessions(), abuse.trackedAddresses(), clock, abuseMetrics));
    List<Consumer<Router>> features = List.of(opsRoutes::mount, authRoutes::mount, conversationRoutes::mount, queueRoutes::mount,
        reportRoutes::mount, attachmentRoutes::mount, referralRoutes::mount, directoryRoutes::mount, consultRoutes::mount,
        visitRoutes::mount, new fi.kanava.rtc.RtcRoutes(turn, authenticator)::mount);

    frames.warmUp();
    return new Wired(new Services(accounts, organisations, patients, audit, guard, sessions, hasher, queues, conversations, routing,
        presence, sweeper, frames, keys, revocations, referrals, consultations, visits, calls,
        new DemoHistory(vertx, pool, clock)), routing, sweeper, maintenance, features, endpoint, drain);
  }

  private static Future<Application> deploy(Vertx vertx, KanavaConfig config, Pool pool, Wired wired) {
    AtomicReference<HttpVerticle> first = new AtomicReference<>();
    return wired.routing().start()
        .compose(v -> wired.services().presence().start())
        .compose(v -> wired.services().consultations().primeMetrics())
        .compose(v -> vertx.deployVerticle(() -> {
          HttpVerticle verticle = new HttpVerticle(config.http(), wired.features(), wired.endpoint()::handshake,
              List.of(WebSocketEndpoint.PROTOCOL), config.ws().compression());
          first.compareAndSet(null, verticle);
          return verticle;
        }, new DeploymentOptions().setInstances(config.http().verticleInstances())))
        .map(id -> {
          wired.sweeper().start();
          wired.maintenance().start();
          wired.services().visits().start();
          wired.services().signingKeys().startTimer();
          wired.services().revocations().startTimer();
          int port = first.get().actualPort();
          log.info("Kanava listening on http://{}:{}", config.http().host(), port);
          return new Application(vertx, pool, port, wired.services(), wired.maintenance(), wired.drain());
        });
  }

  /**
   * The server's sessions wait a bounded time for a connection, a statement, a lock and an open
   * transaction; a wait that runs out is answered {@code database_busy} (migrations, on their own
   * JDBC connection, are not bounded).
   */
  private static io.vertx.pgclient.PgConnectOptions bounded(io.vertx.pgclient.PgConnectOptions options, KanavaConfig.Db.Limits limits) {
    return options
        .addProperty("statement_timeout", Long.toString(limits.statementTimeout().toMillis()))
        .addProperty("lock_timeout", Long.toString(limits.lockTimeout().toMillis()))
        .addProperty("idle_in_transaction_session_timeout", Long.toString(limits.idleInTransactionTimeout().toMillis()));
  }

  public int port() {
    return port;
  }

  public Pool pool() {
    return pool;
  }

  public Services services() {
    return services;
  }

  /**
   * Begins draining before a stop ({@link fi.kanava.ops.Drain}): the node reports not ready and goes on
   * serving what it serves until it is closed. Draining twice is harmless.
   */
  public void drain() {
    if (drain.begin()) {
      log.info("Draining: /health/ready answers 503 so the load balancer sends this node no new connections");
    }
  }

  /** The slow timer's pass (stale sign-in counts, stale anonymous patients), for tests. */
  public Maintenance maintenance() {
    return maintenance;
  }

  public Vertx vertx() {
    return vertx;
  }
}
