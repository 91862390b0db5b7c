package org.keyprov.app;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import java.util.Set;

/**
 * The data directory's {@value #NAME} (or the file {@code --config} names): the settings that must
 * not be flags (the database's and Redis's passwords, where they are), and every option ({@link
 * OptionDefaults}). Unknown settings are refused, naming the known ones, and a file holding a
 * password must be readable by its owner only.
 */
final class SettingsFile {
  static final String NAME = "keyprov.properties";

  private static final Set<String> KEYS =
      Set.of(
          "db.url",
          "db.user",
          "db.password",
          "redis.url",
          "redis.password",
          "node.name",
          "management.port");

  private SettingsFile() {}

  /** The file {@code --config} or {@code KEYPROV_CONFIG} named for this command, if any. */
  private static volatile Path given;

  /** Every key an option may have in the file ({@link OptionDefaults}), computed once. */
  private static volatile Set<String> optionKeys;

  /** Sets (or with null clears) the file this command line named instead of the data dir's. */
  static void use(Path file) {
    given = file;
  }

  /** Where the settings are: the file named for this command line, else {@code dataDir}'s. */
  static Path at(Path dataDir) {
    Path file = given;
    return file != null ? file : dataDir.resolve(NAME);
  }

  private static Set<String> known() {
    Set<String> keys = optionKeys;
    if (keys == null) {
      keys = new java.util.TreeSet<>(KEYS);
      keys.addAll(
          OptionDefaults.settingKeys(
              new picocli.CommandLine(new KeyprovCommand()).getCommandSpec()));
      optionKeys = keys;
    }
    return keys;
  }

  /** The settings in {@code path}; none if there is no such file. */
  static Properties read(Path path) throws IOException {
    Properties p = new Properties();
    if (!Files.exists(path)) {
      return p;
    }
    try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    for (String key : p.stringPropertyNames()) {
      if (!known().contains(key)) {
        throw new UsageException(
            path
                + ": unknown setting '"
                + key
                + "'; besides "
                + String.join(", ", KEYS.stream().sorted().toList())
                + " every option is a setting, named as the option without '--' and with '.' for"
                + " '-', alone or after its command (coaps.port, server.coaps.port)");
      }
    }
    if (p.stringPropertyNames().stream().anyMatch(k -> k.endsWith(".password"))) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        throw new UsageException(
            path
                + " holds a password and is readable by others ("
                + PosixFilePermissions.toString(perms)
                + "); run: chmod 600 "
                + path);
      }
    }
    return p;
  }
}
