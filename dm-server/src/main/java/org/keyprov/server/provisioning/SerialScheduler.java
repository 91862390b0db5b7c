package org.keyprov.server.provisioning;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a task per key on an executor, never two at once for the same key, and never loses a
 * request: one made while the key's task runs makes it run once more afterwards (requests made
 * meanwhile collapse into that one run). Thread-safe.
 */
final class SerialScheduler {
  private static final Logger LOG = LoggerFactory.getLogger(SerialScheduler.class);

  private final Executor executor;
  private final Consumer<String> task;

  /** Keys with a run under way; {@code true} if another run was asked for meanwhile. */
  private final Map<String, Boolean> running = new ConcurrentHashMap<>();

  SerialScheduler(Executor executor, Consumer<String> task) {
    this.executor = executor;
    this.task = task;
  }

  /** Asks for a run for {@code key}: now, or right after the one under way. */
  void request(String key) {
    boolean[] start = new boolean[1];
    // one atomic step, so a request can never land between a run's last check and its exit
    running.compute(
        key,
        (k, again) -> {
          if (again == null) {
            start[0] = true;
            return Boolean.FALSE;
          }
          return Boolean.TRUE;
        });
    if (!start[0]) {
      return;
    }
    try {
      executor.execute(() -> runFor(key));
    } catch (RejectedExecutionException stopping) {
      running.remove(key);
    }
  }

  private void runFor(String key) {
    try {
      do {
        running.put(key, Boolean.FALSE);
        try {
          task.accept(key);
        } catch (RuntimeException e) {
          LOG.error("run for {} failed unexpectedly", key, e);
        }
      } while (!running.remove(key, Boolean.FALSE));
    } catch (Error e) {
      running.remove(key);
      throw e;
    }
  }
}
