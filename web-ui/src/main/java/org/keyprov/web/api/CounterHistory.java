package org.keyprov.web.api;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The dashboard's charts: this node's own counters (registrations, provisioning outcomes, Enabler
 * lookups) sampled every {@value #INTERVAL_S} s, the last hour kept as what each interval added.
 * The interval under way is the last point, read at the moment it is asked for, so a chart moves as
 * soon as a counter does.
 */
final class CounterHistory implements AutoCloseable {
  static final int INTERVAL_S = 10;
  static final int POINTS = 360;

  /** One chart: what it counts, and per interval, oldest first, what was added. */
  record Series(String name, String label, List<Long> points) {}

  /** The charts, their interval, and when the last (running) interval began. */
  record Charts(int intervalSeconds, Instant lastIntervalFrom, List<Series> series) {}

  private record Source(String name, String label, ToDoubleFunction<MeterRegistry> total) {}

  private static final List<Source> SOURCES =
      List.of(
          new Source(
              "registrations",
              "Registrations",
              r -> counted(r, "keyprov.dm.registrations", "event", "registered")),
          new Source(
              "provisioned",
              "Provisioned",
              r -> counted(r, "keyprov.provisioning", "outcome", "provisioned")),
          new Source(
              "provisioning-failed",
              "Provisioning failed",
              r -> counted(r, "keyprov.provisioning", "outcome", "failed")),
          new Source(
              "lookups-granted", "Enabler lookups granted", r -> timed(r, "result", "granted")),
          new Source(
              "lookups-refused",
              "Enabler lookups refused",
              r -> timed(r, null, null) - timed(r, "result", "granted")));

  private final MeterRegistry registry;
  private final Clock clock;
  private final long[][] ring = new long[SOURCES.size()][POINTS];
  private final double[] last = new double[SOURCES.size()];
  private int next;
  private int filled;
  private Instant intervalFrom;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "keyprov-charts");
            t.setDaemon(true);
            return t;
          });

  /** Over {@code registry}; null: no counters, the charts stay empty. */
  CounterHistory(MeterRegistry registry, Clock clock) {
    this.registry = registry;
    this.clock = clock;
    this.intervalFrom = clock.instant();
    if (registry != null) {
      for (int i = 0; i < SOURCES.size(); i++) {
        last[i] = SOURCES.get(i).total().applyAsDouble(registry);
      }
    }
  }

  void start() {
    timer.scheduleAtFixedRate(this::sample, INTERVAL_S, INTERVAL_S, TimeUnit.SECONDS);
  }

  /** Closes the interval under way. */
  synchronized void sample() {
    if (registry == null) {
      return;
    }
    for (int i = 0; i < SOURCES.size(); i++) {
      double now = SOURCES.get(i).total().applyAsDouble(registry);
      ring[i][next] = Math.max(0, Math.round(now - last[i]));
      last[i] = now;
    }
    next = (next + 1) % POINTS;
    filled = Math.min(filled + 1, POINTS);
    intervalFrom = clock.instant();
  }

  synchronized Charts charts() {
    List<Series> out = new ArrayList<>();
    if (registry != null) {
      for (int i = 0; i < SOURCES.size(); i++) {
        List<Long> points = new ArrayList<>(filled + 1);
        for (int k = filled; k > 0; k--) {
          points.add(ring[i][Math.floorMod(next - k, POINTS)]);
        }
        Source s = SOURCES.get(i);
        points.add(Math.max(0, Math.round(s.total().applyAsDouble(registry) - last[i])));
        out.add(new Series(s.name(), s.label(), points));
      }
    }
    return new Charts(INTERVAL_S, intervalFrom, out);
  }

  private static double counted(MeterRegistry r, String name, String tag, String value) {
    return r.find(name).tag(tag, value).counters().stream().mapToDouble(Counter::count).sum();
  }

  private static double timed(MeterRegistry r, String tag, String value) {
    var search = r.find("keyprov.lookups");
    if (tag != null) {
      search = search.tag(tag, value);
    }
    return search.timers().stream().mapToDouble(Timer::count).sum();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
