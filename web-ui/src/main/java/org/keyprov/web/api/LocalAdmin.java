package org.keyprov.web.api;

import java.util.List;
import java.util.Objects;

/**
 * How {@code keyprov admin …} on this server's host reaches the running server: it reads {@code
 * secret} from a file only the data directory's owner can read and posts its command line to {@code
 * POST /api/v1/admin/cli}, where {@code runner} runs it against the server's open Key Manager. One
 * writer, no second JVM opening the database, well under a second per command.
 *
 * @param secret {@code kpl_…}, new at each server start, never stored in the database
 */
public record LocalAdmin(String secret, Runner runner) {
  public LocalAdmin {
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(runner, "runner");
  }

  /** Runs one admin command line in the server, for the OS user who typed it. */
  @FunctionalInterface
  public interface Runner {
    Ran run(List<String> args, String user);
  }

  /** What the command printed and its exit code. */
  public record Ran(int exitCode, String out, String err) {}

  @Override
  public String toString() {
    return "LocalAdmin[secret hidden]";
  }
}
