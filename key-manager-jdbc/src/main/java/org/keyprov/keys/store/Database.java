package org.keyprov.keys.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;
import org.keyprov.keys.KeyManagerException;
import org.keyprov.keys.KeyManagerException.Kind;

/** Transactions and type mapping over a {@link DataSource}. */
final class Database {
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** SQLSTATE of a unique constraint violation, in H2 and PostgreSQL alike. */
  private static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;

  Database(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Runs {@code work} in one transaction: all of it is stored, or none. */
  <T> T inTransaction(String what, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
        // a check-then-insert lost a race against another transaction (another node, another
        // request): the database kept the first, and this one changed nothing
        throw new KeyManagerException(
            Kind.CONFLICT,
            "nothing was changed while "
                + what
                + ": the same name was stored by another request at the same moment",
            e);
      }
      throw new KeyManagerException(
          Kind.STORAGE, "storage failed while " + what + ": " + e.getMessage(), e);
    }
  }

  static PreparedStatement prepare(Connection c, String sql, Object... args) throws SQLException {
    PreparedStatement ps = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      Object arg = args[i];
      if (arg instanceof Instant instant) {
        arg = OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
      }
      ps.setObject(i + 1, arg);
    }
    return ps;
  }

  static int update(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args)) {
      return ps.executeUpdate();
    }
  }

  static <T> java.util.List<T> query(Connection c, String sql, RowMapper<T> mapper, Object... args)
      throws SQLException {
    try (PreparedStatement ps = prepare(c, sql, args);
        ResultSet rs = ps.executeQuery()) {
      java.util.List<T> rows = new java.util.ArrayList<>();
      while (rs.next()) {
        rows.add(mapper.map(rs));
      }
      return rows;
    }
  }

  static <T> java.util.Optional<T> queryOne(
      Connection c, String sql, RowMapper<T> mapper, Object... args) throws SQLException {
    java.util.List<T> rows = query(c, sql, mapper, args);
    return rows.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(rows.get(0));
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }
}
