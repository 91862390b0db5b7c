package org.keyprov.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Predicate;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.registration.Registration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.keys.SecretBox;
import org.keyprov.keys.store.testing.RedisServer;
import org.keyprov.server.transport.DmEndpoints;

/**
 * What a node hears when the node serving a device cannot relay its request: not running, a
 * different master key, the device gone from it. The device's own answers through a relay are
 * checked end to end by the app's ClusterIT.
 */
class RequestRelayTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path dir;
  private RedisServer redis;
  private RedisCluster a;
  private RedisCluster b;
  private LeshanServer leshanA;
  private LeshanServer leshanB;

  @BeforeEach
  void start() throws Exception {
    redis = RedisServer.start(dir);
    a = RedisCluster.connect(redis.url(), null, TIMEOUT);
    b = RedisCluster.connect(redis.url(), null, TIMEOUT);
    leshanA = leshan(a.registrations("node-a"));
    leshanB = leshan(b.registrations("node-b"));
  }

  @AfterEach
  void stop() {
    leshanA.destroy();
    leshanB.destroy();
    a.close();
    b.close();
    redis.close();
  }

  private static LeshanServer leshan(
      org.eclipse.leshan.server.registration.RegistrationStore store) {
    LeshanServerBuilder builder = new LeshanServerBuilder();
    builder.setRegistrationStore(store);
    builder.setEndpointsProviders(
        DmEndpoints.californium(
            new InetSocketAddress("127.0.0.1", 0), null, 10, (id, r) -> {}, null));
    return builder.build(); // never started: these devices do not exist
  }

  private static SecretBox box(int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return new SecretBox(key, new SecureRandom());
  }

  private RequestRelay relay(
      RedisCluster cluster, String node, SecretBox box, LeshanServer leshan) {
    Predicate<Registration> here = r -> node.equals(RedisCluster.servingNode(r));
    RequestRelay relay = new RequestRelay(cluster, node, box, leshan, here, Clock.systemUTC());
    cluster.onPassAsked(endpoint -> {});
    await().until(cluster::listening);
    return relay;
  }

  private Registration registered(String endpoint, String node) {
    Registration r = RedisClusterTest.registration("reg-" + endpoint, endpoint, node);
    leshanA.getRegistrationStore().addRegistration(r);
    return r;
  }

  @Test
  void a_device_on_a_node_that_is_not_running_is_answered_at_once() throws Exception {
    RequestRelay relay = relay(a, "node-a", box(1), leshanA);
    Registration r = registered("ep1", "node-gone");

    long sent = System.nanoTime();
    assertThatThrownBy(() -> relay.send(r, new ReadRequest(3, 0, 0), TIMEOUT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "device ep1 is connected to node node-gone, which is not running: the device"
                + " registers with another node when it next reaches the balancer");
    assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(TIMEOUT);
  }

  @Test
  void the_serving_node_answers_when_the_device_is_no_longer_its_own() throws Exception {
    RequestRelay relay = relay(a, "node-a", box(1), leshanA);
    relay(b, "node-b", box(1), leshanB);
    Registration r = registered("ep1", "node-b");
    leshanA.getRegistrationStore().removeRegistration(r.getId()); // it deregistered meanwhile

    assertThatThrownBy(() -> relay.send(r, new ReadRequest(3, 0, 0), TIMEOUT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "device ep1 is no longer registered with node node-b; send again once it has registered");
  }

  @Test
  void a_node_with_another_master_key_does_not_act_on_the_request() throws Exception {
    RequestRelay relay = relay(a, "node-a", box(1), leshanA);
    relay(b, "node-b", box(2), leshanB);
    Registration r = registered("ep1", "node-b");

    // node B cannot open it, so it neither sends it nor answers that the device is unknown
    assertThatThrownBy(() -> relay.send(r, new ReadRequest(3, 0, 0), Duration.ofMillis(200)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("device ep1 did not answer in time through node node-b")
        .hasMessageContaining("master keys differ");
  }

  @Test
  void an_observation_is_refused_before_anything_is_published() {
    RequestRelay relay = relay(a, "node-a", box(1), leshanA);
    Registration r = registered("ep1", "node-gone");

    assertThatThrownBy(() -> relay.send(r, new ObserveRequest(3, 0, 0), TIMEOUT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("through another node go Read, Discover, Write, Execute and Delete");
  }
}
