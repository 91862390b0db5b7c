package org.keyprov.client.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.californium.core.CoapServer;
import org.eclipse.californium.elements.Connector;
import org.eclipse.californium.elements.config.Configuration;
import org.eclipse.californium.scandium.DTLSConnector;
import org.eclipse.californium.scandium.config.DtlsConfig;
import org.eclipse.californium.scandium.config.DtlsConnectorConfig;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointFactory;
import org.eclipse.leshan.client.californium.endpoint.CaliforniumClientEndpointsProvider;
import org.eclipse.leshan.client.californium.endpoint.coaps.CoapsClientEndpointFactory;
import org.eclipse.leshan.client.californium.endpoint.coaps.CoapsClientProtocolProvider;
import org.eclipse.leshan.client.endpoint.ClientEndpointToolbox;
import org.eclipse.leshan.client.notification.NotificationManager;
import org.eclipse.leshan.client.request.DownlinkRequestReceiver;
import org.eclipse.leshan.client.resource.LwM2mObjectTree;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CoAPs (DTLS) endpoints for many Leshan clients in one process that share a fixed set of threads:
 * one selector thread receives for every client's UDP socket, and one pool runs every client's DTLS
 * and CoAP work. A Leshan client on its own endpoints provider runs about six threads (a DTLS
 * receiver, timer and worker, two CoAP executors, its registration engine), which caps a process at
 * a few thousand clients; here the thread count does not grow with the clients.
 *
 * <p>Each client keeps its own UDP socket and DTLS session, so the server sees what it would see
 * from separate devices.
 */
public final class SharedDatagramTransport implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SharedDatagramTransport.class);
  private static final int MAX_DATAGRAM = 65_535;

  private final ScheduledExecutorService io;
  private final ScheduledExecutorService secondary;
  private final Selector selector;
  private final Thread receiver;
  // used by the receiver thread only; each datagram is copied out at its own length
  private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);

  private SharedDatagramTransport(int ioThreads, Selector selector) {
    this.io = Executors.newScheduledThreadPool(ioThreads, daemon("keyprov-client-io"));
    this.secondary = Executors.newSingleThreadScheduledExecutor(daemon("keyprov-client-timer"));
    this.selector = selector;
    this.receiver = daemon("keyprov-client-receiver").newThread(this::receive);
  }

  /**
   * Opens the selector and starts the receiver thread.
   *
   * @param ioThreads threads for every client's DTLS handshakes, records and CoAP exchanges
   * @throws UncheckedIOException if the selector cannot be opened
   */
  public static SharedDatagramTransport open(int ioThreads) {
    if (ioThreads < 1) {
      throw new IllegalArgumentException("ioThreads must be at least 1, got " + ioThreads);
    }
    Selector selector;
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector for the shared client transport", e);
    }
    SharedDatagramTransport transport = new SharedDatagramTransport(ioThreads, selector);
    transport.receiver.start();
    return transport;
  }

  /** A CoAPs endpoints provider for one more Leshan client on these threads. */
  public CaliforniumClientEndpointsProvider newEndpointsProvider() {
    return new Builder().build();
  }

  @Override
  public void close() {
    try {
      selector.close();
    } catch (IOException e) {
      LOG.debug("closing the selector", e);
    }
    receiver.interrupt();
    io.shutdownNow();
    secondary.shutdownNow();
  }

  private void receive() {
    try {
      while (selector.isOpen()) {
        selector.select();
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          try {
            if (key.isReadable()) {
              drain((DatagramChannel) key.channel(), (ChannelDtlsConnector) key.attachment());
            }
          } catch (CancelledKeyException e) {
            // the client closed its socket meanwhile
          }
        }
      }
    } catch (ClosedSelectorException e) {
      // closed: done
    } catch (IOException e) {
      LOG.error("the shared client receiver stopped", e);
    }
  }

  private void drain(DatagramChannel channel, ChannelDtlsConnector connector) {
    ByteBuffer buffer = receiveBuffer;
    buffer.clear();
    try {
      SocketAddress from;
      while ((from = channel.receive(buffer)) != null) {
        buffer.flip();
        byte[] data = new byte[buffer.remaining()];
        buffer.get(data);
        buffer.clear();
        // One datagram's failure must not stop the others' receiver.
        try {
          connector.processDatagram(new DatagramPacket(data, data.length, from));
        } catch (RuntimeException e) {
          LOG.warn("dropped a datagram from {}", from, e);
        }
      }
    } catch (IOException e) {
      // a client closed its socket between select and receive
      LOG.debug("receive on a closed client socket", e);
    }
  }

  private void register(DatagramChannel channel, ChannelDtlsConnector connector)
      throws IOException {
    channel.register(selector, SelectionKey.OP_READ, connector);
    selector.wakeup();
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** A Scandium connector whose socket is a non-blocking channel read by the shared receiver. */
  private final class ChannelDtlsConnector extends DTLSConnector {
    private volatile DatagramChannel channel;

    ChannelDtlsConnector(DtlsConnectorConfig config) {
      super(config);
      // a scheduled executor also serves as the connector's timer: no thread of its own
      setExecutor(io);
    }

    @Override
    protected void start(InetSocketAddress bindAddress) throws IOException {
      if (isRunning()) {
        return;
      }
      DatagramChannel opened = DatagramChannel.open();
      try {
        opened.bind(bindAddress);
        opened.configureBlocking(false);
        channel = opened;
        init(bindAddress, opened.socket(), null);
        register(opened, this);
      } catch (IOException | RuntimeException e) {
        opened.close();
        throw e;
      }
    }

    @Override
    protected void sendNextDatagramOverNetwork(DatagramPacket datagram) throws IOException {
      DatagramChannel current = channel;
      if (current == null || !current.isOpen()) {
        throw new IOException("the client's socket is closed");
      }
      ByteBuffer data =
          ByteBuffer.wrap(datagram.getData(), datagram.getOffset(), datagram.getLength());
      if (current.send(data, datagram.getSocketAddress()) == 0) {
        // the socket buffer is full: drop, as the network would; DTLS and CoAP retransmit
        LOG.debug("send buffer full, dropped a datagram to {}", datagram.getSocketAddress());
      }
    }
  }

  private final class Builder extends CaliforniumClientEndpointsProvider.Builder {
    Builder() {
      super(new ProtocolProvider());
    }

    @Override
    public CaliforniumClientEndpointsProvider build() {
      generateDefaultValue();
      return new EndpointsProvider(this);
    }
  }

  private final class EndpointsProvider extends CaliforniumClientEndpointsProvider {
    EndpointsProvider(Builder builder) {
      super(builder);
    }

    @Override
    public void init(
        LwM2mObjectTree objectTree,
        DownlinkRequestReceiver requestReceiver,
        NotificationManager notificationManager,
        ClientEndpointToolbox toolbox) {
      super.init(objectTree, requestReceiver, notificationManager, toolbox);
      CoapServer server = getCoapServer();
      server.setExecutors(io, secondary, true);
    }
  }

  private final class ProtocolProvider extends CoapsClientProtocolProvider {
    @Override
    public void applyDefaultValue(Configuration configuration) {
      super.applyDefaultValue(configuration);
      configuration.set(DtlsConfig.DTLS_RECEIVER_THREAD_COUNT, 0);
    }

    @Override
    public CaliforniumClientEndpointFactory createDefaultEndpointFactory() {
      return new CoapsClientEndpointFactory() {
        @Override
        protected Connector createSecuredConnector(DtlsConnectorConfig dtlsConfig) {
          return new ChannelDtlsConnector(dtlsConfig);
        }
      };
    }
  }
}
