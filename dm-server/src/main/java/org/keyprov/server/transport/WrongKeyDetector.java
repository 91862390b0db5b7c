package org.keyprov.server.transport;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.BiConsumer;
import org.eclipse.californium.elements.auth.PreSharedKeyIdentity;
import org.eclipse.californium.scandium.ConnectionListener;
import org.eclipse.californium.scandium.dtls.Connection;
import org.eclipse.californium.scandium.dtls.Handshaker;

/**
 * Hears Scandium's record MAC errors on the DM endpoint. One during a handshake whose PSK identity
 * belongs to a device means the device's Finished was made with another DM PSK (a wrong, changed or
 * tampered credential): the handshake can never complete, and Scandium would only drop the record.
 * Reports each such handshake once, as (identity, reason). The Enabler has its twin; a shared
 * Scandium transport module would hold one (see issue 11).
 */
final class WrongKeyDetector implements ConnectionListener {
  private final BiConsumer<String, String> report;
  private final String reason;

  /** Handshakes already reported; weak, so a finished handshake is not kept. */
  private final Map<Handshaker, Boolean> reported =
      Collections.synchronizedMap(new WeakHashMap<>());

  WrongKeyDetector(BiConsumer<String, String> report) {
    this(
        report,
        "the device's Finished failed its MAC check: its DM PSK is not the one the Key Manager holds");
  }

  /** {@code reason}: what a MAC error means on this endpoint, as reported. */
  WrongKeyDetector(BiConsumer<String, String> report, String reason) {
    this.report = report;
    this.reason = reason;
  }

  @Override
  public boolean onConnectionMacError(Connection connection) {
    Handshaker handshaker = connection.getOngoingHandshake();
    if (handshaker != null
        && handshaker.getSession().getPeerIdentity() instanceof PreSharedKeyIdentity psk
        && reported.put(handshaker, Boolean.TRUE) == null) {
      report.accept(psk.getIdentity(), reason);
    }
    // keep the connection: dropping the record is what DTLS asks, the handshake then times out
    return false;
  }

  @Override
  public void onConnectionEstablished(Connection connection) {}

  @Override
  public void onConnectionRemoved(Connection connection) {}

  @Override
  public boolean onConnectionUpdatesSequenceNumbers(
      Connection connection, boolean writeSequenceNumber) {
    return false;
  }

  @Override
  public void beforeExecution(Connection connection) {}

  @Override
  public void updateExecution(Connection connection) {}

  @Override
  public void afterExecution(Connection connection) {}
}
