package org.keyprov.keys.store;

import java.net.URI;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.keyprov.keys.Device;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;

/** Row mapping shared by the JDBC parts. */
final class Rows {
  private Rows() {}

  static Device device(ResultSet rs) throws SQLException {
    return new Device(
        rs.getString("endpoint"),
        rs.getString("impi"),
        rs.getString("dm_psk_identity"),
        Database.instant(rs, "created_at"));
  }

  static EnablerProfile enabler(ResultSet rs) throws SQLException {
    return new EnablerProfile(
        new NafId(rs.getString("naf_fqdn"), UaSecurityProtocolId.of(rs.getBytes("ua_id"))),
        URI.create(rs.getString("uri")),
        splitLines(rs.getString("allow_list")),
        splitLines(rs.getString("cipher_suites")).stream().map(Integer::valueOf).toList(),
        Duration.ofSeconds(rs.getLong("key_lifetime_s")),
        rs.getBoolean("at_bootstrap"));
  }

  static String joinLines(List<?> values) {
    return values.stream().map(String::valueOf).collect(Collectors.joining("\n"));
  }

  static List<String> splitLines(String value) {
    return value.isEmpty() ? List.of() : Arrays.asList(value.split("\n"));
  }
}
