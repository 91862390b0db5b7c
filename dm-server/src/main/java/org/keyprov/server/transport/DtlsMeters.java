package org.keyprov.server.transport;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.scandium.DtlsHealth;
import org.eclipse.californium.scandium.DtlsHealthExtended;

/**
 * The DM server's DTLS handshakes by result ({@code keyprov.dm.dtls.handshakes}) and the sessions
 * it keeps ({@code keyprov.dm.dtls.sessions}, which Scandium refreshes every 2 s), through
 * Scandium's health hook; the per-record calls do nothing.
 */
public final class DtlsMeters implements DtlsHealth, DtlsHealthExtended {
  private final Counter succeeded;
  private final Counter failed;
  private final AtomicInteger sessions = new AtomicInteger();

  public DtlsMeters(MeterRegistry registry) {
    succeeded = handshakes(registry, "success");
    failed = handshakes(registry, "failure");
    registry.gauge("keyprov.dm.dtls.sessions", sessions);
  }

  private static Counter handshakes(MeterRegistry registry, String result) {
    return Counter.builder("keyprov.dm.dtls.handshakes")
        .description("DTLS handshakes with devices, ended")
        .tag("result", result)
        .register(registry);
  }

  @Override
  public void endHandshake(boolean success) {
    (success ? succeeded : failed).increment();
  }

  @Override
  public void setConnections(int count) {
    sessions.set(count);
  }

  @Override
  public boolean isEnabled() {
    return true;
  }

  @Override
  public void startHandshake() {}

  @Override
  public void receivingRecord(boolean drop) {}

  @Override
  public void sendingRecord(boolean drop) {}

  @Override
  public void dump(String tag, int maxConnections, int remainingCapacity, int pending) {}
}
