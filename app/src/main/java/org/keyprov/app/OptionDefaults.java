package org.keyprov.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every option of every command from the environment or the settings file when the command line
 * does not give it: for {@code keyprov server --coaps-port}, {@code KEYPROV_SERVER_COAPS_PORT},
 * then {@code KEYPROV_COAPS_PORT}, then {@code server.coaps.port} and {@code coaps.port} in the
 * settings file ({@code --config FILE} or {@value #CONFIG_ENV}, else the data directory's {@value
 * SettingsFile#NAME}); a flag wins over both. The data directory is the command line's {@code
 * --data-dir}, else {@value #DATA_DIR_ENV}, else the command's default. Secrets per call ({@code
 * --dm-psk}, passwords) are never taken from these.
 */
final class OptionDefaults implements CommandLine.IDefaultValueProvider {
  static final String CONFIG_ENV = "KEYPROV_CONFIG";
  static final String DATA_DIR_ENV = "KEYPROV_DATA_DIR";
  private static final Set<String> NOT_SETTINGS = Set.of("--help", "--version", "--config");

  private final Properties file;
  private final Map<String, String> env;

  private OptionDefaults(Properties file, Map<String, String> env) {
    this.file = file;
    this.env = env;
  }

  /**
   * The defaults for {@code args} run under {@code root}.
   *
   * @throws UsageException if {@code --config} names no readable file, or the file has a setting no
   *     option or known setting has
   */
  static OptionDefaults of(CommandLine root, String[] args, Map<String, String> env)
      throws IOException {
    CommandSpec command = root.getCommandSpec();
    for (String arg : args) {
      CommandLine sub = command.subcommands().get(arg);
      if (sub != null) {
        command = sub.getCommandSpec();
      }
    }
    String config = flag(args, "--config");
    if (config == null) {
      config = env.get(CONFIG_ENV);
    }
    Path path;
    if (config != null) {
      path = Path.of(config);
      if (!Files.isReadable(path)) {
        throw new UsageException(
            "--config " + config + ": no such readable file (give a keyprov.properties file)");
      }
      SettingsFile.use(path);
    } else {
      SettingsFile.use(null);
      String dataDir = flag(args, "--data-dir");
      OptionSpec declared = command.findOption("--data-dir");
      if (dataDir == null) {
        dataDir = env.get(DATA_DIR_ENV);
      }
      if (dataDir == null && declared != null) {
        dataDir = declared.defaultValue();
      }
      path = dataDir == null ? null : Path.of(dataDir).resolve(SettingsFile.NAME);
    }
    return new OptionDefaults(path == null ? new Properties() : SettingsFile.read(path), env);
  }

  /** The value after {@code name} ({@code --name V} or {@code --name=V}) in {@code args}. */
  private static String flag(String[] args, String name) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals(name) && i + 1 < args.length) {
        return args[i + 1];
      }
      if (args[i].startsWith(name + "=")) {
        return args[i].substring(name.length() + 1);
      }
    }
    return null;
  }

  /** The settings-file keys of {@code option}: scoped by the command's path, then bare. */
  static String[] keys(OptionSpec option) {
    String bare = option.longestName().substring(2).replace('-', '.');
    String scope = scope(option.command());
    return scope.isEmpty() ? new String[] {bare} : new String[] {scope + "." + bare, bare};
  }

  /** {@code admin.add-device} for {@code keyprov admin add-device}; empty for the root. */
  private static String scope(CommandSpec command) {
    String qualified = command.qualifiedName(".");
    int dot = qualified.indexOf('.');
    return dot < 0 ? "" : qualified.substring(dot + 1);
  }

  /** Whether an option may come from the environment or the file: not a secret, not help. */
  static boolean isSetting(OptionSpec option) {
    String name = option.longestName();
    return name.startsWith("--")
        && !NOT_SETTINGS.contains(name)
        && !name.endsWith("psk")
        && !name.endsWith("password");
  }

  /** Every key an option of {@code root}'s commands may have in the settings file. */
  static Set<String> settingKeys(CommandSpec root) {
    Set<String> keys = new TreeSet<>();
    collect(root, keys);
    return keys;
  }

  private static void collect(CommandSpec command, Set<String> keys) {
    for (OptionSpec o : command.options()) {
      if (isSetting(o) && !o.longestName().equals("--data-dir")) {
        keys.addAll(java.util.List.of(keys(o)));
      }
    }
    for (CommandLine sub : command.subcommands().values()) {
      collect(sub.getCommandSpec(), keys);
    }
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || !isSetting(option)) {
      return null;
    }
    String[] keys = keys(option);
    if (option.longestName().equals("--data-dir")) {
      return env.get(DATA_DIR_ENV); // where the file is: never from the file
    }
    for (String key : keys) {
      String value = env.get(envName(key));
      if (value != null) {
        return value;
      }
    }
    for (String key : keys) {
      String value = file.getProperty(key);
      if (value != null) {
        return value.strip();
      }
    }
    return null;
  }

  /** {@code server.coaps.port} → {@code KEYPROV_SERVER_COAPS_PORT}. */
  static String envName(String key) {
    return "KEYPROV_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }
}
