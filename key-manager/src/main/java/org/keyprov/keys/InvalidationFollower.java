package org.keyprov.keys;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows an {@link InvalidationFeed} on a thread of its own and hands each batch to a consumer as
 * it arrives. While the feed is unreachable it retries with backoff (0.5 s doubling to 30 s); once
 * it is back, the cursor picks up every invalidation made meanwhile. {@code onStart} runs once the
 * feed's position is known: anything learnt before may since have been invalidated.
 */
public final class InvalidationFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InvalidationFollower.class);

  /**
   * How long one call waits for news. Short, because closing waits for the call under way rather
   * than interrupting it (an interrupt in the middle of a database read can close H2's file).
   */
  private static final Duration POLL = Duration.ofMillis(500);

  private static final long MAX_PAUSE_MS = 30_000;

  private final InvalidationFeed feed;
  private final String nafFqdn;
  private final String who;
  private final Runnable onStart;
  private final Consumer<InvalidationFeed.Batch> onBatch;
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile long cursor = InvalidationFeed.NOW;
  private final Object pause = new Object();

  /**
   * @param nafFqdn whose keys to follow; {@code null} for all of them and device deletions
   * @param who names the follower in log lines
   */
  public InvalidationFollower(
      InvalidationFeed feed,
      String nafFqdn,
      String who,
      Runnable onStart,
      Consumer<InvalidationFeed.Batch> onBatch) {
    this.feed = Objects.requireNonNull(feed, "feed");
    this.nafFqdn = nafFqdn;
    this.who = Objects.requireNonNull(who, "who");
    this.onStart = Objects.requireNonNull(onStart, "onStart");
    this.onBatch = Objects.requireNonNull(onBatch, "onBatch");
    this.thread = new Thread(this::follow, "keyprov-invalidations-" + who);
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /**
   * Starts after {@code from}, a {@link #cursor} of an earlier follower: what was invalidated since
   * that one stopped comes first ({@code onStart} does not run).
   */
  public void start(long from) {
    this.cursor = from;
    thread.start();
  }

  /**
   * Where this follower is in the feed: after closing, where a follower of the next run starts
   * ({@link #start(long)}) to miss nothing in between. {@link InvalidationFeed#NOW} until it knows.
   */
  public long cursor() {
    return cursor;
  }

  private void follow() {
    int failures = 0;
    while (!closed.get()) {
      try {
        InvalidationFeed.Batch batch = feed.next(cursor, nafFqdn, POLL);
        if (cursor == InvalidationFeed.NOW) {
          onStart.run();
        } else if (!batch.invalidations().isEmpty()) {
          onBatch.accept(batch);
        }
        cursor = batch.cursor();
        if (failures > 0) {
          LOG.info("{}: following the Key Manager's invalidations again", who);
          failures = 0;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        if (closed.get()) {
          return;
        }
        if (failures++ == 0) {
          LOG.warn("{}: cannot follow the Key Manager's invalidations: {}", who, e.getMessage());
        }
        pause(Math.min(MAX_PAUSE_MS, 250L << Math.min(failures, 7)));
      }
    }
  }

  private void pause(long ms) {
    synchronized (pause) {
      try {
        pause.wait(ms); // close() wakes it early
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closed.set(true);
      }
    }
  }

  /** Stops following; returns once the feed is no longer being read. */
  @Override
  public void close() {
    closed.set(true);
    synchronized (pause) {
      pause.notifyAll();
    }
    if (thread.isAlive() && Thread.currentThread() != thread) {
      try {
        thread.join(POLL.toMillis() * 4 + 5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
