package org.keyprov.keys.zn.planted;

/** Planted for ArchitectureTest: the key-manager API may not use JDBC. */
public final class OpensAConnection {
  public static void close(java.sql.Connection c) throws java.sql.SQLException {
    c.close();
  }
}
