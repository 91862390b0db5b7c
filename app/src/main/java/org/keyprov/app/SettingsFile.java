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
 * The data directory's {@value #NAME}: the settings that must not be flags (where the database and
 * Redis are, and their passwords). Unknown settings are refused, naming the known ones, and a file
 * holding a password must be readable by its owner only.
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
      if (!KEYS.contains(key)) {
        throw new UsageException(
            path
                + ": unknown setting '"
                + key
                + "'; the settings are "
                + String.join(", ", KEYS.stream().sorted().toList()));
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
