package fi.kanava.report;

import fi.kanava.conversation.ConversationEvents;
import fi.kanava.feedback.Feedback;
import fi.kanava.presence.PresenceEvents;
import fi.kanava.ws.ClientFrame;
import fi.kanava.ws.FrameRegistry;
import fi.kanava.ws.FrameResult;
import fi.kanava.ws.Senders;
import fi.kanava.ws.SocketFrames.Fields;
import fi.kanava.ws.SocketSession;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live figures on the socket (docs/protocol.md, "Live figures"): {@code figures.watch} answers with
 * the snapshot and from then on the socket gets {@code figures.live} when a figure changes. What
 * changes them is heard on the event bus (a conversation's state, a professional's status, a
 * feedback response); a burst is coalesced into one read per watching socket at most once per
 * {@link #COALESCE_MS}, and a socket is sent only figures that differ from the last it got.
 * Each node serves its own sockets; the figures themselves come from PostgreSQL.
 */
public final class LiveWatch {
  private static final Logger log = LoggerFactory.getLogger(LiveWatch.class);
  /** At most one push per socket in this long, however many changes arrive meanwhile. */
  static final long COALESCE_MS = 1000;

  /** {@code figures.watch}: start watching the live figures of one's organisation (the reply is the snapshot). */
  public record Watch(String ref) implements ClientFrame {
    public Watch {
      ref = Fields.ref(ref);
    }
  }

  /** {@code figures.unwatch}: stop. */
  public record Unwatch(String ref) implements ClientFrame {
    public Unwatch {
      ref = Fields.ref(ref);
    }
  }

  /** {@code figures.unwatched}: the reply to unwatch. */
  public record Unwatched() implements fi.kanava.ws.ServerFrame {
    @Override
    public String type() {
      return "figures.unwatched";
    }
  }

  /** What one watching socket was last sent. */
  private static final class Watcher {
    final SocketSession session;
    /** The socket's own context: its figures are read and written there, in order. */
    final io.vertx.core.Context context;
    volatile LiveFigures.Snapshot last;

    Watcher(SocketSession session, io.vertx.core.Context context) {
      this.session = session;
      this.context = context;
    }
  }

  private final Vertx vertx;
  private final LiveFigures figures;
  private final Map<String, Watcher> watchers = new ConcurrentHashMap<>();
  private final AtomicBoolean pending = new AtomicBoolean();

  public LiveWatch(Vertx vertx, LiveFigures figures) {
    this.vertx = vertx;
    this.figures = figures;
  }

  public void register(FrameRegistry registry) {
    registry.register("figures.watch", Watch.class, Senders.FIGURE_READERS, (s, f) -> watch(s).map(FrameResult::reply));
    registry.register("figures.unwatch", Unwatch.class, Senders.FIGURE_READERS, (s, f) -> {
      watchers.remove(s.id());
      return Future.succeededFuture(FrameResult.reply(new Unwatched()));
    });
  }

  /** Listens, on this node, for whatever changes a figure. */
  public void start() {
    vertx.eventBus().consumer(ConversationEvents.QUEUE_STATE, msg -> changed());
    vertx.eventBus().consumer(PresenceEvents.STATUS, msg -> changed());
    vertx.eventBus().consumer(Feedback.RECORDED, msg -> changed());
  }

  private Future<LiveFigures.Snapshot> watch(SocketSession s) {
    return figures.snapshot(s.principal()).map(snapshot -> {
      Watcher watcher = new Watcher(s, vertx.getOrCreateContext());
      watcher.last = snapshot;
      if (watchers.put(s.id(), watcher) == null) {
        s.onClose(() -> watchers.remove(s.id()));
      }
      return snapshot;
    });
  }

  /** Something changed: every watching socket is brought up to date once the coalescing window ends. */
  private void changed() {
    if (watchers.isEmpty() || !pending.compareAndSet(false, true)) {
      return;
    }
    vertx.setTimer(COALESCE_MS, t -> {
      pending.set(false);
      watchers.values().forEach(w -> w.context.runOnContext(v -> push(w)));
    });
  }

  private void push(Watcher w) {
    if (w.session.isClosed()) {
      watchers.remove(w.session.id());
      return;
    }
    // the principal is checked again: a supervisor whose role was taken away stops getting figures
    figures.snapshot(w.session.principal())
        .onSuccess(snapshot -> {
          if (!snapshot.sameFigures(w.last)) {
            w.last = snapshot;
            w.session.send(snapshot);
          }
        })
        .onFailure(e -> {
          watchers.remove(w.session.id());
          log.warn("Live figures of socket {} stopped", w.session.id(), e);
        });
  }
}
