package org.keyprov.keys.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.keys.InvalidationFeed;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.store.testing.TestDatabase;
import org.keyprov.keys.store.testing.TestKeyManagers;

/**
 * Two Key Managers on one database, as two keyprov nodes run: what one JVM's locks used to hide
 * must hold in the database itself.
 */
@ParameterizedClass
@EnumSource(TestDatabase.class)
class ConcurrentNodesTest {
  private static final int CALLERS = 8;
  private static final byte[] PSK = "0123456789abcdef".getBytes();

  @Parameter TestDatabase database;
  @TempDir Path dir;
  private DataSource ds;
  private KeyManager nodeA;
  private KeyManager nodeB;
  private final ExecutorService pool = Executors.newFixedThreadPool(CALLERS);

  @BeforeEach
  void twoNodesOnOneDatabase() {
    ds = database.create(dir);
    nodeA = TestKeyManagers.started(ds);
    nodeB = TestKeyManagers.started(ds);
    nodeA.admin().putEnabler(TestKeyManagers.enabler("a.enabler.test", 5684), "test");
    nodeA.admin().addDevice("ep1", "ep1-dm", PSK, "test");
    nodeA.admin().assign("ep1", "a.enabler.test", "test");
  }

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void minting_for_one_device_and_enabler_on_both_nodes_at_once_stores_one_key() throws Exception {
    List<EnablerParameters> minted =
        all(i -> (i % 2 == 0 ? nodeA : nodeB).admin().currentParameters("ep1", "a.enabler.test"));

    assertThat(minted).extracting(p -> p.btid().value()).containsOnly(minted.get(0).btid().value());
    assertThat(minted).extracting(EnablerParameters::keyVersion).containsOnly(1);
    assertThat(count("SELECT COUNT(*) FROM key_record")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action = 'key.minted'")).isEqualTo(1);
  }

  @Test
  void adding_one_device_on_both_nodes_at_once_stores_it_once_and_says_so_to_the_others()
      throws Exception {
    List<Object> outcomes =
        all(
            i -> {
              try {
                return (i % 2 == 0 ? nodeA : nodeB)
                    .admin()
                    .addDevice("twin", "twin-dm-" + i, PSK, "test");
              } catch (KeyManagerException e) {
                return e;
              }
            });

    assertThat(outcomes).filteredOn(o -> !(o instanceof KeyManagerException)).hasSize(1);
    assertThat(outcomes)
        .filteredOn(o -> o instanceof KeyManagerException)
        .hasSize(CALLERS - 1)
        .allSatisfy(
            e -> {
              KeyManagerException k = (KeyManagerException) e;
              assertThat(k.kind()).isEqualTo(KeyManagerException.Kind.CONFLICT);
              assertThat(k.getMessage()).contains("twin");
            });
    assertThat(count("SELECT COUNT(*) FROM device WHERE endpoint = 'twin'")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action = 'device.added'"))
        .as("one audit row per device stored, none for the refused")
        .isEqualTo(2);
  }

  @Test
  void one_node_at_a_time_holds_a_devices_provisioning_lease() throws Exception {
    java.time.Instant now = java.time.Instant.parse("2026-12-04T10:00:00Z");
    Duration term = Duration.ofMinutes(1);

    List<Boolean> taken =
        all(i -> (i % 2 == 0 ? nodeA : nodeB).leases().take("ep1", "node-" + i, now, term));

    assertThat(taken).filteredOn(t -> t).hasSize(1);
    String holder = "node-" + taken.indexOf(true);
    assertThat(nodeB.leases().take("ep1", holder, now.plusSeconds(30), term))
        .as("the holder renews it")
        .isTrue();
    assertThat(nodeB.leases().take("ep1", "other", now.plusSeconds(31), term)).isFalse();
    nodeA.leases().release("ep1", "other");
    assertThat(nodeB.leases().take("ep1", "other", now.plusSeconds(32), term))
        .as("only its holder releases it")
        .isFalse();
    assertThat(nodeB.leases().take("ep1", "other", now.plusSeconds(90), term))
        .as("a dead node's lease ends at its term")
        .isTrue();
    nodeA.leases().release("ep1", "other");
    assertThat(nodeA.leases().take("ep1", holder, now.plusSeconds(91), term)).isTrue();

    nodeB.leases().takeOver("ep1", "other", now.plusSeconds(92), term);
    assertThat(nodeA.leases().take("ep1", holder, now.plusSeconds(93), term))
        .as("a lease taken over from its holder, which finds it gone when it renews it")
        .isFalse();
    assertThat(nodeB.leases().take("ep1", "other", now.plusSeconds(93), term)).isTrue();
  }

  @Test
  void a_revocation_committed_while_another_nodes_invalidation_is_open_still_reaches_the_feed()
      throws Exception {
    BTid btid = nodeA.admin().currentParameters("ep1", "a.enabler.test").btid();
    InvalidationFeed feed = nodeB.invalidations();
    long cursor = feed.next(InvalidationFeed.NOW, null, Duration.ZERO).cursor();
    List<InvalidationFeed.Invalidation> seen = new ArrayList<>();
    Future<?> revoke;
    try (Connection open = ds.getConnection()) {
      // node A is in the middle of deleting a device: its announcement is written, not committed
      open.setAutoCommit(false);
      JdbcInvalidations.record(
          open, "", "gone", "", InvalidationFeed.DEVICE_DELETED, java.time.Clock.systemUTC());
      revoke = pool.submit(() -> nodeB.admin().revoke(btid, "test"));
      await().atMost(Duration.ofSeconds(10)).until(() -> revoke.isDone() || waitsForALock());
      // an Enabler follows the feed meanwhile, as it does every 200 ms
      InvalidationFeed.Batch during = feed.next(cursor, null, Duration.ZERO);
      seen.addAll(during.invalidations());
      cursor = during.cursor();
      open.commit();
    }
    revoke.get(30, TimeUnit.SECONDS);
    seen.addAll(feed.next(cursor, null, Duration.ofSeconds(5)).invalidations());

    assertThat(seen)
        .extracting(InvalidationFeed.Invalidation::endpoint, InvalidationFeed.Invalidation::reason)
        .containsExactly(
            tuple("gone", InvalidationFeed.DEVICE_DELETED), tuple("ep1", InvalidationFeed.REVOKED));
  }

  /** Whether a session of the test's database waits for a row another one holds. */
  private boolean waitsForALock() throws Exception {
    return count(
            database == TestDatabase.H2
                ? "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL"
                : "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND datname = current_database()")
        > 0;
  }

  /** Runs {@code CALLERS} calls released at the same moment and returns their results. */
  private <T> List<T> all(Call<T> call) throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    List<Future<T>> futures = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      int caller = i;
      Callable<T> task =
          () -> {
            gate.await();
            return call.run(caller);
          };
      futures.add(pool.submit(task));
    }
    gate.countDown();
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(f.get(30, TimeUnit.SECONDS));
    }
    return results;
  }

  private long count(String sql) throws Exception {
    try (var c = ds.getConnection();
        var rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @FunctionalInterface
  private interface Call<T> {
    T run(int caller) throws Exception;
  }
}
