package org.keyprov.web.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import org.keyprov.server.provisioning.ProvisioningListener;

/** Provisioning events fanned out to the browsers subscribed to {@code /api/v1/events}. */
final class EventFeed implements ProvisioningListener {
  private static final int MAX_QUEUED = 1000;
  private final List<BlockingQueue<String>> subscribers = new CopyOnWriteArrayList<>();
  private final ObjectMapper json = new ObjectMapper();

  BlockingQueue<String> subscribe() {
    BlockingQueue<String> q = new LinkedBlockingQueue<>(MAX_QUEUED);
    subscribers.add(q);
    return q;
  }

  void unsubscribe(BlockingQueue<String> q) {
    subscribers.remove(q);
  }

  void publish(String type, String endpoint, String enabler, String detail) {
    String event =
        json.createObjectNode()
            .put("type", type)
            .put("endpoint", endpoint)
            .put("enabler", enabler)
            .put("detail", detail)
            .toString();
    for (BlockingQueue<String> q : subscribers) {
      q.offer(event); // a slow browser loses events rather than slowing provisioning
    }
  }

  @Override
  public void provisioned(String endpoint, String nafFqdn, int keyVersion) {
    publish("provisioned", endpoint, nafFqdn, "key version " + keyVersion);
  }

  @Override
  public void failed(String endpoint, String nafFqdn, String reason) {
    publish("failed", endpoint, nafFqdn, reason);
  }

  @Override
  public void unsupported(String endpoint, String reason) {
    publish("unsupported", endpoint, "", reason);
  }

  @Override
  public void connectionReported(String endpoint, String nafFqdn, String result) {
    publish("connection", endpoint, nafFqdn, result);
  }
}
