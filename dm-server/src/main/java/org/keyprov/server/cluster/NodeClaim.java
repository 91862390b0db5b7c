package org.keyprov.server.cluster;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.params.SetParams;

/**
 * One process's hold on a node name in Redis: a key set only if absent, with a term renewed a third
 * of the way through it, and deleted at close only if it is still this process's.
 */
final class NodeClaim {
  private static final Logger LOG = LoggerFactory.getLogger(NodeClaim.class);

  /** How long a claim outlives its process's last renewal. */
  static final Duration TERM = Duration.ofSeconds(15);

  private static final String RENEW =
      "if redis.call('get', KEYS[1]) == ARGV[1] then"
          + " return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
  private static final String RELEASE =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1])"
          + " else return 0 end";

  private final JedisPool pool;
  private final String key;
  private final String node;
  private final String run;
  private final Duration term;
  private final ScheduledExecutorService renewals;

  private NodeClaim(JedisPool pool, String key, String node, String run, Duration term) {
    this.term = term;
    this.pool = pool;
    this.key = key;
    this.node = node;
    this.run = run;
    this.renewals =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keyprov-redis-node-claim");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Takes the claim for {@code term}, waiting a little longer than that for a left one to lapse.
   */
  static NodeClaim take(JedisPool pool, String key, String node, String run, Duration term)
      throws InterruptedException {
    long deadline = System.nanoTime() + term.plusSeconds(1).toNanos();
    String holder = null;
    boolean told = false;
    while (true) {
      try (Jedis j = pool.getResource()) {
        if ("OK".equals(j.set(key, run, SetParams.setParams().nx().px(term.toMillis())))) {
          break;
        }
        holder = j.get(key);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "another keyprov server runs as node '"
                + node
                + "' ("
                + (holder == null ? "gone just now" : holder)
                + "): give this one another node name, or stop that one");
      }
      if (!told) {
        LOG.info(
            "node name '{}' is held by {}; waiting up to {} s for it to lapse (a process that"
                + " ended without closing)",
            node,
            holder,
            term.toSeconds());
        told = true;
      }
      Thread.sleep(500);
    }
    NodeClaim claim = new NodeClaim(pool, key, node, run, term);
    long every = term.toMillis() / 3;
    claim.renewals.scheduleWithFixedDelay(claim::renew, every, every, TimeUnit.MILLISECONDS);
    return claim;
  }

  private void renew() {
    try (Jedis j = pool.getResource()) {
      Object renewed = j.eval(RENEW, List.of(key), List.of(run, Long.toString(term.toMillis())));
      if (Long.valueOf(0).equals(renewed)
          && "OK".equals(j.set(key, run, SetParams.setParams().nx().px(term.toMillis())))) {
        LOG.warn("node name '{}' lapsed while Redis could not be reached; claimed again", node);
      } else if (Long.valueOf(0).equals(renewed)) {
        LOG.error(
            "node name '{}' is now held by {}: two keyprov servers run under one name; stop one",
            node,
            j.get(key));
      }
    } catch (JedisException e) {
      LOG.warn("cannot renew the claim on node name '{}': {}", node, e.getMessage());
    }
  }

  void release() {
    renewals.shutdownNow();
    try (Jedis j = pool.getResource()) {
      j.eval(RELEASE, List.of(key), List.of(run));
    } catch (JedisException e) {
      LOG.warn(
          "cannot release node name '{}' ({}); it lapses in {} s",
          node,
          e.getMessage(),
          term.toSeconds());
    }
  }
}
