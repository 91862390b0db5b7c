package org.keyprov.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** {@code --management-port}, for the commands that serve until stopped. */
final class ManagementOptions {
  @Option(
      names = "--management-port",
      paramLabel = "PORT",
      description =
          "Plain HTTP port for Prometheus (/metrics) and probes (/healthz, /readyz), at the bind"
              + " address (default: "
              + ManagementServer.ENV
              + ", else management.port in DATA_DIR/"
              + SettingsFile.NAME
              + ", else none).")
  Integer port;

  /** The port asked for by the flag, the environment or the settings file; empty for none. */
  Optional<Integer> port(Path dataDir) throws IOException {
    return ManagementServer.port(dataDir, port, System.getenv());
  }
}
