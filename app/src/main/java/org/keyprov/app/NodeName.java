package org.keyprov.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The name a {@code keyprov server} serves under among the nodes sharing Redis: {@code --node},
 * {@value #ENV} or {@code node.name} in the data directory's {@value SettingsFile#NAME} (in that
 * order), else this host's name and the DM port. It outlives the process: registrations name the
 * node that holds their device's DTLS session, and a node restarted under the same name goes on
 * serving them.
 */
final class NodeName {
  static final String ENV = "KEYPROV_NODE";

  private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private NodeName() {}

  static String resolve(Path dataDir, String flag, Map<String, String> env, int coapsPort)
      throws IOException {
    String given =
        DatabaseSettings.first(
            flag,
            env.get(ENV),
            SettingsFile.read(SettingsFile.at(dataDir)).getProperty("node.name"));
    String name = given != null ? given.strip() : host() + "-" + coapsPort;
    if (!VALID.matcher(name).matches()) {
      throw new UsageException(
          "node name '"
              + name
              + "': give 1 to 63 letters, digits, '.', '_' or '-', beginning with a letter or"
              + " digit (--node, "
              + ENV
              + " or node.name in "
              + SettingsFile.NAME
              + ")");
    }
    return name;
  }

  private static String host() {
    try {
      String host = java.net.InetAddress.getLocalHost().getHostName();
      return VALID.matcher(host).matches() ? host : "keyprov";
    } catch (java.net.UnknownHostException e) {
      return "keyprov";
    }
  }
}
