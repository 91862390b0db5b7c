package org.keyprov.server.cluster;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.eclipse.leshan.server.redis.RedisRegistrationStore;
import org.eclipse.leshan.server.registration.RegistrationStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.exceptions.JedisException;

/**
 * What several DM server nodes share in Redis: Leshan's {@link RedisRegistrationStore} (every node
 * sees every registration and observation, and one node expires a dead registration), and a channel
 * on which a node that cannot reach a device asks the others for its provisioning pass.
 *
 * <p>Only the node that holds a device's DTLS session can send it a request (the balancer keeps the
 * device's flow on that node), so a pass asked for anywhere else is passed on: {@link #askPass}
 * publishes the endpoint, and every node's {@link #onPassAsked} handler hears it. Pub/sub delivers
 * at most once; a lost ask is made up by the device's next registration update, which runs a pass.
 * Requests to a device served elsewhere go the same way, sealed, through {@link RequestRelay}.
 */
public final class RedisCluster implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);

  /** Redis keys of keyprov begin with this, so one Redis can hold other data too. */
  static final String PREFIX = "keyprov:";

  private static final String PASS_CHANNEL = PREFIX + "pass";

  /** The registration's application data naming the node that serves the device. */
  public static final String NODE_DATA = "keyprov.node";

  /** The node that serves the device of {@code registration} (null for none recorded). */
  public static String servingNode(org.eclipse.leshan.server.registration.Registration r) {
    return r.getApplicationData().get(NODE_DATA);
  }

  /** How long the subscriber waits before subscribing again after losing Redis. */
  private static final Duration RESUBSCRIBE = Duration.ofSeconds(1);

  private final JedisPool pool;
  private final String where;
  private final RedisRegistrationStore registrations;
  private final Subscriber subscriber = new Subscriber();

  /** What is done with a message, by channel; all set before listening starts. */
  private final Map<String, Consumer<String>> handlers = new ConcurrentHashMap<>();

  /** Where answers to this process's relayed requests arrive. */
  private final String answerChannel = PREFIX + "answer:" + UUID.randomUUID();

  private volatile boolean closed;
  private Thread listening;

  /** This process's claim on its node name, once {@link #claimNode} succeeded. */
  private volatile NodeClaim claim;

  private RedisCluster(JedisPool pool, String where) {
    this.pool = pool;
    this.where = where;
    this.registrations =
        new RedisRegistrationStore.Builder(pool)
            .setPrefix(PREFIX + "reg:")
            .setSchedExecutor(
                Executors.newSingleThreadScheduledExecutor(
                    r -> {
                      Thread t = new Thread(r, "keyprov-redis-expiry");
                      t.setDaemon(true);
                      return t;
                    }))
            .build();
  }

  /**
   * Connects to the Redis at {@code url} ({@code redis://HOST[:PORT][/DATABASE]}, or {@code
   * rediss://} for TLS) with {@code password} (may be null), and checks that it answers.
   *
   * @throws IllegalArgumentException if the URL is not one of those
   * @throws IllegalStateException if Redis does not answer, with what it said
   */
  public static RedisCluster connect(URI url, String password, Duration timeout) {
    HostAndPort address = address(url);
    DefaultJedisClientConfig.Builder config =
        DefaultJedisClientConfig.builder()
            .ssl("rediss".equals(url.getScheme()))
            .database(database(url))
            .timeoutMillis((int) timeout.toMillis())
            .clientName("keyprov");
    if (password != null) {
      config.password(password);
    }
    String where = url.getScheme() + "://" + address;
    JedisPool pool = new JedisPool(address, config.build());
    try (Jedis j = pool.getResource()) {
      j.ping();
    } catch (JedisException e) {
      pool.close();
      throw new IllegalStateException("Redis at " + where + " does not answer: " + reason(e), e);
    }
    return new RedisCluster(pool, where);
  }

  private static HostAndPort address(URI url) {
    if (url.getRawAuthority() != null && url.getRawAuthority().contains("@")) {
      // checked first: the answers below repeat the URL
      throw new IllegalArgumentException(
          "the Redis URL holds a user or password, which shell history and ps would show: remove"
              + " it and give the password in the configuration file or the environment");
    }
    if (url.getScheme() == null
        || !(url.getScheme().equals("redis") || url.getScheme().equals("rediss"))
        || url.getHost() == null) {
      throw new IllegalArgumentException(
          "'" + url + "' is not a Redis URL: give redis://HOST[:PORT][/DATABASE]");
    }
    return new HostAndPort(url.getHost(), url.getPort() == -1 ? 6379 : url.getPort());
  }

  private static int database(URI url) {
    String path = url.getPath() == null ? "" : url.getPath().replaceFirst("^/", "");
    if (path.isEmpty()) {
      return 0;
    }
    try {
      int db = Integer.parseInt(path);
      if (db >= 0) {
        return db;
      }
    } catch (NumberFormatException notANumber) {
      // answered below
    }
    throw new IllegalArgumentException(
        "'"
            + url
            + "': the path of a Redis URL is the database number (0, 1, …), not '"
            + path
            + "'");
  }

  /**
   * What went wrong at the bottom: Jedis wraps "Connection refused" in vaguer messages, as a cause
   * or as a suppressed exception (one per address it tried).
   */
  private static String reason(Throwable e) {
    Throwable root = e;
    while (true) {
      if (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      } else if (root.getSuppressed().length > 0) {
        root = root.getSuppressed()[0];
      } else {
        break;
      }
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  /**
   * The store of LwM2M registrations and observations that every node shares, as {@code node} uses
   * it: registrations carry their node's name as application data {@value #NODE_DATA} (the DM
   * server's authorizer puts it there), and an update for another node's registration is answered
   * 4.04 so the device registers again with this one.
   */
  public RegistrationStore registrations(String node) {
    return new NodeBoundRegistrations(registrations, node);
  }

  /**
   * Claims the node name {@code node} for this process ({@code run} says which one, for the message
   * another process with the same name gets), as long as this cluster is open: registrations and
   * saved DTLS sessions are bound to the name, so two live processes must never share one. A claim
   * left by a process that died lapses within {@link NodeClaim#TERM}, so this waits that long at
   * most.
   *
   * @throws IllegalStateException if another live process holds the name
   */
  public void claimNode(String node, String run) throws InterruptedException {
    claimNode(node, run, NodeClaim.TERM);
  }

  /** {@link #claimNode(String, String)} with a claim that lapses {@code term} after its process. */
  synchronized void claimNode(String node, String run, Duration term) throws InterruptedException {
    if (claim != null) {
      throw new IllegalStateException("this process claimed its node name already");
    }
    this.claim = NodeClaim.take(pool, PREFIX + "node:" + node, node, run, term);
  }

  /** What is wrong with Redis now, or null if it answers. */
  public String problem() {
    try (Jedis j = pool.getResource()) {
      j.ping();
      return null;
    } catch (JedisException e) {
      return where + ": " + reason(e);
    }
  }

  /** Asks every node for a provisioning pass of {@code endpoint}; false if Redis is unreachable. */
  public boolean askPass(String endpoint) {
    try (Jedis j = pool.getResource()) {
      j.publish(PASS_CHANNEL, endpoint);
      return true;
    } catch (JedisException e) {
      LOG.warn(
          "{}: cannot ask the other nodes for a pass ({}): {}", endpoint, where, e.getMessage());
      return false;
    }
  }

  /**
   * Calls {@code handler} with each endpoint a node asks a pass for, and starts listening: to those
   * asks and to the channels set with {@link #on}, from now until closed.
   */
  public synchronized void onPassAsked(Consumer<String> handler) {
    on(PASS_CHANNEL, handler);
    listening = new Thread(this::listen, "keyprov-redis-listener");
    listening.setDaemon(true);
    listening.start();
  }

  /**
   * Calls {@code handler} with each message on {@code channel}, once listening starts.
   *
   * @throws IllegalStateException if it has started
   */
  synchronized void on(String channel, Consumer<String> handler) {
    if (listening != null) {
      throw new IllegalStateException("channels are set before listening starts");
    }
    handlers.put(channel, Objects.requireNonNull(handler, "handler"));
  }

  /** This process's own channel, for answers to what it publishes. */
  String answerChannel() {
    return answerChannel;
  }

  /**
   * Publishes {@code message} on {@code channel}.
   *
   * @return how many processes listen to it
   * @throws IllegalStateException if Redis cannot be reached, saying why
   */
  long publish(String channel, String message) {
    try (Jedis j = pool.getResource()) {
      return j.publish(channel, message);
    } catch (JedisException e) {
      throw new IllegalStateException("cannot reach Redis at " + where + ": " + reason(e), e);
    }
  }

  /** Whether this node hears the other nodes' asks now (for tests and readiness). */
  public boolean listening() {
    return subscriber.isSubscribed();
  }

  private void listen() {
    while (!closed) {
      try (Jedis j = pool.getResource()) {
        j.subscribe(subscriber, handlers.keySet().toArray(String[]::new)); // until unsubscribed
      } catch (JedisException e) {
        if (closed) {
          return;
        }
        LOG.warn(
            "lost Redis at {} ({}); what other nodes ask of this one is missed until it is back",
            where,
            reason(e));
        try {
          Thread.sleep(RESUBSCRIBE.toMillis());
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }

  private final class Subscriber extends JedisPubSub {
    @Override
    public void onMessage(String channel, String message) {
      Consumer<String> handler = handlers.get(channel);
      try {
        if (handler != null) {
          handler.accept(message);
        }
      } catch (RuntimeException e) {
        LOG.warn("what another node asked on {} failed: {}", channel, e.toString());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    NodeClaim c = claim;
    if (c != null) {
      c.release();
    }
    if (subscriber.isSubscribed()) {
      try {
        subscriber.unsubscribe();
      } catch (JedisException e) {
        // the connection is gone already; the thread ends with it
      }
    }
    Thread t;
    synchronized (this) {
      t = listening;
    }
    if (t != null) {
      t.interrupt();
    }
    pool.close();
  }

  @Override
  public String toString() {
    return "RedisCluster[" + where + "]";
  }
}
