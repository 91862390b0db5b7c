package org.keyprov.keys.store.testing;

import java.nio.file.Path;
import javax.sql.DataSource;

/** The databases the Key Manager's tests run on: each test class runs once per value. */
public enum TestDatabase {
  /** An H2 file in the test's directory, closed when its last connection closes. */
  H2 {
    @Override
    public DataSource create(Path dir) {
      return TestKeyManagers.h2(dir);
    }
  },
  /** A fresh database on this JVM's {@link PostgresServer}. */
  POSTGRESQL {
    @Override
    public DataSource create(Path dir) {
      return PostgresServer.shared().newDatabase();
    }
  };

  /** A new, empty database; {@code dir} is the test's own directory. */
  public abstract DataSource create(Path dir);
}
