package org.keyprov.app;

final class Ports {
  private Ports() {}

  /** Starts what listens at {@code address}. */
  interface Start {
    void start() throws Exception;
  }

  /**
   * Runs {@code start}; a port that is taken is answered with the option that chose it.
   *
   * @throws CannotStartException if something else listens at {@code address}
   */
  static void listen(String option, java.net.InetSocketAddress address, Start start)
      throws Exception {
    try {
      start.start();
    } catch (java.io.IOException e) {
      if (!(e instanceof java.net.BindException)
          && !(e.getCause() instanceof java.net.BindException)) {
        throw e;
      }
      throw new CannotStartException(
          option
              + " "
              + address.getPort()
              + ": cannot listen on "
              + address.getHostString()
              + ":"
              + address.getPort()
              + " ("
              + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage())
              + "); another process holds it: stop it or give another port",
          e);
    }
  }

  static void check(String option, int port) {
    if (port < 0 || port > 65535) {
      throw new UsageException(option + " must be a port number 0..65535, got " + port);
    }
  }
}
