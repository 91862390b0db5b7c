package org.keyprov.server.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SerialSchedulerTest {
  private final ExecutorService workers = Executors.newFixedThreadPool(4);

  @AfterEach
  void stop() {
    workers.shutdownNow();
  }

  @Test
  void every_request_is_followed_by_a_run_that_starts_after_it() throws Exception {
    AtomicLong requested = new AtomicLong();
    AtomicLong served = new AtomicLong();
    SerialScheduler scheduler =
        new SerialScheduler(workers, key -> served.accumulateAndGet(requested.get(), Math::max));
    int rounds = 200_000;
    CountDownLatch go = new CountDownLatch(1);
    Runnable requester =
        () -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < rounds; i++) {
            requested.incrementAndGet();
            scheduler.request("ep1");
          }
        };
    Thread a = new Thread(requester);
    Thread b = new Thread(requester);
    a.start();
    b.start();
    go.countDown();
    a.join();
    b.join();

    // a request lost between a run's last check and its exit would leave this short forever
    await().atMost(Duration.ofSeconds(10)).until(() -> served.get() == 2L * rounds);
  }

  @Test
  void never_runs_twice_at_once_for_the_same_key() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicInteger runs = new AtomicInteger();
    SerialScheduler scheduler =
        new SerialScheduler(
            workers,
            key -> {
              most.accumulateAndGet(inside.incrementAndGet(), Math::max);
              Thread.onSpinWait();
              inside.decrementAndGet();
              runs.incrementAndGet();
            });

    for (int i = 0; i < 5_000; i++) {
      scheduler.request("ep1");
    }

    await().atMost(Duration.ofSeconds(10)).until(() -> inside.get() == 0 && runs.get() > 0);
    assertThat(most.get()).isEqualTo(1);
  }

  @Test
  void a_failing_run_does_not_stop_later_ones() {
    AtomicInteger runs = new AtomicInteger();
    SerialScheduler scheduler =
        new SerialScheduler(
            workers,
            key -> {
              runs.incrementAndGet();
              throw new IllegalStateException("boom");
            });

    scheduler.request("ep1");
    await().until(() -> runs.get() == 1);
    scheduler.request("ep1");

    await().until(() -> runs.get() == 2);
  }
}
