package fi.kanava.rtc;

import dev.onvoid.webrtc.PeerConnectionFactory;
import fi.kanava.auth.Principal;
import fi.kanava.infra.ApiError;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.rtc.NetworkCheckFrames.Answer;
import fi.kanava.rtc.NetworkCheckFrames.Ready;
import fi.kanava.rtc.NetworkCheckFrames.Result;
import fi.kanava.ws.SocketSession;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Network checks (docs/video.md, "Network check"): a browser connects to the server's own WebRTC
 * peer before a visit, sends pings on a data channel and learns whether a connection forms,
 * whether it goes through a relay, its round trip and its loss; the result is kept with the visit.
 *
 * <p>A check belongs to the socket that started it: its frames are accepted only there, and it
 * ends when done, when {@code netcheck.timeout} runs out (the result is then pushed) or when the
 * socket closes (no result kept). Its state is touched only on that socket's event loop; native
 * work runs in order per check on a small worker pool of its own.
 */
public final class NetworkChecks {
  private static final Logger log = LoggerFactory.getLogger(NetworkChecks.class);
  static final ApiError NOT_FOUND = ApiError.notFound("check_not_found", "No open network check with that id on this connection");

  private final Vertx vertx;
  private final NetworkCheckStore store;
  private final Clock clock;
  private final KanavaConfig.Netcheck config;
  private final NetworkCheckMetrics metrics;
  private final WorkerExecutor natives;
  private final TurnCredentials turn;
  private Future<Optional<PeerConnectionFactory>> factory;
  /** Checks open on this node, for {@code netcheck.max-concurrent}: taken at start, given back as each ends. */
  private final java.util.concurrent.atomic.AtomicInteger active = new java.util.concurrent.atomic.AtomicInteger();

  public NetworkChecks(Vertx vertx, Pool pool, Clock clock, KanavaConfig.Netcheck config, TurnCredentials turn, NetworkCheckMetrics metrics) {
    this.vertx = vertx;
    this.turn = turn;
    this.store = new NetworkCheckStore(pool);
    this.clock = clock;
    this.config = config;
    this.metrics = metrics;
    this.natives = vertx.createSharedWorkerExecutor("kanava-netcheck", 4);
  }

  /**
   * The ICE servers the browser's peer uses: the calls' STUN and TURN servers with the caller's own
   * short-lived TURN credentials, so that the check finds out whether this network needs a relay.
   */
  JsonArray iceServers(Principal principal) {
    return RtcRoutes.json(turn.iceServers(principal.id()));
  }

  /** {@code netcheck.start}: a new check, or {@code check_unavailable} (stored as such) when this node has no native peer. */
  Future<Ready> start(SocketSession session, NetworkCheckFrames.Start frame) {
    Principal principal = session.principal();
    UUID checkId = UUID.randomUUID();
    Future<Void> member = frame.visitId() == null ? Future.succeededFuture()
        : store.isMember(frame.visitId(), principal).compose(yes -> yes ? Future.<Void>succeededFuture()
            : Future.failedFuture(new ApiError(403, "not_a_member", "You are not a member of that visit")));
    return member.compose(v -> factory()).compose(loaded -> {
      if (loaded.isEmpty()) {
        return store.unavailable(checkId, principal, frame.visitId(), clock.instant())
            .onSuccess(x -> metrics.finished(NetworkCheckOutcome.unavailable()))
            .compose(x -> Future.failedFuture(new ApiError(503, "check_unavailable",
                "This server cannot run a network check now; the visit can still go ahead")));
      }
      Checks checks = checks(session);
      checks.open.values().stream().toList().forEach(earlier -> abandon(checks, earlier));
      if (!tryTake()) {
        return Future.failedFuture(new ApiError(503, "check_busy", "Too many network checks at once; try again in a moment"));
      }
      Check check = new Check(checkId, loaded.get(), Vertx.currentContext());
      checks.open.put(checkId, check);
      return store.started(checkId, principal, frame.visitId(), clock.instant())
          .onFailure(e -> abandon(checks, check))
          .map(v -> {
            // from the stored start, so that a result is never written before its row
            if (!check.ended) {
              check.timer = vertx.setTimer(config.timeout().toMillis(), id -> timedOut(session, checks, check));
            }
            return new Ready(checkId.toString(), iceServers(principal));
          });
    });
  }

  /** {@code netcheck.offer}: the server's peer answers (its candidates follow as {@code netcheck.candidate}). */
  Future<Answer> offer(SocketSession session, NetworkCheckFrames.Offer frame) {
    Check check = checks(session).open.get(frame.checkId());
    if (check == null) {
      return Future.failedFuture(NOT_FOUND);
    }
    if (check.offered) {
      return Future.failedFuture(ApiError.conflict("check_in_progress", "This network check has its offer already"));
    }
    check.offered = true;
    Future<String> answer = check.then(() -> {
      if (check.ended) {
        throw new IllegalStateException("the check ended");
      }
      NetworkCheckPeer peer = new NetworkCheckPeer(check.factory, config.stunUrls(), candidate -> check.context.runOnContext(v -> {
        if (!check.ended && !session.isClosed()) {
          session.send(new NetworkCheckFrames.ServerCandidate(check.id.toString(), candidate));
        }
      }));
      metrics.peerOpened();
      check.peer = peer;
      return check.peer.answer(frame.sdp());
    });
    return answer.map(sdp -> new Answer(check.id.toString(), sdp))
        .recover(e -> {
          log.info("Network check {}: the offer could not be applied: {}", check.id, e.getMessage());
          check.then(() -> {
            closePeer(check);
            return null;
          }).onComplete(x -> check.offered = false);
          return Future.failedFuture(check.ended ? NOT_FOUND : NetworkCheckFrames.invalidSdp());
        });
  }

  /** {@code netcheck.candidate}: one of the browser's candidates, applied after the offer. */
  Future<Void> candidate(SocketSession session, NetworkCheckFrames.Candidate frame) {
    Check check = checks(session).open.get(frame.checkId());
    if (check == null) {
      return Future.failedFuture(NOT_FOUND);
    }
    check.then(() -> {
      if (check.peer != null) {
        check.peer.addCandidate(frame.candidate());
      }
      return null;
    });
    return Future.succeededFuture();
  }

  /** {@code netcheck.done}: measures, closes the peer, keeps and answers the result. */
  Future<Result> done(SocketSession session, NetworkCheckFrames.Done frame) {
    Checks checks = checks(session);
    Check check = checks.open.get(frame.checkId());
    if (check == null || check.ended) {
      return Future.failedFuture(NOT_FOUND);
    }
    return finish(session, checks, check, frame.sent(), frame.rttMs());
  }

  private void timedOut(SocketSession session, Checks checks, Check check) {
    if (!check.ended) {
      log.info("Network check {} timed out", check.id);
      finish(session, checks, check, null, null).onSuccess(result -> {
        if (!session.isClosed()) {
          session.send(result);
        }
      });
    }
  }

  private Future<Result> finish(SocketSession session, Checks checks, Check check, Integer sent, Integer clientRttMs) {
    end(checks, check);
    Future<NetworkCheckOutcome> outcome = check.then(() -> {
      NetworkCheckOutcome.Observed seen = check.peer == null
          ? new NetworkCheckOutcome.Observed(false, false, null, null, java.util.Set.of(), sent)
          : check.peer.observe(sent, clientRttMs);
      closePeer(check);
      return NetworkCheckOutcome.of(seen);
    });
    return outcome.compose(o -> store.finished(check.id, o, clock.instant()).map(o))
        .onSuccess(metrics::finished)
        .map(o -> new Result(check.id.toString(), o.result().code(), o.rttMs(), o.lossPercent()));
  }

  /** The socket closed, or started another check: the peer is freed and no result is kept. */
  private void abandon(Checks checks, Check check) {
    if (check.ended) {
      return;
    }
    end(checks, check);
    check.then(() -> {
      closePeer(check);
      return null;
    });
  }

  private void end(Checks checks, Check check) {
    if (!check.ended) {
      active.decrementAndGet();
    }
    check.ended = true;
    if (check.timer >= 0) {
      vertx.cancelTimer(check.timer);
    }
    checks.open.remove(check.id);
  }

  private void closePeer(Check check) {
    NetworkCheckPeer peer = check.peer;
    check.peer = null;
    if (peer != null) {
      try {
        peer.close();
      } finally {
        metrics.peerClosed();
      }
    }
  }

  private boolean tryTake() {
    while (true) {
      int now = active.get();
      if (now >= config.maxConcurrent()) {
        return false;
      }
      if (active.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Loads native WebRTC once, on a worker; never when the check is turned off. */
  private synchronized Future<Optional<PeerConnectionFactory>> factory() {
    if (!config.enabled()) {
      return Future.succeededFuture(Optional.empty());
    }
    if (factory == null) {
      factory = natives.executeBlocking(NetworkCheckPeer::factory, false);
    }
    return factory;
  }

  private Checks checks(SocketSession session) {
    return session.local(Checks.class, () -> {
      Checks checks = new Checks();
      session.onClose(() -> checks.open.values().stream().toList().forEach(check -> abandon(checks, check)));
      return checks;
    });
  }

  /** The open checks of one socket. */
  private static final class Checks {
    final Map<UUID, Check> open = new LinkedHashMap<>();
  }

  /** One check: touched on its socket's event loop; its native work runs in order, one step at a time. */
  private final class Check {
    final UUID id;
    final PeerConnectionFactory factory;
    final Context context;
    volatile NetworkCheckPeer peer;
    boolean offered;
    volatile boolean ended;
    long timer = -1;
    private Future<?> tail = Future.succeededFuture();

    Check(UUID id, PeerConnectionFactory factory, Context context) {
      this.id = id;
      this.factory = factory;
      this.context = context;
    }

    /** Runs native work on a worker after the check's earlier native work. */
    <T> Future<T> then(Callable<T> work) {
      Future<T> step = tail.transform(x -> natives.executeBlocking(work, false));
      tail = step.transform(x -> Future.succeededFuture());
      return step;
    }
  }
}
