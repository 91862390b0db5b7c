package org.keyprov.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.keyprov.app.Main;

/**
 * A {@code keyprov} command in a JVM of its own (the same class path), its output appended to a log
 * file; started once its ready line appears.
 */
final class Child implements AutoCloseable {
  /** The logback configuration the children use (INFO for keyprov, into their log files). */
  static volatile Path logConfig;

  private final Path log;
  private final String ready;
  private Process process;

  private Child(Path log, String ready) {
    this.log = log;
    this.ready = ready;
  }

  static Child start(Path log, String ready, String... args)
      throws IOException, InterruptedException {
    Child child = new Child(log, ready);
    child.launch(args);
    return child;
  }

  long pid() {
    return process.pid();
  }

  /**
   * Stops the process ({@code kill -9} if {@code kill}, else a normal stop) and starts it again.
   */
  void restart(boolean kill, String... args) throws IOException, InterruptedException {
    if (kill) {
      process.destroyForcibly();
    } else {
      process.destroy();
    }
    process.waitFor(30, TimeUnit.SECONDS);
    launch(args);
  }

  /** {@code kill -9}: the process gets no chance to close anything. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  private void launch(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx1g");
    if (logConfig != null) {
      cmd.add("-Dlogback.configurationFile=" + logConfig.toAbsolutePath());
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    CountDownLatch started = new CountDownLatch(1);
    Process p = process;
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader in =
                      new BufferedReader(
                          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                  PrintWriter file =
                      new PrintWriter(
                          Files.newBufferedWriter(
                              log, StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
                String line;
                while ((line = in.readLine()) != null) {
                  file.println(line);
                  file.flush();
                  if (line.startsWith(ready)) {
                    started.countDown();
                  }
                }
              } catch (IOException ended) {
                // the process is gone
              }
            },
            "soak-log-" + log.getFileName());
    pump.setDaemon(true);
    pump.start();
    if (!started.await(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "keyprov " + args[0] + " did not start within 60 s; see " + log.toAbsolutePath());
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
