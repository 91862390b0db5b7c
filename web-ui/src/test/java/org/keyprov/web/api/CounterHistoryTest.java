package org.keyprov.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CounterHistoryTest {
  private final MeterRegistry registry = new SimpleMeterRegistry();

  private Counter registered() {
    return Counter.builder("keyprov.dm.registrations")
        .tag("event", "registered")
        .register(registry);
  }

  private Timer lookups(String result) {
    return Timer.builder("keyprov.lookups").tag("result", result).register(registry);
  }

  private List<Long> points(CounterHistory h, String name) {
    return h.charts().series().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow()
        .points();
  }

  @Test
  void each_interval_holds_what_it_added_and_the_running_one_is_read_live() {
    registered().increment(3); // before the history: not charted
    CounterHistory h = new CounterHistory(registry, Clock.systemUTC());
    assertThat(points(h, "registrations")).containsExactly(0L);

    registered().increment(2);
    assertThat(points(h, "registrations")).containsExactly(2L);
    h.sample();
    registered().increment();
    h.sample();
    h.sample();
    assertThat(points(h, "registrations")).containsExactly(2L, 1L, 0L, 0L);

    lookups("granted").record(Duration.ofMillis(1));
    lookups("UNKNOWN_IDENTITY").record(Duration.ofMillis(1));
    lookups("EXPIRED").record(Duration.ofMillis(1));
    assertThat(points(h, "lookups-granted")).endsWith(1L);
    assertThat(points(h, "lookups-refused")).endsWith(2L);
  }

  @Test
  void an_hour_is_kept() {
    CounterHistory h = new CounterHistory(registry, Clock.systemUTC());
    for (int i = 0; i < CounterHistory.POINTS + 5; i++) {
      registered().increment(i);
      h.sample();
    }
    List<Long> points = points(h, "registrations");
    assertThat(points).hasSize(CounterHistory.POINTS + 1);
    assertThat(points.get(CounterHistory.POINTS - 1)).isEqualTo(CounterHistory.POINTS + 4L);
    assertThat(points.get(0)).isEqualTo(5L);
  }

  @Test
  void without_counters_there_are_no_charts() {
    assertThat(new CounterHistory(null, Clock.systemUTC()).charts().series()).isEmpty();
  }
}
