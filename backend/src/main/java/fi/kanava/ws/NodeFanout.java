package fi.kanava.ws;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One event-bus consumer per address on this node, fanning out to this node's sockets. A socket
 * that watches a conversation, a queue or its principal's address subscribes here; only the first
 * subscriber of an address registers a consumer (with a clustered bus, the one registration the
 * cluster knows of this node for it), and the last to leave unregisters it. So a thousand sockets
 * watching one queue cost the cluster one registration, and a socket opening or closing costs it
 * nothing once its addresses are known on this node.
 *
 * <p>Each subscriber's handler runs on the context it subscribed from (its socket's event loop),
 * in the order the node received the events.
 */
public final class NodeFanout {
  private final Vertx vertx;
  private final Map<String, Address> addresses = new HashMap<>();

  public NodeFanout(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Delivers every event published to {@code address} (from any node) to {@code handler}, until unregistered. */
  public <T> Subscription subscribe(String address, Handler<T> handler) {
    @SuppressWarnings("unchecked")
    Subscription sub = new Subscription(address, vertx.getOrCreateContext(), (Handler<Object>) handler);
    synchronized (this) {
      Address a = addresses.computeIfAbsent(address, this::register);
      a.subscribers.add(sub);
      sub.registered = a.consumer.completion();
    }
    return sub;
  }

  /** How many addresses this node has a consumer for (for tests and logs). */
  public synchronized int addressCount() {
    return addresses.size();
  }

  private Address register(String address) {
    Address a = new Address();
    a.consumer = vertx.eventBus().consumer(address, msg -> a.deliver(msg.body()));
    a.consumer.completion().onFailure(e -> {
      // not registered (the cluster is away): the next subscriber tries again
      synchronized (this) {
        addresses.remove(address, a);
      }
    });
    return a;
  }

  private synchronized void unregister(Subscription sub) {
    Address a = addresses.get(sub.address);
    if (a != null && a.subscribers.remove(sub) && a.subscribers.isEmpty()) {
      addresses.remove(sub.address);
      a.consumer.unregister();
    }
  }

  /** This node's consumer of one address and the sockets' handlers it feeds. */
  private static final class Address {
    MessageConsumer<Object> consumer;
    final List<Subscription> subscribers = new CopyOnWriteArrayList<>();

    void deliver(Object body) {
      Context here = Vertx.currentContext();
      for (Subscription sub : subscribers) {
        if (sub.context == here) {
          sub.handle(body);
        } else {
          sub.context.runOnContext(v -> sub.handle(body));
        }
      }
    }
  }

  /** One subscriber's hold on an address. */
  public final class Subscription {
    private final String address;
    private final Context context;
    private final Handler<Object> handler;
    private Future<Void> registered;
    private volatile boolean active = true;

    private Subscription(String address, Context context, Handler<Object> handler) {
      this.address = address;
      this.context = context;
      this.handler = handler;
    }

    /**
     * Succeeds once events published to the address on any node reach this subscriber: a watch
     * reads what it missed from the database only after this, so nothing falls in between.
     */
    public Future<Void> completion() {
      return registered;
    }

    /** Stops delivery to this subscriber at once; the node's consumer goes when its last subscriber does. Twice is harmless. */
    public void unregister() {
      if (active) {
        active = false;
        NodeFanout.this.unregister(this);
      }
    }

    private void handle(Object body) {
      if (active) {
        handler.handle(body);
      }
    }
  }
}
