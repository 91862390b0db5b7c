package org.keyprov.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live heap (after a full GC, so a trend means a leak, not GC timing) and live threads of a child
 * JVM, read with {@code jcmd}; heap -1 if it cannot tell.
 */
record Probe(String process, long atSeconds, long heapKiB, int threads) {
  private static final Pattern USED = Pattern.compile("used (\\d+)K");

  static Probe of(String name, Child child, long atSeconds) {
    jcmd(child.pid(), "GC.run");
    String heap = jcmd(child.pid(), "GC.heap_info");
    Matcher m = USED.matcher(heap);
    // the first "used" is the whole heap (G1: "garbage-first heap total …K, used …K")
    long used = m.find() ? Long.parseLong(m.group(1)) : -1;
    String threads = jcmd(child.pid(), "Thread.print");
    int count = (int) threads.lines().filter(l -> l.startsWith("\"")).count();
    return new Probe(name, atSeconds, used, count);
  }

  private static String jcmd(long pid, String command) {
    try {
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  String.valueOf(pid),
                  command)
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}
