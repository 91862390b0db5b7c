package org.keyprov.app;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the Key Manager keeps its data. Shared by commands that open the store. */
final class StorageOptions {
  @Option(
      names = "--data-dir",
      defaultValue = "keyprov-data",
      description =
          "Data directory: master.key, the H2 database unless --db-url is given, and "
              + DatabaseSettings.FILE
              + " (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description =
          "Settings file instead of DATA_DIR/"
              + SettingsFile.NAME
              + " (default: "
              + OptionDefaults.CONFIG_ENV
              + "): every option can be set there (coaps.port=5684, server.bind=0.0.0.0) or as"
              + " KEYPROV_<OPTION> (KEYPROV_SERVER_BIND); flags win.")
  Path config;

  @Option(
      names = "--domain",
      description =
          "Key Manager domain, used in B-TIDs and IMPIs; fixed when the database is created,"
              + " checked afterwards (default: the database's own; for a new one "
              + Storage.DEFAULT_DOMAIN
              + ").")
  String domain;

  @Option(
      names = "--db-url",
      paramLabel = "URL",
      description =
          "PostgreSQL database, jdbc:postgresql://HOST[:PORT]/DATABASE (default: "
              + DatabaseSettings.URL_ENV
              + ", else db.url in DATA_DIR/"
              + DatabaseSettings.FILE
              + ", else the H2 file in --data-dir). User and password come from "
              + DatabaseSettings.USER_ENV
              + " and "
              + DatabaseSettings.PASSWORD_ENV
              + " or db.user and db.password in that file, never from a flag.")
  String dbUrl;

  @Option(
      names = "--h2-port",
      paramLabel = "PORT",
      description =
          "With the H2 file: the loopback port of H2's auto-server, through which admin commands"
              + " reach the database while a server runs (default: one H2 picks).")
  Integer h2Port;

  /** The server's own storage while it runs a forwarded admin command line on this thread. */
  static final ThreadLocal<Storage> IN_SERVER = new ThreadLocal<>();

  Storage open() throws IOException {
    Storage inServer = IN_SERVER.get();
    if (inServer != null) {
      return inServer.borrowed();
    }
    if (h2Port != null) {
      Ports.check("--h2-port", h2Port);
    }
    return Storage.open(
        dataDir,
        java.util.Optional.ofNullable(domain),
        DatabaseSettings.resolve(dataDir, dbUrl, System.getenv()),
        java.util.Optional.ofNullable(h2Port));
  }
}
