package org.keyprov.enabler.transport;

import org.bouncycastle.tls.TlsFatalAlert;

/** Raising Bouncy Castle TLS alerts from callbacks whose signatures declare no exception. */
final class Alerts {
  private Alerts() {}

  /**
   * Throws a {@link TlsFatalAlert} (a checked {@code IOException}) from a callback that Bouncy
   * Castle calls inside its handshake, where it is caught and sent as that alert. Declared to
   * return an exception so callers can write {@code throw Alerts.fatal(…)}.
   */
  static RuntimeException fatal(short alertDescription) {
    throw Alerts.<RuntimeException>sneaky(new TlsFatalAlert(alertDescription));
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T sneaky(Throwable t) throws T {
    throw (T) t;
  }
}
