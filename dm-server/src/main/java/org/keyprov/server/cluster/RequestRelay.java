package org.keyprov.server.cluster;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.eclipse.leshan.core.model.LwM2mModel;
import org.eclipse.leshan.core.request.DownlinkRequest;
import org.eclipse.leshan.core.response.LwM2mResponse;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.registration.Registration;
import org.keyprov.keys.SecretBox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests to a device that another node serves: only the node holding a device's DTLS session can
 * reach it (the balancer keeps the device's flow there), so a node that did not receive the
 * registration publishes the request on the serving node's channel in Redis and waits for the
 * answer on a channel of its own. Both directions are sealed (AES-256-GCM under a key every node
 * derives from the master key), bound to the request's id, the serving node and the asking process:
 * a Write of a key never crosses Redis in clear, and whoever else can publish to Redis cannot make
 * a node send a device anything. An ask is answered at most once and not after its deadline.
 */
public final class RequestRelay {
  private static final Logger LOG = LoggerFactory.getLogger(RequestRelay.class);

  /** Beyond the device's timeout, for the answer to cross Redis. */
  private static final Duration CROSSING = Duration.ofSeconds(2);

  private final RedisCluster redis;
  private final String node;
  private final SecretBox box;
  private final LeshanServer leshan;
  private final Predicate<Registration> here;
  private final Clock clock;
  private final RelayCodec codec = new RelayCodec();
  private final Map<String, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();

  /** Ids of asks served, until their deadline: a replayed ask is not sent twice. */
  private final Map<String, Long> served = new ConcurrentHashMap<>();

  /**
   * The relay of the node {@code node} of {@code redis}, whose devices {@code leshan} reaches;
   * {@code here} tells a registration this node serves. Listens from when {@code redis} starts
   * listening.
   */
  public RequestRelay(
      RedisCluster redis,
      String node,
      SecretBox box,
      LeshanServer leshan,
      Predicate<Registration> here,
      Clock clock) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.node = Objects.requireNonNull(node, "node");
    this.box = Objects.requireNonNull(box, "box");
    this.leshan = Objects.requireNonNull(leshan, "leshan");
    this.here = Objects.requireNonNull(here, "here");
    this.clock = Objects.requireNonNull(clock, "clock");
    redis.on(askChannel(node), this::asked);
    redis.on(redis.answerChannel(), this::answered);
  }

  private static String askChannel(String node) {
    return RedisCluster.PREFIX + "ask:" + node;
  }

  /**
   * Sends {@code request} to the device of {@code registration} through the node that serves it,
   * and waits up to {@code timeout} for the device's answer.
   *
   * @throws IllegalArgumentException if {@code request} is of a kind that cannot go through another
   *     node (Observe, Create, …), naming those that can
   * @throws IllegalStateException if the serving node is not running, Redis cannot be reached, or
   *     no answer came in time, saying which
   */
  @SuppressWarnings("unchecked")
  public <T extends LwM2mResponse> T send(
      Registration registration, DownlinkRequest<T> request, Duration timeout)
      throws InterruptedException {
    try {
      RelayCodec.checkRelayable(request);
    } catch (UnsupportedOperationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    String endpoint = registration.getEndpoint();
    String serving = RedisCluster.servingNode(registration);
    LwM2mModel model = leshan.getModelProvider().getObjectModel(registration);
    String id = UUID.randomUUID().toString();
    long deadline = clock.millis() + timeout.toMillis();
    byte[] ask =
        codec.ask(new RelayCodec.Ask(deadline, endpoint, registration.getId(), request), model);
    String message;
    try {
      message =
          id
              + " "
              + redis.answerChannel()
              + " "
              + base64(box.seal(ask, askContext(id, redis.answerChannel(), serving)));
    } finally {
      Arrays.fill(ask, (byte) 0); // a Write may carry a key
    }
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      if (redis.publish(askChannel(serving), message) == 0) {
        throw new IllegalStateException(
            "device "
                + endpoint
                + " is connected to node "
                + serving
                + ", which is not running: the device registers with another node when it next"
                + " reaches the balancer");
      }
      byte[] answered = answer.get(timeout.plus(CROSSING).toMillis(), TimeUnit.MILLISECONDS);
      try {
        return (T) codec.response(request, answered, model);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            "node " + serving + " answered for device " + endpoint + ": " + e.getMessage(), e);
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "device "
              + endpoint
              + " did not answer in time through node "
              + serving
              + " (if that node logs requests that do not open, the nodes' master keys differ)");
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().getMessage(), e.getCause());
    } finally {
      pending.remove(id);
    }
  }

  /** An ask from another node for a device this one serves. */
  private void asked(String message) {
    String[] parts = message.split(" ", 3);
    if (parts.length != 3) {
      LOG.warn("a relayed request that is not one ({} characters) was ignored", message.length());
      return;
    }
    String id = parts[0];
    String answers = parts[1];
    byte[] ask;
    try {
      ask = box.open(Base64.getDecoder().decode(parts[2]), askContext(id, answers, node));
    } catch (SecretBox.NotOpened | IllegalArgumentException e) {
      LOG.warn(
          "a request relayed through Redis does not open and was ignored: every node needs the"
              + " same master key, and only keyprov nodes may publish to Redis");
      return;
    }
    RelayCodec.Ask decoded;
    try {
      decoded = codec.ask(ask, this::modelOf);
    } catch (RuntimeException e) {
      answer(
          id,
          answers,
          codec.failure("node " + node + " cannot read the request: " + e.getMessage()));
      return;
    } finally {
      Arrays.fill(ask, (byte) 0);
    }
    long left = decoded.deadlineMillis() - clock.millis();
    forgetServed();
    if (left <= 0 || served.putIfAbsent(id, decoded.deadlineMillis()) != null) {
      return; // its asker gave up, or it was served once
    }
    send(decoded, left, id, answers);
  }

  private LwM2mModel modelOf(String registrationId) {
    Registration r = leshan.getRegistrationService().getById(registrationId);
    if (r == null) {
      throw new IllegalStateException("the device is no longer registered");
    }
    return leshan.getModelProvider().getObjectModel(r);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void send(RelayCodec.Ask ask, long timeoutMillis, String id, String answers) {
    Registration r = leshan.getRegistrationService().getById(ask.registrationId());
    if (r == null || !here.test(r)) {
      answer(
          id,
          answers,
          codec.failure(
              "device "
                  + ask.endpoint()
                  + " is no longer registered with node "
                  + node
                  + "; send again once it has registered"));
      return;
    }
    LwM2mModel model = leshan.getModelProvider().getObjectModel(r);
    DownlinkRequest request = ask.request();
    try {
      leshan.send(
          r,
          request,
          timeoutMillis,
          response -> answer(id, answers, codec.response(request, (LwM2mResponse) response, model)),
          error ->
              answer(
                  id,
                  answers,
                  codec.failure(
                      "device "
                          + ask.endpoint()
                          + " did not answer through node "
                          + node
                          + ": "
                          + describe(error))));
    } catch (RuntimeException e) {
      answer(
          id, answers, codec.failure("node " + node + " cannot send the request: " + describe(e)));
    }
  }

  private static String describe(Exception e) {
    String name = e.getClass().getSimpleName();
    return e.getMessage() == null ? name : name + " (" + e.getMessage() + ")";
  }

  private void forgetServed() {
    long now = clock.millis();
    served.values().removeIf(deadline -> deadline < now);
  }

  private void answer(String id, String answers, byte[] answer) {
    String message = id + " " + base64(box.seal(answer, answerContext(id, answers)));
    try {
      redis.publish(answers, message);
    } catch (IllegalStateException e) {
      LOG.warn("cannot answer a relayed request: {}", e.getMessage());
    }
  }

  /** The answer to an ask of this process. */
  private void answered(String message) {
    String[] parts = message.split(" ", 2);
    CompletableFuture<byte[]> waiting = parts.length == 2 ? pending.get(parts[0]) : null;
    if (waiting == null) {
      return; // too late, or not an answer to anything asked
    }
    try {
      waiting.complete(
          box.open(
              Base64.getDecoder().decode(parts[1]),
              answerContext(parts[0], redis.answerChannel())));
    } catch (SecretBox.NotOpened | IllegalArgumentException e) {
      LOG.warn("an answer relayed through Redis does not open and was ignored");
    }
  }

  private static String askContext(String id, String answers, String node) {
    return "keyprov relayed request " + id + " from " + answers + " to " + node;
  }

  private static String answerContext(String id, String answers) {
    return "keyprov relayed answer " + id + " to " + answers;
  }

  private static String base64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  @Override
  public String toString() {
    return "RequestRelay[" + node + ", " + pending.size() + " waiting]";
  }
}
