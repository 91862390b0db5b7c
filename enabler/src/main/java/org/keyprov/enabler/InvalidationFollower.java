package org.keyprov.enabler;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.keyprov.keys.InvalidationFeed;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the Key Manager's invalidation feed on a thread of its own and drops each invalidated key
 * from the cache at once, so a revocation or device deletion takes effect here within about a
 * second instead of the cache TTL. If the feed is unreachable the cache TTL still bounds the delay;
 * once it is back, the cursor picks up every invalidation made meanwhile.
 */
final class InvalidationFollower implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InvalidationFollower.class);
  private static final Duration POLL = Duration.ofSeconds(20);
  private static final long MAX_PAUSE_MS = 30_000;

  private final InvalidationFeed feed;
  private final String nafFqdn;
  private final KeyCache cache;
  private final Thread thread;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object pause = new Object();

  InvalidationFollower(InvalidationFeed feed, String nafFqdn, KeyCache cache) {
    this.feed = feed;
    this.nafFqdn = nafFqdn;
    this.cache = cache;
    this.thread = new Thread(this::follow, "keyprov-enabler-invalidations");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void follow() {
    long cursor = InvalidationFeed.NOW;
    int failures = 0;
    while (!closed.get()) {
      try {
        InvalidationFeed.Batch batch = feed.next(cursor, nafFqdn, POLL);
        if (cursor == InvalidationFeed.NOW) {
          // anything cached before we knew where the feed stood may since have been invalidated
          cache.clear();
        }
        for (String btid : batch.btids()) {
          cache.invalidate(btid);
          LOG.info(
              "{}: key {} invalidated at the Key Manager; dropped from the cache", nafFqdn, btid);
        }
        cursor = batch.cursor();
        if (failures > 0) {
          LOG.info("{}: following the Key Manager's invalidations again", nafFqdn);
          failures = 0;
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (closed.get()) {
          return;
        }
        if (failures++ == 0) {
          LOG.warn(
              "{}: cannot follow the Key Manager's invalidations ({}); revoked keys stop working"
                  + " here within the cache TTL until it is back",
              nafFqdn,
              e.getMessage());
        }
        pause(Math.min(MAX_PAUSE_MS, 500L << Math.min(failures, 6)));
      }
    }
  }

  private void pause(long ms) {
    synchronized (pause) {
      try {
        // woken early by close()
        pause.wait(ms);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closed.set(true);
      }
    }
  }

  @Override
  public void close() {
    closed.set(true);
    synchronized (pause) {
      pause.notifyAll();
    }
    thread.interrupt();
  }
}
