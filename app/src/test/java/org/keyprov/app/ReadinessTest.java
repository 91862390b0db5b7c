package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ReadinessTest {
  @Test
  void a_part_that_hangs_is_reported_without_holding_up_the_others_or_piling_up() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    try (Readiness readiness =
        new Readiness()
            .check(
                "database",
                () -> {
                  started.incrementAndGet();
                  release.await();
                  return null;
                })
            .check("redis", () -> "redis://127.0.0.1:6379: Connection refused")
            .check("dm", () -> null)
            .check(
                "https",
                () -> {
                  throw new IllegalStateException("not started");
                })) {
      assertThat(readiness.states())
          .containsExactly(
              java.util.Map.entry("database", "no answer in 2 s"),
              java.util.Map.entry("redis", "redis://127.0.0.1:6379: Connection refused"),
              java.util.Map.entry("dm", "ok"),
              java.util.Map.entry("https", "not started"));
      assertThat(readiness.states()).containsEntry("database", "no answer in 2 s");
      assertThat(started).as("the hanging check is waited on, not started again").hasValue(1);
      release.countDown();
      org.awaitility.Awaitility.await()
          .until(() -> readiness.states().get("database").equals("ok"));
    }
  }
}
