package org.keyprov.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.eclipse.leshan.server.LeshanServer;
import org.eclipse.leshan.server.LeshanServerBuilder;
import org.eclipse.leshan.server.security.InMemorySecurityStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The saved sessions' file on a real Scandium connector: read back once, never a foreign one. */
class DtlsSessionFileTest {
  private static final long NO_FEED = -1;

  @TempDir Path dir;

  @Test
  void is_read_back_once_with_its_feed_cursor_and_deleted() throws Exception {
    Path file = dir.resolve("sessions");
    DtlsSessionFile sessions = new DtlsSessionFile(file, key(1));
    saveFromStoppedServer(sessions, 42);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readAllBytes(file)).isNotEmpty();

    assertThat(loadIntoNewServer(sessions).feedCursor()).isEqualTo(42);
    assertThat(file).doesNotExist();
    assertThat(loadIntoNewServer(sessions)).isEqualTo(new DtlsSessionFile.Loaded(0, NO_FEED));
  }

  @Test
  void a_file_sealed_under_another_key_or_damaged_gives_nothing_and_is_deleted() throws Exception {
    Path file = dir.resolve("sessions");
    saveFromStoppedServer(new DtlsSessionFile(file, key(1)), 42);
    assertThat(loadIntoNewServer(new DtlsSessionFile(file, key(2))))
        .isEqualTo(new DtlsSessionFile.Loaded(0, NO_FEED));
    assertThat(file).doesNotExist();

    saveFromStoppedServer(new DtlsSessionFile(file, key(1)), 42);
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(bytes, bytes.length - 3));
    assertThat(loadIntoNewServer(new DtlsSessionFile(file, key(1))))
        .isEqualTo(new DtlsSessionFile.Loaded(0, NO_FEED));
    assertThat(file).doesNotExist();
  }

  private static void saveFromStoppedServer(DtlsSessionFile sessions, long cursor) {
    LeshanServer server = server();
    server.start();
    server.stop();
    sessions.save(server, cursor);
    server.destroy();
  }

  private static DtlsSessionFile.Loaded loadIntoNewServer(DtlsSessionFile sessions) {
    LeshanServer server = server();
    try {
      return sessions.load(server, NO_FEED);
    } finally {
      server.destroy();
    }
  }

  private static LeshanServer server() {
    LeshanServerBuilder builder = new LeshanServerBuilder();
    builder.setSecurityStore(new InMemorySecurityStore());
    builder.setEndpointsProviders(
        DmEndpoints.californium(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            null,
            100,
            (i, r) -> {},
            null));
    return builder.build();
  }

  private static byte[] key(int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return key;
  }
}
