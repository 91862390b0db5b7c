package org.keyprov.keys.store;

import java.nio.file.Path;

/** JDBC URLs of the embedded H2 file database, with the settings every opener must share. */
public final class H2Files {
  private H2Files() {}

  /**
   * {@code jdbc:h2:file:<base>} with {@code settings} (e.g. {@code AUTO_SERVER=TRUE}) appended.
   *
   * <p>Always adds {@code MAX_COMPACT_TIME=0}: H2 2.3.232 compacts the file when its last
   * connection closes, and a database reopened after that compaction can miss rows committed just
   * before it (an index lookup of a device added by the previous {@code keyprov admin} call found
   * nothing, reproduced by {@code
   * KeyManagerTest.every_row_survives_closing_and_reopening_the_file}). The file still shrinks in
   * the background while open.
   */
  public static String url(Path base, String... settings) {
    StringBuilder url = new StringBuilder("jdbc:h2:file:").append(base.toAbsolutePath());
    for (String setting : settings) {
      url.append(';').append(setting);
    }
    return url.append(";MAX_COMPACT_TIME=0").toString();
  }
}
