package org.keyprov.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.models.EnablerSecurityObject;

class RenewalNudgeTest {
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger updates = new AtomicInteger();
  private final RenewalNudge nudge =
      new RenewalNudge("ep1", Clock.systemUTC(), scheduler, updates::incrementAndGet);

  @AfterEach
  void stop() {
    nudge.close();
    scheduler.shutdownNow();
  }

  private static EnablerSecurityState key(String identity, Duration left, int source) {
    return EnablerSecurityState.builder()
        .nafFqdn("a.enabler.test")
        .enablerUri("coaps://127.0.0.1:5784")
        .pskIdentity(identity)
        .pskKey(new byte[16])
        .keyExpiry(Instant.now().plus(left))
        .source(source)
        .build();
  }

  @Test
  void asks_the_dm_server_again_when_a_key_nears_expiry_without_a_successor() {
    nudge.changed(
        key("v1@km.test", Duration.ofMillis(1200), EnablerSecurityObject.SOURCE_DM_SERVER));

    await().atMost(Duration.ofSeconds(2)).until(() -> updates.get() >= 1);
  }

  @Test
  void a_renewed_key_cancels_the_nudge_for_the_old_one() throws Exception {
    nudge.changed(
        key("v1@km.test", Duration.ofMillis(1200), EnablerSecurityObject.SOURCE_DM_SERVER));
    // the same key again (a connection result changed) must not move the nudge
    nudge.changed(
        key("v1@km.test", Duration.ofMillis(1200), EnablerSecurityObject.SOURCE_DM_SERVER));
    nudge.changed(
        key("v2@km.test", Duration.ofMinutes(10), EnablerSecurityObject.SOURCE_DM_SERVER));

    // past the old key's nudge and expiry: a probe task queued behind it shows it did not fire
    scheduler.schedule(() -> {}, 1500, java.util.concurrent.TimeUnit.MILLISECONDS).get();
    assertThat(updates.get()).isZero();
  }

  @Test
  void leaves_parameters_from_the_sim_alone() throws Exception {
    nudge.changed(key("sim@km.test", Duration.ofMillis(500), EnablerSecurityObject.SOURCE_SIM));

    scheduler.schedule(() -> {}, 800, java.util.concurrent.TimeUnit.MILLISECONDS).get();
    assertThat(updates.get()).isZero();
  }
}
