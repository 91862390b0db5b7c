package org.keyprov.keys.store;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;

/** The databases the Key Manager runs on, and where each one's own migrations are. */
enum Vendor {
  H2("h2"),
  POSTGRESQL("postgresql");

  final String migrations;

  Vendor(String migrations) {
    this.migrations = migrations;
  }

  static Vendor of(DataSource dataSource) {
    String product;
    try (Connection c = dataSource.getConnection()) {
      product = c.getMetaData().getDatabaseProductName();
    } catch (SQLException e) {
      throw new KeyManagerException(Kind.STORAGE, "cannot open the database: " + e.getMessage(), e);
    }
    return switch (product) {
      case "H2" -> H2;
      case "PostgreSQL" -> POSTGRESQL;
      default ->
          throw new KeyManagerException(
              Kind.STORAGE, "the Key Manager runs on H2 or PostgreSQL, not on " + product);
    };
  }
}
