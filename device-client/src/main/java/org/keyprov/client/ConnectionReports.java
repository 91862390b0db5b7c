package org.keyprov.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.leshan.client.LeshanClient;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.eclipse.leshan.core.request.ContentFormat;
import org.keyprov.models.EnablerSecurityObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the DM server each Enabler connection result with an LwM2M Send (the NAF FQDN, result and
 * time of the instance), so the server need not observe object 33001. The client registers with
 * {@link EnablerSecurityObject#REPORTS_ATTRIBUTE} to say so.
 *
 * <p>A result the server did not take (no registration yet, a timeout, or the instance not yet in
 * the server's view of the registration: the Update after a Create may still be on its way) stays
 * pending and goes again after the next successful registration or update. Only the newest result
 * of an instance is ever pending.
 */
final class ConnectionReports {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionReports.class);

  private final String endpoint;
  private final LeshanClient leshan;
  private final long timeoutMs;

  /** Per instance with a result the server has not taken: how many results it has had. */
  private final Map<Integer, Long> pending = new ConcurrentHashMap<>();

  ConnectionReports(String endpoint, LeshanClient leshan, long timeoutMs) {
    this.endpoint = endpoint;
    this.leshan = leshan;
    this.timeoutMs = timeoutMs;
  }

  /** The instance has a new connection result: sends it now. */
  void attempted(int instanceId) {
    pending(instanceId);
    sendPending();
  }

  /** The instance has a result the server may not have: sent with the next ones. */
  void pending(int instanceId) {
    pending.merge(instanceId, 1L, Long::sum);
  }

  /** Sends every pending result to each server the client is registered with; never blocks. */
  void sendPending() {
    Map<Integer, Long> sending = Map.copyOf(pending);
    if (sending.isEmpty()) {
      return;
    }
    List<String> paths = new ArrayList<>();
    for (int id : sending.keySet()) {
      String instance = "/" + EnablerSecurityObject.ID + "/" + id + "/";
      paths.add(instance + EnablerSecurityObject.NAF_FQDN);
      paths.add(instance + EnablerSecurityObject.LAST_CONNECTION_RESULT);
      paths.add(instance + EnablerSecurityObject.LAST_CONNECTION_TIME);
    }
    for (LwM2mServer server : leshan.getRegisteredServers().values()) {
      try {
        leshan
            .getSendService()
            .sendData(
                server,
                ContentFormat.SENML_CBOR,
                paths,
                timeoutMs,
                response -> {
                  if (response.isSuccess()) {
                    // a result that came while this one was on its way stays pending
                    sending.forEach(pending::remove);
                  } else {
                    LOG.debug(
                        "{}: the server did not take the connection results ({}); sent again"
                            + " after the next update",
                        endpoint,
                        response.getCode());
                  }
                },
                error ->
                    LOG.debug(
                        "{}: sending the connection results failed ({}); sent again after the"
                            + " next update",
                        endpoint,
                        error.getMessage()));
      } catch (org.eclipse.leshan.client.send.NoDataException deleted) {
        // the instances are gone (deleted meanwhile): nothing left to tell
        sending.forEach(pending::remove);
      } catch (RuntimeException e) {
        // refused before it was sent (the client stopping, no connection yet)
        LOG.debug("{}: connection results not sent now: {}", endpoint, e.getMessage());
      }
    }
  }
}
