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
 * the observations their registrations hold. The file also keeps, sealed with them, where the
 * server was in the Key Manager's invalidation feed: a device deleted or given a new DM PSK while
 * the server was down must lose its restored session as soon as the server is back.
 *
 * <p>Format: Californium's sealed stream ({@link EncryptedPersistentComponentUtil}: seed, then
 * AES-GCM), whose plaintext is the feed cursor (8 bytes) followed by the connector's state.
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

  /** What a start took back: the sessions, and the invalidation feed cursor saved with them. */
  public record Loaded(int sessions, long feedCursor) {}

  /**
   * Before {@code server} starts: takes back the sessions saved in the file, if any, and deletes
   * it. A file that cannot be read (another key, damaged) is deleted too: its devices handshake
   * again.
   *
   * @return the sessions taken back, and the feed cursor to follow from ({@code noFeed} if none)
   */
  public Loaded load(LeshanServer server, long noFeed) {
    if (!Files.exists(file)) {
      return new Loaded(0, noFeed);
    }
    int loaded = 0;
    long cursor = noFeed;
    try (InputStream in = Files.newInputStream(file)) {
      EncryptedPersistentComponentUtil util = util(server);
      java.io.DataInputStream plain = new java.io.DataInputStream(util.prepare(in, key));
      long saved = plain.readLong();
      loaded = Math.max(0, util.loadComponents(plain));
      cursor = saved;
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
    return new Loaded(loaded, cursor);
  }

  /**
   * After {@code server} stopped (its connector no longer running): saves its sessions and where it
   * was in the invalidation feed, sealed, through a temporary file, so a crash while saving leaves
   * no half-written file.
   *
   * @return how many sessions were saved
   */
  public int save(LeshanServer server, long feedCursor) {
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
          java.io.DataOutputStream sealed = new java.io.DataOutputStream(util.prepare(out, key))) {
        sealed.writeLong(feedCursor);
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
