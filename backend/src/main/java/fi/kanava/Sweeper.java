package fi.kanava;

import fi.kanava.conversation.Conversations;
import fi.kanava.infra.KanavaConfig;
import fi.kanava.presence.Presence;
import fi.kanava.queue.Routing;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's timers: the presence heartbeat, and one pass of every time-driven rule in order
 * (professionals not seen go offline, offers not accepted return to the queue, idle conversations
 * are warned and expire, auto queues are kicked, transfers lapse, consultations past their due time
 * are flagged, call peers dropped past the reconnect grace leave). Tests call {@link #sweep} after moving the clock.
 */
public final class Sweeper {
  private static final Logger log = LoggerFactory.getLogger(Sweeper.class);

  private final Vertx vertx;
  private final KanavaConfig.Routing config;
  private final Presence presence;
  private final Routing routing;
  private final Conversations conversations;
  private final fi.kanava.transfer.Transfers transfers;
  private final fi.kanava.consult.Consultations consultations;
  private final fi.kanava.rtc.Calls calls;

  public Sweeper(Vertx vertx, KanavaConfig.Routing config, Presence presence, Routing routing, Conversations conversations,
      fi.kanava.transfer.Transfers transfers, fi.kanava.consult.Consultations consultations, fi.kanava.rtc.Calls calls) {
    this.calls = calls;
    this.transfers = transfers;
    this.consultations = consultations;
    this.vertx = vertx;
    this.config = config;
    this.presence = presence;
    this.routing = routing;
    this.conversations = conversations;
  }

  public void start() {
    vertx.setPeriodic(config.heartbeatInterval().toMillis(), t -> presence.heartbeat().onFailure(e -> log.warn("Presence heartbeat failed", e)));
    // the heartbeat has its own timer: the sweep timer runs only the time rules
    vertx.setPeriodic(config.sweepInterval().toMillis(), t -> rules().onFailure(e -> log.warn("Sweep failed", e)));
  }

  /** What both timers do, at once. */
  public Future<Void> sweep() {
    return presence.heartbeat().compose(v -> rules());
  }

  private Future<Void> rules() {
    return presence.sweep().compose(v -> routing.sweep()).compose(v -> conversations.sweepIdle()).compose(v -> transfers.sweep())
        .compose(v -> consultations.sweep()).compose(v -> calls.sweep());
  }
}
