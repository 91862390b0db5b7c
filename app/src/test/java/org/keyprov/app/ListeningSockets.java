package org.keyprov.app;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a process listens on, as Linux's {@code /proc} tells it: its socket inodes ({@code
 * /proc/PID/fd}) matched against {@code /proc/net/{tcp,udp}{,6}} — TCP sockets in LISTEN and every
 * bound UDP socket, as {@code "tcp 127.0.0.1:8443"} (IPv4-mapped IPv6 addresses shown as IPv4).
 */
final class ListeningSockets {
  private static final String TCP_LISTEN = "0A";

  private ListeningSockets() {}

  static List<String> of(long pid) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(pid), "fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // the descriptor went away while listing
        }
      }
    }
    List<String> sockets = new ArrayList<>();
    for (String table : List.of("tcp", "tcp6", "udp", "udp6")) {
      List<String> lines = Files.readAllLines(Path.of("/proc/net", table));
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        boolean tcp = table.startsWith("tcp");
        if (inodes.contains(f[9]) && (!tcp || f[3].equals(TCP_LISTEN))) {
          sockets.add((tcp ? "tcp " : "udp ") + address(f[1]));
        }
      }
    }
    return sockets;
  }

  /**
   * {@code 0100007F:1F90} → {@code 127.0.0.1:8080}; the kernel writes each 32-bit word host-endian.
   */
  private static String address(String hex) {
    String[] parts = hex.split(":");
    byte[] raw = HexFormat.of().parseHex(parts[0]);
    for (int i = 0; i < raw.length; i += 4) {
      byte b0 = raw[i];
      byte b1 = raw[i + 1];
      raw[i] = raw[i + 3];
      raw[i + 1] = raw[i + 2];
      raw[i + 2] = b1;
      raw[i + 3] = b0;
    }
    try {
      InetAddress a = InetAddress.getByAddress(raw); // an IPv4-mapped IPv6 address comes back IPv4
      return a.getHostAddress() + ":" + Integer.parseInt(parts[1], 16);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
