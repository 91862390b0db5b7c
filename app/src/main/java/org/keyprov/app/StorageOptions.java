package org.keyprov.app;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the Key Manager keeps its data. Shared by commands that open the store. */
final class StorageOptions {
  @Option(
      names = "--data-dir",
      defaultValue = "keyprov-data",
      description = "Data directory: H2 database and master.key (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--domain",
      defaultValue = "km.keyprov.local",
      description = "Key Manager domain, used in B-TIDs and IMPIs (default: ${DEFAULT-VALUE}).")
  String domain;

  Storage open() throws IOException {
    return Storage.open(dataDir, domain);
  }
}
