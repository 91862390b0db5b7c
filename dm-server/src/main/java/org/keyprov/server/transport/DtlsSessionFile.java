package org.keyprov.server.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.PersistentComponent;
import org.eclipse.californium.elements.util.EncryptedPersistentComponentUtil;
import org.eclipse.leshan.core.endpoint.Protocol;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.californium.endpoint.CaliforniumServerEndpoint;

/**
 * The DM server's DTLS sessions kept across a restart: saved to a file, sealed (AES-GCM under a key
 * of the server's own), when the stopped server closes; taken back when it starts again, and the
 * file deleted at once, so a session is never resumed twice from one copy (its record sequence
 * numbers would repeat). Devices then go on without a new handshake, and their notifications reach
 * the observations their registrations hold.
 */
public final class DtlsSessionFile {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(DtlsSessionFile.class);

  /** Sessions idle for longer are not saved: a device that quiet handshakes again anyway. */
  private static final long STALE_SECONDS = java.time.Duration.ofDays(2).toSeconds();

  private final Path file;
  private final SecretKeySpec key;

  /** {@code key}: 32 bytes, copied; what seals the file. */
  public DtlsSessionFile(Path file, byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("a session file key is 32 bytes, got " + key.length);
    }
    this.file = file;
    this.key = new SecretKeySpec(key.clone(), "PW");
  }

  /**
   * Before {@code server} starts: takes back the sessions saved in the file, if any, and deletes
   * it. A file that cannot be read (another key, damaged) is deleted too: its devices handshake
   * again.
   *
   * @return how many sessions were taken back
   */
  public int load(LeshanServer server) {
    if (!Files.exists(file)) {
      return 0;
    }
    int loaded = 0;
    try (InputStream in = Files.newInputStream(file)) {
      loaded = Math.max(0, util(server).loadComponents(in, key));
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "DTLS sessions in {} cannot be read ({}); devices handshake again", file, e.getMessage());
    } finally {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        LOG.error(
            "{} cannot be deleted ({}): delete it before the next start", file, e.getMessage());
      }
    }
    LOG.info("{} DTLS sessions taken back from {}", loaded, file);
    return loaded;
  }

  /**
   * After {@code server} stopped (its connector no longer running): saves its sessions, sealed,
   * through a temporary file, so a crash while saving leaves no half-written file.
   *
   * @return how many sessions were saved
   */
  public int save(LeshanServer server) {
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try {
      Files.deleteIfExists(partial);
      Files.createFile(
          partial,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      EncryptedPersistentComponentUtil util = util(server);
      int saved;
      // the sealing stream is closed first: its close writes the GCM tag
      try (OutputStream out = Files.newOutputStream(partial);
          OutputStream sealed = util.prepare(out, key)) {
        saved = util.saveComponents(sealed, STALE_SECONDS);
      }
      Files.move(
          partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      LOG.info("{} DTLS sessions saved to {}", saved, file);
      return saved;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "DTLS sessions cannot be saved to {} ({}); devices handshake again",
          file,
          e.getMessage());
      try {
        Files.deleteIfExists(partial);
      } catch (IOException ignored) {
        // nothing more to do: the next start finds no file
      }
      return 0;
    }
  }

  private static EncryptedPersistentComponentUtil util(LeshanServer server) {
    EncryptedPersistentComponentUtil util = new EncryptedPersistentComponentUtil();
    util.setWriteCipher("AES/GCM/NoPadding", 256);
    if (server.getEndpoint(Protocol.COAPS) instanceof CaliforniumServerEndpoint endpoint) {
      Connector connector = endpoint.getCoapEndpoint().getConnector();
      if (connector instanceof PersistentComponent dtls) {
        util.add(dtls);
      }
    }
    return util;
  }
}
