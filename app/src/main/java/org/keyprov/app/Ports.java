package org.keyprov.app;

final class Ports {
  private Ports() {}

  static void check(String option, int port) {
    if (port < 0 || port > 65535) {
      throw new UsageException(option + " must be a port number 0..65535, got " + port);
    }
  }
}
