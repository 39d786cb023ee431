package fi.kanava.loadtest;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/** Helpers for the phases, which run on the main thread and wait there, never on an event loop. */
final class Work {
  private Work() {}

  /**
   * Runs {@code count} tasks with at most {@code concurrency} in flight; returns each task's result,
   * null where it failed or had not finished within {@code timeoutSeconds}.
   */
  static <T> List<T> bounded(int count, int concurrency, long timeoutSeconds, IntFunction<Future<T>> task) {
    AtomicReferenceArray<T> results = new AtomicReferenceArray<>(count);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    if (count == 0) {
      done.complete();
    }
    Runnable[] worker = new Runnable[1];
    worker[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= count) {
        return;
      }
      Future<T> f;
      try {
        f = task.apply(i);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> {
        if (ar.succeeded()) {
          results.set(i, ar.result());
        }
        if (finished.incrementAndGet() == count) {
          done.tryComplete();
        } else {
          worker[0].run();
        }
      });
    };
    for (int w = 0; w < Math.min(concurrency, count); w++) {
      worker[0].run();
    }
    await(done.future(), timeoutSeconds);
    List<T> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(results.get(i));
    }
    return out;
  }

  /** Waits for the future on this (non-event-loop) thread; false if it failed or timed out. */
  static boolean await(Future<?> future, long timeoutSeconds) {
    try {
      future.await(timeoutSeconds, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** Paces the load: parks the main thread until {@code deadlineNanos} (System.nanoTime). */
  static void until(long deadlineNanos) {
    long left;
    while ((left = deadlineNanos - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  static void pause(double seconds) {
    until(System.nanoTime() + (long) (seconds * 1e9));
  }
}
