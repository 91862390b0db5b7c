package org.keyprov.enabler.transport;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.californium.scandium.dtls.AlertMessage;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertDescription;
import org.eclipse.californium.scandium.dtls.AlertMessage.AlertLevel;
import org.eclipse.californium.scandium.dtls.ConnectionId;
import org.eclipse.californium.scandium.dtls.ContentType;
import org.eclipse.californium.scandium.dtls.DTLSContext;
import org.eclipse.californium.scandium.dtls.Handshaker;
import org.eclipse.californium.scandium.dtls.Record;
import org.eclipse.californium.scandium.dtls.SessionAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DTLS connector that tells a refused client so. Scandium 3.12 drops a handshake whose PSK
 * identity has no key without a word (its countermeasure against identity probing), so the client
 * waits for its retransmissions to time out. An Enabler's identities are B-TIDs a device got from
 * the Key Manager, and the device must know at once whether to retry (the Key Manager was not
 * reachable: {@code internal_error}) or to get new parameters ({@code unknown_psk_identity}).
 */
final class RefusingDtlsConnector extends DTLSConnector {
  private static final Logger LOG = LoggerFactory.getLogger(RefusingDtlsConnector.class);

  /** Handshakes under way, by the connection id Scandium hands the PSK store. */
  private final Map<ConnectionId, Handshaker> handshakes;

  private RefusingDtlsConnector(
      DtlsConnectorConfig config, Map<ConnectionId, Handshaker> handshakes) {
    super(config);
    this.handshakes = handshakes;
  }

  /** {@code config} without a session listener of its own: this connector sets one. */
  static RefusingDtlsConnector create(DtlsConnectorConfig.Builder config) {
    Map<ConnectionId, Handshaker> handshakes = new ConcurrentHashMap<>();
    config.setSessionListener(
        new SessionAdapter() {
          @Override
          public void handshakeStarted(Handshaker handshaker) {
            handshakes.put(handshaker.getConnection().getConnectionId(), handshaker);
          }

          @Override
          public void handshakeCompleted(Handshaker handshaker) {
            handshakes.remove(handshaker.getConnection().getConnectionId(), handshaker);
          }

          @Override
          public void handshakeFailed(Handshaker handshaker, Throwable error) {
            handshakes.remove(handshaker.getConnection().getConnectionId(), handshaker);
          }
        });
    return new RefusingDtlsConnector(config.build(), handshakes);
  }

  /**
   * Sends a fatal alert, in the clear (epoch 0, where the client's handshake still reads), to the
   * peer of the handshake on connection {@code cid}; does nothing if that handshake is gone.
   */
  void refuse(ConnectionId cid, AlertDescription description) {
    Handshaker handshaker = cid == null ? null : handshakes.remove(cid);
    if (handshaker == null) {
      return;
    }
    DTLSContext context = handshaker.getDtlsContext();
    AlertMessage alert = new AlertMessage(AlertLevel.FATAL, description);
    try {
      Record record =
          new Record(
              ContentType.ALERT,
              handshaker.getSession().getProtocolVersion(),
              context.getNextSequenceNumber(0),
              alert);
      record.setAddress(handshaker.getPeerAddress(), handshaker.getConnection().getRouter());
      sendRecord(record);
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot send {} to {}: {}", description, handshaker.getPeerAddress(), e.toString());
    }
  }
}
