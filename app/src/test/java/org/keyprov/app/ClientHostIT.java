package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.response.ReadResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.client.ClientHost;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.keys.ProvisioningState;

/** Many device clients in one process on a fixed set of shared threads (a gateway, a load test). */
class ClientHostIT {
  private static final int DEVICES = 40;

  @TempDir Path dir;
  private Harness h;

  @BeforeEach
  void start() {
    h = new Harness(dir);
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  @Test
  void forty_devices_on_one_host_register_provision_and_deregister_on_a_fixed_set_of_threads()
      throws Exception {
    h.givenEnabler("a.enabler.test");
    for (int i = 0; i < DEVICES; i++) {
      h.givenDevice(endpoint(i), psk(i), "a.enabler.test");
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<DeviceClient> devices = new ArrayList<>();
    try (ClientHost host = ClientHost.builder().ioThreads(2).registrationThreads(4).build()) {
      startAndProvision(host, 0, 10, devices);
      int withTen = threads.getThreadCount();

      startAndProvision(host, 10, DEVICES, devices);

      // on their own threads, 30 more clients would add 60 or more
      assertThat(threads.getThreadCount() - withTen)
          .as(
              "threads now: %s",
              Thread.getAllStackTraces().keySet().stream().map(Thread::getName).sorted().toList())
          .isLessThanOrEqualTo(2);
      await().until(() -> devices.stream().allMatch(d -> d.enablerParameters().size() == 1));
      ConnectionResult result = devices.get(DEVICES - 1).connector().connect("a.enabler.test");
      assertThat(result.success()).as(result.detail()).isTrue();

      // clients leaving the host do not disturb the ones that stay on its shared receiver
      devices.subList(0, DEVICES / 2).forEach(DeviceClient::close);
      ReadResponse read = h.dm.send(endpoint(DEVICES - 1), new ReadRequest(3, 0, 0));
      assertThat(read.isSuccess()).as(read.toString()).isTrue();
      assertThat(h.dm.registeredCount()).isEqualTo(DEVICES / 2);

      devices.subList(DEVICES / 2, DEVICES).forEach(DeviceClient::close);
      assertThat(h.dm.registeredCount()).isZero();
    }
  }

  private void startAndProvision(ClientHost host, int from, int to, List<DeviceClient> devices) {
    for (int i = from; i < to; i++) {
      DeviceClient device =
          DeviceClient.builder()
              .host(host)
              .endpoint(endpoint(i))
              .dmServer(h.dm.coapsUri())
              .dmPsk(endpoint(i) + "-dm", psk(i))
              .stateFile(dir.resolve(endpoint(i) + ".state"))
              .requestTimeout(Duration.ofSeconds(5))
              .build();
      devices.add(device);
      device.start();
    }
    for (int i = from; i < to; i++) {
      h.awaitState(endpoint(i), "a.enabler.test", ProvisioningState.PROVISIONED);
    }
  }

  @Test
  void a_host_refuses_nonsense_sizes() {
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> ClientHost.builder().ioThreads(0).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ioThreads must be at least 1, got 0");
  }

  private static String endpoint(int i) {
    return String.format("host-dev-%02d", i);
  }

  private static byte[] psk(int i) {
    return ("host-device-psk-" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
