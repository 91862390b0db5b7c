package org.keyprov.client;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.leshan.client.endpoint.LwM2mClientEndpointsProvider;
import org.keyprov.client.transport.SharedDatagramTransport;

/**
 * Threads shared by many {@link DeviceClient}s in one process: a gateway that hosts many devices,
 * or a load generator. Without a host each client runs a handful of threads of its own; on a host
 * the process runs a fixed number however many clients it holds, while each client keeps its own
 * socket, DTLS session and registration.
 *
 * <pre>{@code
 * try (ClientHost host = ClientHost.builder().ioThreads(2).registrationThreads(32).build()) {
 *   DeviceClient device = DeviceClient.builder().host(host)...build();
 * }
 * }</pre>
 *
 * <p>Close the host after its clients.
 */
public final class ClientHost implements AutoCloseable {
  private final SharedDatagramTransport transport;
  private final ScheduledExecutorService registration;

  private ClientHost(Builder b) {
    this.transport = SharedDatagramTransport.open(b.ioThreads);
    AtomicInteger n = new AtomicInteger();
    this.registration =
        Executors.newScheduledThreadPool(
            b.registrationThreads,
            r -> {
              Thread t = new Thread(r, "keyprov-client-registration-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  public static Builder builder() {
    return new Builder();
  }

  LwM2mClientEndpointsProvider newEndpointsProvider() {
    return transport.newEndpointsProvider();
  }

  /**
   * Runs the clients' registration engines. Registering, updating and deregistering block one of
   * these threads for a round trip, so this bounds how many of the host's clients talk to the DM
   * server at once.
   */
  ScheduledExecutorService registrationExecutor() {
    return registration;
  }

  @Override
  public void close() {
    registration.shutdownNow();
    transport.close();
  }

  public static final class Builder {
    private int ioThreads = 2;
    private int registrationThreads = 32;

    private Builder() {}

    /** Threads for every client's DTLS and CoAP work. Default: 2. */
    public Builder ioThreads(int threads) {
      this.ioThreads = threads;
      return this;
    }

    /**
     * How many of the host's clients may be registering (or updating, deregistering) at once; each
     * blocks a thread for one round trip to the DM server. Default: 32.
     */
    public Builder registrationThreads(int threads) {
      this.registrationThreads = threads;
      return this;
    }

    /** Opens the shared socket selector and starts its receiver thread. */
    public ClientHost build() {
      if (ioThreads < 1) {
        throw new IllegalArgumentException("ioThreads must be at least 1, got " + ioThreads);
      }
      if (registrationThreads < 1) {
        throw new IllegalArgumentException(
            "registrationThreads must be at least 1, got " + registrationThreads);
      }
      return new ClientHost(this);
    }
  }
}
