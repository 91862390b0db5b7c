package org.keyprov.app;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What {@code /readyz} asks: each check names a part the process needs (the database, Redis, the DM
 * endpoint) and says what is wrong with it, or null. A check that does not answer within {@link
 * #WAIT} counts as failed, and is not started again until it has answered, so a database that hangs
 * does not pile up threads.
 */
final class Readiness implements AutoCloseable {
  static final Duration WAIT = Duration.ofSeconds(2);

  /** A part's problem, or null if it is fine; may block (it runs on a thread of its own). */
  interface Check {
    String problem() throws Exception;
  }

  private final Map<String, Check> checks = new LinkedHashMap<>();
  private final Map<String, CompletableFuture<String>> running = new ConcurrentHashMap<>();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "keyprov-readiness");
            t.setDaemon(true);
            return t;
          });

  Readiness check(String name, Check check) {
    checks.put(name, Objects.requireNonNull(check, "check"));
    return this;
  }

  /** Each part's state: "ok", or what is wrong; in the order the checks were added. */
  Map<String, String> states() {
    // all at once, so one part that hangs costs the others nothing
    Map<String, CompletableFuture<String>> answers = new LinkedHashMap<>();
    for (Map.Entry<String, Check> c : checks.entrySet()) {
      CompletableFuture<String> answer = running.get(c.getKey());
      if (answer == null || answer.isDone()) {
        // one at a time per check: a check that hangs is waited on, not started again
        answer = CompletableFuture.supplyAsync(() -> ask(c.getValue()), threads);
        running.put(c.getKey(), answer);
      }
      answers.put(c.getKey(), answer);
    }
    long deadline = System.nanoTime() + WAIT.toNanos();
    Map<String, String> states = new LinkedHashMap<>();
    for (Map.Entry<String, CompletableFuture<String>> a : answers.entrySet()) {
      String problem;
      try {
        problem = a.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        problem = "no answer in " + WAIT.toSeconds() + " s";
      } catch (ExecutionException e) {
        problem = String.valueOf(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        problem = "interrupted";
      }
      states.put(a.getKey(), problem == null ? "ok" : problem);
    }
    return states;
  }

  private static String ask(Check check) {
    try {
      return check.problem();
    } catch (Exception e) {
      return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
