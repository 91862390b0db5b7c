package org.keyprov.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.leshan.core.link.Link;
import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.request.BindingMode;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.registration.RegistrationStore;
import org.eclipse.leshan.server.registration.RegistrationUpdate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.keys.store.testing.RedisServer;

/** What the nodes share in a real Redis: registrations, owned by a node, and asks for passes. */
class RedisClusterTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path dir;

  @Test
  void every_node_sees_a_registration_but_only_its_node_takes_its_updates() throws Exception {
    try (RedisServer server = RedisServer.start(dir);
        RedisCluster cluster = RedisCluster.connect(server.url(), null, TIMEOUT)) {
      RegistrationStore a = cluster.registrations("node-a");
      RegistrationStore b = cluster.registrations("node-b");
      a.addRegistration(registration("reg-1", "ep1", "node-a"));

      assertThat(b.getRegistrationByEndpoint("ep1").getApplicationData())
          .containsEntry(RedisCluster.NODE_DATA, "node-a");
      // Leshan answers a null update 4.04: the device registers again, with node B
      assertThat(b.updateRegistration(update("reg-1", "node-b"))).isNull();
      assertThat(a.updateRegistration(update("reg-1", "node-a"))).isNotNull();
      assertThat(b.updateRegistration(update("no-such-registration", "node-b"))).isNull();
    }
  }

  @Test
  void a_node_name_is_held_by_one_live_process_and_freed_when_it_closes_or_dies() throws Exception {
    Duration term = Duration.ofSeconds(1);
    try (RedisServer server = RedisServer.start(dir);
        RedisCluster second = RedisCluster.connect(server.url(), null, TIMEOUT)) {
      try (RedisCluster first = RedisCluster.connect(server.url(), null, TIMEOUT)) {
        first.claimNode("node-a", "run 1", term);
        // renewed while it lives: waiting out one term does not free it
        assertThatThrownBy(() -> second.claimNode("node-a", "run 2", term))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("another keyprov server runs as node 'node-a' (run 1)");
        second.claimNode("node-b", "run 2", term);
      }
      // closed: free at once
      long closed = System.nanoTime();
      try (RedisCluster again = RedisCluster.connect(server.url(), null, TIMEOUT)) {
        again.claimNode("node-a", "run 3", term);
        assertThat(Duration.ofNanos(System.nanoTime() - closed)).isLessThan(term);
      }
      // left by a process that died (no release, no renewal): free once its term is over
      try (redis.clients.jedis.Jedis j =
          new redis.clients.jedis.Jedis(server.url().getHost(), server.url().getPort())) {
        j.set(
            "keyprov:node:node-c",
            "run 4",
            redis.clients.jedis.params.SetParams.setParams().px(term.toMillis()));
      }
      try (RedisCluster later = RedisCluster.connect(server.url(), null, TIMEOUT)) {
        later.claimNode("node-c", "run 5", term);
      }
    }
  }

  @Test
  void a_pass_asked_for_on_one_node_is_heard_by_every_node() throws Exception {
    try (RedisServer server = RedisServer.start(dir);
        RedisCluster a = RedisCluster.connect(server.url(), null, TIMEOUT);
        RedisCluster b = RedisCluster.connect(server.url(), null, TIMEOUT)) {
      List<String> heardByA = new CopyOnWriteArrayList<>();
      List<String> heardByB = new CopyOnWriteArrayList<>();
      a.onPassAsked(heardByA::add);
      b.onPassAsked(heardByB::add);
      await().until(() -> a.listening() && b.listening());

      assertThat(a.askPass("ep1")).isTrue();
      await().until(() -> heardByA.contains("ep1") && heardByB.contains("ep1"));
    }
  }

  @Test
  void a_redis_that_does_not_answer_or_a_url_that_is_not_redis_says_what_is_wrong() {
    assertThatThrownBy(() -> RedisCluster.connect(URI.create("redis://127.0.0.1:1"), null, TIMEOUT))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("Redis at redis://127.0.0.1:1 does not answer: Connection refused");
    assertThatThrownBy(() -> RedisCluster.connect(URI.create("http://h:1"), null, TIMEOUT))
        .hasMessageContaining("give redis://HOST[:PORT][/DATABASE]");
    assertThatThrownBy(() -> RedisCluster.connect(URI.create("redis://h/x"), null, TIMEOUT))
        .hasMessageContaining("the database number");
    assertThatThrownBy(() -> RedisCluster.connect(URI.create("redis://:pw@h"), null, TIMEOUT))
        .hasMessageContaining("holds a user or password")
        .hasMessageNotContaining("pw@");
  }

  static Registration registration(String id, String endpoint, String node) {
    return new Registration.Builder(
            id,
            endpoint,
            new IpPeer(new InetSocketAddress("127.0.0.1", 40000)),
            URI.create("coaps://127.0.0.1:5684"))
        .objectLinks(new Link[0])
        .lifeTimeInSec(60L)
        .bindingMode(EnumSet.of(BindingMode.U))
        .applicationData(Map.of(RedisCluster.NODE_DATA, node))
        .build();
  }

  private static RegistrationUpdate update(String id, String node) {
    return new RegistrationUpdate(
        id,
        new IpPeer(new InetSocketAddress("127.0.0.1", 40001)),
        60L,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        Map.of(RedisCluster.NODE_DATA, node));
  }
}
