package org.keyprov.app;

import java.io.PrintWriter;
import org.keyprov.keys.KeyManagerException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/** The {@code keyprov} command. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // H2's auto-server (admin commands beside a running server on the H2 file) serves this
    // machine only: set before any H2 class reads it
    if (System.getProperty("h2.bindAddress") == null) {
      System.setProperty("h2.bindAddress", "127.0.0.1");
    }
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    java.util.Optional<Integer> quick = quickForward(args, System.getenv(), out, err);
    if (quick.isPresent()) {
      System.exit(quick.get());
    }
    String logging = LogSettings.apply(args, System.getenv());
    if (logging != null) {
      err.println("keyprov: " + logging);
      System.exit(2);
    }
    int code = run(out, err, args);
    ServerCommand.closed();
    System.exit(code);
  }

  /**
   * Runs one command line and returns its exit code; never prints a stack trace to the user. Public
   * for tools that drive keyprov in-process (the soak benchmark).
   */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new KeyprovCommand());
    cli.registerConverter(java.time.Duration.class, Durations::parse);
    cli.setOut(out);
    cli.setErr(err);
    try {
      cli.setDefaultValueProvider(OptionDefaults.of(cli, args, System.getenv()));
    } catch (UsageException | java.io.IOException e) {
      err.println("keyprov: " + e.getMessage());
      return 2;
    }
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("keyprov: " + message(e));
          LoggerFactory.getLogger(Main.class).debug("command failed", e);
          return isUsage(e) ? 2 : 1;
        });
    CommandLine.IExecutionStrategy direct = new CommandLine.RunLast();
    cli.setExecutionStrategy(
        parsed -> forwarded(parsed, args, out, err).orElseGet(() -> direct.execute(parsed)));
    return cli.execute(args);
  }

  /**
   * {@code keyprov admin …} while a server holds the data directory, sent to it before the command
   * model, logging and settings are built (what most of a short JVM's life goes to); empty when the
   * data directory is not plain from the command line and environment ({@code --config}), for help,
   * for {@code import}, or when no server holds it: {@link #run} then decides.
   */
  private static java.util.Optional<Integer> quickForward(
      String[] args, java.util.Map<String, String> env, PrintWriter out, PrintWriter err) {
    java.util.List<String> all = java.util.Arrays.asList(args);
    if (args.length < 2
        || !args[0].equals("admin")
        || args[1].startsWith("-")
        || args[1].equals("import")
        || env.containsKey(OptionDefaults.CONFIG_ENV)
        || all.stream()
            .anyMatch(
                a ->
                    a.equals("-h")
                        || a.equals("--help")
                        || a.equals("-V")
                        || a.equals("--version")
                        || a.equals("--config")
                        || a.startsWith("--config="))) {
      return java.util.Optional.empty();
    }
    String dataDir = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--data-dir") && i + 1 < args.length) {
        dataDir = args[i + 1];
      } else if (args[i].startsWith("--data-dir=")) {
        dataDir = args[i].substring("--data-dir=".length());
      }
    }
    if (dataDir == null) {
      dataDir = env.getOrDefault(OptionDefaults.DATA_DIR_ENV, "keyprov-data");
    }
    try {
      return LocalAdminFile.forward(
          java.nio.file.Path.of(dataDir), all.subList(1, args.length), out, err);
    } catch (CannotStartException | java.nio.file.InvalidPathException e) {
      return java.util.Optional.empty(); // run decides, and says what is wrong
    }
  }

  /**
   * An admin command line, run by the server holding its data directory when one does ({@link
   * LocalAdminFile}); empty to run it here.
   */
  private static java.util.Optional<Integer> forwarded(
      CommandLine.ParseResult parsed, String[] args, PrintWriter out, PrintWriter err) {
    if (StorageOptions.IN_SERVER.get() != null
        || !parsed.hasSubcommand()
        || !parsed.subcommand().commandSpec().name().equals("admin")) {
      return java.util.Optional.empty();
    }
    CommandLine.ParseResult leaf = parsed;
    while (leaf.hasSubcommand()) {
      leaf = leaf.subcommand();
    }
    CommandLine.Model.CommandSpec storage = leaf.commandSpec().mixins().get("storage");
    if (leaf.isUsageHelpRequested()
        || leaf.isVersionHelpRequested()
        // its FILE is this process's to read, not the server's (another cwd, maybe another user)
        || leaf.commandSpec().userObject() instanceof AdminLists.ImportDevices
        || storage == null
        || !(storage.userObject() instanceof StorageOptions options)) {
      return java.util.Optional.empty();
    }
    int admin = java.util.Arrays.asList(args).indexOf("admin");
    java.util.List<String> rest = java.util.Arrays.asList(args).subList(admin + 1, args.length);
    try {
      return LocalAdminFile.forward(options.dataDir, rest, out, err);
    } catch (CannotStartException e) {
      err.println("keyprov: " + e.getMessage());
      return java.util.Optional.of(1);
    }
  }

  private static boolean isUsage(Throwable e) {
    return e instanceof UsageException
        || e instanceof IllegalArgumentException
        || (e instanceof KeyManagerException k && k.kind() != KeyManagerException.Kind.STORAGE);
  }

  private static String message(Throwable e) {
    if (e instanceof UsageException
        || e instanceof CannotStartException
        || e instanceof KeyManagerException
        || e instanceof IllegalArgumentException) {
      return e.getMessage();
    }
    String m = e.getMessage();
    return "unexpected " + e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
