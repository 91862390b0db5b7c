package org.keyprov.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;
import org.keyprov.keys.MasterKey;

/**
 * Where the master key comes from: the environment variable {@value #ENV} (64 hex digits) if set,
 * else the file {@code master.key} in the data directory, created on first start with owner-only
 * permissions.
 */
final class MasterKeyFile {
  static final String ENV = "KEYPROV_MASTER_KEY";
  static final String FILE_NAME = "master.key";

  private MasterKeyFile() {}

  static MasterKey load(Path dataDir, String fromEnvironment) throws IOException {
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return parse(fromEnvironment.trim(), "environment variable " + ENV);
    }
    Path file = dataDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        throw new UsageException(
            file
                + " is readable by others ("
                + PosixFilePermissions.toString(perms)
                + "); run: chmod 600 "
                + file);
      }
      return parse(Files.readString(file).trim(), file.toString());
    }
    byte[] key = new byte[MasterKey.LENGTH];
    new SecureRandom().nextBytes(key);
    Files.createDirectories(dataDir);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, HexFormat.of().formatHex(key) + "\n");
    return MasterKey.of(key);
  }

  private static MasterKey parse(String hex, String source) {
    if (!hex.matches("[0-9a-fA-F]{64}")) {
      throw new UsageException(source + " must hold 64 hex digits (a 256-bit key)");
    }
    return MasterKey.of(HexFormat.of().parseHex(hex));
  }
}
