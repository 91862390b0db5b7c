package org.keyprov.app;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One {@code keyprov server} per data directory: an OS lock on {@value #NAME} there, held while the
 * server runs and dropped by the OS however it ends (even {@code kill -9}). The file names the
 * holder, so a second server is refused with a message saying which one runs. {@code keyprov admin}
 * commands do not take it: they may run beside the server.
 */
final class DataDirLock implements AutoCloseable {
  static final String NAME = "server.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private DataDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * @throws CannotStartException if another server holds the directory, naming it
   */
  static DataDirLock acquire(Path dataDir) throws IOException {
    Path file = dataDir.resolve(NAME);
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      ByteBuffer held = ByteBuffer.allocate(512);
      channel.read(held, 0);
      channel.close();
      String holder = new String(held.array(), 0, held.position(), StandardCharsets.UTF_8).strip();
      throw new CannotStartException(
          "another keyprov server runs on "
              + dataDir.toAbsolutePath()
              + " ("
              + (holder.isEmpty() ? "starting" : holder)
              + "): stop it first, or give this one another --data-dir",
          null);
    }
    channel.truncate(0);
    channel.write(ByteBuffer.wrap((holder() + "\n").getBytes(StandardCharsets.UTF_8)), 0);
    channel.force(false);
    return new DataDirLock(channel, lock);
  }

  /** Whether a server holds {@code dataDir} now (this process's own included). */
  static boolean held(Path dataDir) {
    Path file = dataDir.resolve(NAME);
    if (!java.nio.file.Files.exists(file)) {
      return false;
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      FileLock lock = channel.tryLock();
      if (lock == null) {
        return true;
      }
      lock.release();
      return false;
    } catch (java.nio.channels.OverlappingFileLockException e) {
      return true; // a server in this very JVM holds it
    } catch (IOException e) {
      return false;
    }
  }

  /** This process as the message to a second server names it: pid, host, start time. */
  private static String holder() {
    ProcessHandle self = ProcessHandle.current();
    String host;
    try {
      host = java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      host = "this host";
    }
    return "pid "
        + self.pid()
        + " on "
        + host
        + self.info().startInstant().map(t -> ", started " + t).orElse("");
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
