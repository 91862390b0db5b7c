package org.keyprov.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * This JVM's CPU per thread, from Linux's {@code /proc/self/task} (10 ms ticks): where a window's
 * CPU went, and how much of it the JVM spent on itself (the JIT compilers and the garbage
 * collector) rather than on the work measured.
 */
final class ThreadCpu {
  private ThreadCpu() {}

  /** CPU ticks (10 ms) per thread name since each thread started, digits folded to '#'. */
  static Map<String, Long> ticks() throws IOException {
    Map<String, Long> by = new TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(t.resolve("stat"));
        } catch (NoSuchFileException ended) {
          continue; // the thread ended while listed
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        by.merge(name.replaceAll("[0-9]+", "#"), ticks, Long::sum);
      }
    }
    return by;
  }

  /**
   * Nanoseconds of CPU the JIT compilers and G1's threads have used so far; 0 where {@code /proc}
   * cannot be read (not Linux).
   */
  static long jitAndGcNanos() {
    try {
      long ticks = 0;
      for (var e : ticks().entrySet()) {
        String n = e.getKey();
        if (n.startsWith("C# CompilerThre") || n.startsWith("GC Thread") || n.startsWith("G# ")) {
          ticks += e.getValue();
        }
      }
      return ticks * 10_000_000L;
    } catch (IOException | RuntimeException unreadable) {
      return 0;
    }
  }
}
