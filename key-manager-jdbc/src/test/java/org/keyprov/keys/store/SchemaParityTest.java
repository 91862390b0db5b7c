package org.keyprov.keys.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.keys.store.testing.TestDatabase;

/** The H2 and PostgreSQL migrations end in the same tables and columns. */
class SchemaParityTest {
  @TempDir Path dir;

  @Test
  void both_databases_end_with_the_same_columns_types_and_nullability() throws SQLException {
    Set<String> h2 = columns(migrated(TestDatabase.H2));
    Set<String> postgres = columns(migrated(TestDatabase.POSTGRESQL));

    assertThat(h2)
        .as("sanity: the schema is read")
        .contains("device.endpoint varchar(255) not null");
    assertThat(postgres).containsExactlyElementsOf(h2);
  }

  private DataSource migrated(TestDatabase database) {
    DataSource ds = database.create(dir);
    JdbcStores.migrate(ds);
    return ds;
  }

  /** "table.column type not null|null" for every column of keyprov's tables. */
  private static Set<String> columns(DataSource ds) throws SQLException {
    Set<String> columns = new TreeSet<>();
    try (Connection c = ds.getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT table_name, column_name, data_type, character_maximum_length,"
                        + " is_nullable FROM information_schema.columns"
                        + " WHERE LOWER(table_schema) = 'public'"
                        + " AND LOWER(table_name) <> 'flyway_schema_history'")) {
      while (rs.next()) {
        String type = rs.getString("data_type").toLowerCase(Locale.ROOT);
        long length = rs.getLong("character_maximum_length");
        type =
            switch (type) {
              case "character varying" -> "varchar(" + length + ")";
              // VARBINARY(n) in H2; BYTEA with CHECK (octet_length(…) <= n) in PostgreSQL
              case "binary varying", "bytea" -> "binary";
              default -> type;
            };
        columns.add(
            rs.getString("table_name").toLowerCase(Locale.ROOT)
                + "."
                + rs.getString("column_name").toLowerCase(Locale.ROOT)
                + " "
                + type
                + ("YES".equals(rs.getString("is_nullable")) ? " null" : " not null"));
      }
    }
    return columns;
  }
}
