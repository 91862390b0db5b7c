package org.keyprov.app;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Third-party peers (openssl, libcoap) run as processes. Their output is read until a condition
 * holds or the process ends; stdin stays open until then, since s_client closes on EOF.
 */
final class Peers {
  private Peers() {}

  static String run(List<String> command, String stdin, Predicate<String> done, Duration limit)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader =
        new Thread(
            () -> {
              byte[] buf = new byte[4096];
              try (InputStream in = p.getInputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                  synchronized (out) {
                    out.write(buf, 0, n);
                    out.notifyAll();
                  }
                }
              } catch (IOException ended) {
                // process gone
              }
              synchronized (out) {
                out.notifyAll();
              }
            });
    reader.start();
    OutputStream in = p.getOutputStream();
    if (stdin != null) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
      in.flush();
    }
    long deadline = System.nanoTime() + limit.toNanos();
    synchronized (out) {
      while (!done.test(out.toString(StandardCharsets.UTF_8)) && p.isAlive()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          break;
        }
        out.wait(Math.min(left, 200));
      }
    }
    in.close();
    if (!p.waitFor(2, TimeUnit.SECONDS)) {
      p.destroyForcibly();
    }
    reader.join(2000);
    synchronized (out) {
      return out.toString(StandardCharsets.UTF_8);
    }
  }
}
