package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.sql.DataSource;
import org.eclipse.leshan.core.ResponseCode;
import org.eclipse.leshan.core.node.LwM2mSingleResource;
import org.eclipse.leshan.core.request.DiscoverRequest;
import org.eclipse.leshan.core.request.ExecuteRequest;
import org.eclipse.leshan.core.request.ObserveRequest;
import org.eclipse.leshan.core.request.ReadRequest;
import org.eclipse.leshan.core.request.WriteRequest;
import org.eclipse.leshan.core.request.exception.RequestCanceledException;
import org.eclipse.leshan.core.response.DiscoverResponse;
import org.eclipse.leshan.core.response.ExecuteResponse;
import org.eclipse.leshan.core.response.ReadResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.app.testing.Nginx;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.client.transport.TlsPskChannel;
import org.keyprov.enabler.Enabler;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.OperatorAccounts.Role;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;
import org.keyprov.keys.store.testing.PostgresServer;
import org.keyprov.keys.store.testing.RedisServer;
import org.keyprov.keys.zn.RemotePskLookup;
import org.keyprov.server.DmServer;
import org.keyprov.web.WebServer;

/**
 * Two keyprov server nodes on one PostgreSQL database and one Redis behind nginx, configured by
 * {@code deploy/nginx/keyprov.conf}: devices register and Enablers look keys up through the
 * balancer only, every node sees every registration, and every node serves every operator.
 */
class ClusterIT {
  private static final String FQDN = "cluster.enabler.test";
  private static final String SECOND_FQDN = "second.enabler.test";
  private static final String[] NODE_NAMES = {"node-0", "node-1"};
  private static final String PASSWORD = "a long enough password";
  private static final int DEVICES = 8;
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private DataSource db;
  private final Harness[] nodes = new Harness[2];
  private final WebServer[] webs = new WebServer[2];
  private final int[] coapsPorts = new int[2];
  private final int[] httpsPorts = new int[2];
  private Nginx nginx;
  private RedisServer redis;

  @AfterEach
  void stop() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    for (Harness node : nodes) {
      if (node != null) {
        node.close();
      }
    }
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void two_nodes_behind_nginx_provision_once_serve_enablers_and_share_operator_sessions()
      throws Exception {
    startCluster();
    URI balancer = URI.create("https://127.0.0.1:" + nginx.httpsPort);

    // an Enabler that knows the Key Manager only as the balancer's address
    nodes[0].km.admin().putEnabler(profile(URI.create("tls://127.0.0.1:1")), "test");
    String credential = nodes[0].km.enablerCredentials().issue(FQDN, "test").secret();
    RemotePskLookup remote =
        RemotePskLookup.builder()
            .keyManager(balancer)
            .certificate(nodes[0].https().certificate)
            .credential(credential)
            .timeout(Duration.ofSeconds(2))
            .build();
    Enabler enabler =
        Enabler.builder()
            .nafId(nafId())
            .lookup(remote)
            .invalidations(remote.invalidations())
            .tlsAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .lookupTimeout(Duration.ofSeconds(3))
            .cacheTtl(Duration.ofMinutes(10))
            .build();
    enabler.start();
    closeables.add(enabler);
    nodes[1].km.admin().putEnabler(profile(enabler.tlsUri()), "test");

    // an operator logs in through the balancer and follows node A's event stream
    nodes[0].km.operators().create("olga", PASSWORD.toCharArray(), Role.OPERATOR, "test");
    SSLContext tls = nodes[0].pinnedTls();
    HttpResponse<String> login =
        send(
            tls,
            HttpRequest.newBuilder(balancer.resolve("/api/v1/session"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"olga\",\"password\":\"" + PASSWORD + "\"}")));
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    String cookie = login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    java.util.concurrent.BlockingQueue<String> events =
        new java.util.concurrent.LinkedBlockingQueue<>();
    HttpClient.newBuilder()
        .sslContext(tls)
        .build()
        .sendAsync(
            HttpRequest.newBuilder(webs[0].uri().resolve("/api/v1/events"))
                .header("Cookie", cookie)
                .build(),
            HttpResponse.BodyHandlers.ofLines())
        .thenAccept(r -> r.body().forEach(events::add));

    List<DeviceClient> devices = provisionedFleet(b -> b);
    int onA = 0;
    for (DeviceClient device : devices) {
      String endpoint = device.endpoint();
      assertThat(nodes[0].dm.isRegistered(endpoint) && nodes[1].dm.isRegistered(endpoint))
          .as(endpoint + " is registered for both nodes")
          .isTrue();
      String serving = nodes[0].dm.servingNode(endpoint).orElseThrow();
      assertThat(nodes[1].dm.servingNode(endpoint)).contains(serving);
      onA += serving.equals(NODE_NAMES[0]) ? 1 : 0;
    }
    System.out.printf("ClusterIT: %d devices served by node A, %d by node B%n", onA, DEVICES - onA);
    // node A's stream shows node B's provisionings too
    java.util.Set<String> provisionedSeenOnA = new java.util.HashSet<>();
    await()
        .until(
            () -> {
              for (String line = events.poll(); line != null; line = events.poll()) {
                if (line.startsWith("data: ") && line.contains("\"type\":\"provisioned\"")) {
                  provisionedSeenOnA.add(JSON.readTree(line.substring(6)).get("endpoint").asText());
                }
              }
              return provisionedSeenOnA.size() == DEVICES;
            });
    assertThat(count("SELECT COUNT(*) FROM key_record"))
        .as("one key per device")
        .isEqualTo(DEVICES);
    assertThat(count("SELECT COUNT(*) FROM audit_event WHERE action = 'key.minted'"))
        .isEqualTo(DEVICES);
    for (DeviceClient device : devices) {
      ConnectionResult result = device.connector().connect(FQDN);
      assertThat(result.success()).as(device.endpoint() + ": " + result.detail()).isTrue();
    }

    // an Enabler assigned on the node that does not serve the device reaches it now, not at the
    // device's next registration update (in 5 minutes): that node asks the other through Redis
    nodes[0].km.admin().putEnabler(profile(SECOND_FQDN, URI.create("tls://127.0.0.1:2")), "test");
    for (DeviceClient device : devices.subList(0, 2)) {
      String endpoint = device.endpoint();
      int other = nodes[0].dm.servingNode(endpoint).orElseThrow().equals(NODE_NAMES[0]) ? 1 : 0;
      nodes[other].km.admin().assign(endpoint, SECOND_FQDN, "test");
      nodes[other].dm.provisionNow(endpoint);
      await().atMost(Duration.ofSeconds(10)).until(() -> device.enablerParameters().size() == 2);
    }

    requestsReachEveryDeviceThroughEitherNode(devices);

    // a revocation made on node B reaches the Enabler, whose feed may follow node A, within 2 s
    EnablerSecurityState revoked = devices.get(0).enablerParameters().get(0);
    assertThat(works(enabler, revoked)).isTrue();
    nodes[1].km.admin().revoke(new BTid(revoked.pskIdentity()), "test");
    long revokedAt = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !works(enabler, revoked));
    assertThat(Duration.ofNanos(System.nanoTime() - revokedAt)).isLessThan(Duration.ofSeconds(2));

    // the operator stays logged in while each node restarts
    java.util.Map<String, String> registrationIds = new java.util.HashMap<>();
    for (DeviceClient device : devices) {
      registrationIds.put(
          device.endpoint(), nodes[0].dm.registration(device.endpoint()).orElseThrow().getId());
    }
    for (int restarted = 0; restarted < 2; restarted++) {
      nodes[restarted].close();
      startNode(restarted);
      for (int call = 0; call < 4; call++) {
        // a new connection each time: nginx may send any of them to either node. Right after a
        // restart nginx may have marked both nodes failed for one connection (each was down for a
        // moment): only a connection it refuses is tried again, never an answer
        HttpResponse<String> me =
            await()
                .atMost(Duration.ofSeconds(15))
                .ignoreExceptionsInstanceOf(IOException.class)
                .until(
                    () ->
                        send(
                            tls,
                            HttpRequest.newBuilder(balancer.resolve("/api/v1/session"))
                                .header("Cookie", cookie)
                                .GET()),
                    r -> true);
        assertThat(me.statusCode())
            .as("after node " + restarted + " restarted: " + me.body())
            .isEqualTo(200);
        assertThat(JSON.readTree(me.body()).get("username").asText()).isEqualTo("olga");
      }
    }

    // each node came back under its name with its DTLS sessions: no device registered again, and
    // the connection result each one reports now reaches the ledger through the observation its
    // registration held before the restart
    for (DeviceClient device : devices) {
      String endpoint = device.endpoint();
      long reportedBefore = reported(endpoint);
      ConnectionResult result = device.connector().connect(FQDN);
      assertThat(result.success()).as(endpoint + ": " + result.detail()).isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .alias(endpoint + "'s notification reaches the node that restarted")
          .until(() -> reported(endpoint) > reportedBefore);
      assertThat(nodes[0].dm.registration(endpoint).orElseThrow().getId())
          .as(endpoint + " kept its registration")
          .isEqualTo(registrationIds.get(endpoint));
    }

    // a device given a new DM PSK while its node is down loses its restored session as that node
    // starts (it catches up on the invalidations it missed): registering again takes a handshake
    // with the new DM PSK, which the device does not have
    DeviceClient changed =
        devices.stream()
            .filter(d -> nodes[0].dm.servingNode(d.endpoint()).orElseThrow().equals(NODE_NAMES[0]))
            .findFirst()
            .orElseThrow();
    nodes[0].close();
    nodes[1].km.admin().changeDmPsk(changed.endpoint(), "test");
    startNode(0);
    java.util.concurrent.BlockingQueue<Boolean> registered =
        new java.util.concurrent.LinkedBlockingQueue<>();
    changed.onRegistration(registered::add);
    changed.triggerRegistrationUpdate();
    assertThat(registered.poll(30, java.util.concurrent.TimeUnit.SECONDS))
        .as(changed.endpoint() + " registers again with the DM PSK it had")
        .isFalse();
    assertThat(nodes[0].dm.isRegistered(changed.endpoint())).isFalse();
  }

  /**
   * What an operator (or the object browser) asks of a device, asked on the node that does not
   * serve it: it goes through the one that does, and the device's own answers come back.
   */
  private void requestsReachEveryDeviceThroughEitherNode(List<DeviceClient> devices)
      throws Exception {
    java.util.Set<Integer> triedFrom = new java.util.HashSet<>();
    for (DeviceClient device : devices) {
      String endpoint = device.endpoint();
      int other = nodes[0].dm.servingNode(endpoint).orElseThrow().equals(NODE_NAMES[0]) ? 1 : 0;
      DmServer far = nodes[other].dm;
      ReadResponse manufacturer = far.send(endpoint, new ReadRequest(3, 0, 0));
      assertThat(manufacturer.isSuccess()).as(endpoint + ": " + manufacturer).isTrue();
      assertThat(((LwM2mSingleResource) manufacturer.getContent()).getValue()).isEqualTo("keyprov");
      if (!triedFrom.add(other)) {
        continue; // every kind once from each node
      }
      assertThat(far.send(endpoint, new WriteRequest(3, 0, 14, "+02:00")).isSuccess()).isTrue();
      ReadResponse offset = far.send(endpoint, new ReadRequest(3, 0, 14));
      assertThat(((LwM2mSingleResource) offset.getContent()).getValue()).isEqualTo("+02:00");
      // the Enabler key stays write-only through another node
      assertThat(far.send(endpoint, new ReadRequest(33001, 0, 4)).getCode())
          .isEqualTo(ResponseCode.METHOD_NOT_ALLOWED);
      DiscoverResponse links = far.send(endpoint, new DiscoverRequest(33001));
      assertThat(links.isSuccess()).isTrue();
      assertThat(java.util.Arrays.stream(links.getObjectLinks()).map(l -> l.getPath().toString()))
          .contains("/33001/0", "/33001/0/4");
      ExecuteResponse reboot = far.send(endpoint, new ExecuteRequest(3, 0, 4));
      assertThat(reboot.getCode()).isEqualTo(ResponseCode.INTERNAL_SERVER_ERROR);
      assertThat(reboot.getErrorMessage()).isEqualTo("not implemented");
      assertThatThrownBy(() -> far.send(endpoint, new ObserveRequest(3, 0, 0)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Read, Discover, Write, Execute and Delete");
    }
    assertThat(triedFrom).as("devices on both nodes").hasSize(2);
  }

  /** The connection results of the device that reached the ledger. */
  private long reported(String endpoint) throws Exception {
    try (Connection c = db.getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(*) FROM audit_event WHERE action = 'connection.reported'"
                    + " AND subject = ?")) {
      ps.setString(1, endpoint);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  @Test
  void devices_of_a_node_that_goes_away_register_through_the_balancer_with_the_other()
      throws Exception {
    startCluster();
    nodes[0].km.admin().putEnabler(profile(URI.create("tls://127.0.0.1:1")), "test");
    List<DeviceClient> devices =
        provisionedFleet(
            b ->
                b.lifetime(Duration.ofSeconds(20))
                    .registrationRetry(Duration.ofSeconds(1))
                    .requestTimeout(Duration.ofSeconds(2))
                    .connectTimeout(Duration.ofSeconds(2)));
    long onA =
        devices.stream()
            .filter(d -> nodes[0].dm.servingNode(d.endpoint()).orElseThrow().equals(NODE_NAMES[0]))
            .count();
    System.out.printf("ClusterIT: %d of %d devices on node A before it stops%n", onA, DEVICES);

    nodes[0].close();
    nodes[0] = null;

    // their registrations are in Redis: still listed, served by the stopped node until they
    // register again through the balancer
    long stopped = System.nanoTime();
    assertThat(devices).allMatch(d -> nodes[1].dm.isRegistered(d.endpoint()));
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                devices.stream()
                    .allMatch(
                        d ->
                            nodes[1]
                                .dm
                                .servingNode(d.endpoint())
                                .orElse("")
                                .equals(NODE_NAMES[1])));
    System.out.printf(
        "ClusterIT: all devices on node B %d ms after node A stopped%n",
        Duration.ofNanos(System.nanoTime() - stopped).toMillis());
    for (DeviceClient device : devices) {
      assertThat(device.enablerParameters()).as(device.endpoint()).hasSize(1);
      // node B reaches each of them: their registrations are its own, made on its endpoint (a
      // request is cancelled if the device registers once more meanwhile)
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptionsInstanceOf(RequestCanceledException.class)
          .until(
              () -> nodes[1].dm.send(device.endpoint(), new ReadRequest(3, 0, 0)),
              ReadResponse::isSuccess);
    }
    assertThat(count("SELECT COUNT(*) FROM key_record")).isEqualTo(DEVICES);
  }

  /**
   * {@value #DEVICES} devices, added to the Key Manager with the Enabler, registering through the
   * balancer (each with whichever node its flow hashes to), once all are provisioned.
   */
  private List<DeviceClient> provisionedFleet(
      java.util.function.UnaryOperator<DeviceClient.Builder> tune) {
    List<DeviceClient> devices = new ArrayList<>();
    for (int i = 0; i < DEVICES; i++) {
      String endpoint = "ep" + i;
      byte[] dmPsk = ("device-dm-psk-000" + i).getBytes();
      nodes[i % 2].givenDevice(endpoint, dmPsk, FQDN);
      DeviceClient device =
          tune.apply(
                  DeviceClient.builder()
                      .endpoint(endpoint)
                      .dmServer(URI.create("coaps://127.0.0.1:" + nginx.coapsPort))
                      .dmPsk(endpoint + "-dm", dmPsk)
                      .stateFile(dir.resolve(endpoint + ".state"))
                      .requestTimeout(Duration.ofSeconds(5))
                      .connectTimeout(Duration.ofSeconds(5)))
              .build();
      device.start();
      closeables.add(device);
      devices.add(device);
    }
    for (DeviceClient device : devices) {
      nodes[0].awaitState(device.endpoint(), FQDN, ProvisioningState.PROVISIONED);
      await().until(() -> device.enablerParameters().size() == 1);
    }
    return devices;
  }

  /** A new database and Redis, both nodes on them, and nginx in front of them. */
  private void startCluster() throws Exception {
    db = PostgresServer.shared().newDatabase();
    redis = RedisServer.start(dir.resolve("redis"));
    for (int i = 0; i < 2; i++) {
      coapsPorts[i] = freeUdpPort();
      httpsPorts[i] = freeTcpPort();
      startNode(i);
    }
    nginx =
        Nginx.start(
            Files.createDirectories(dir.resolve("nginx")),
            freeUdpPort(),
            freeTcpPort(),
            List.of(
                new Nginx.Node(coapsPorts[0], httpsPorts[0]),
                new Nginx.Node(coapsPorts[1], httpsPorts[1])));
    closeables.add(nginx);
  }

  /** Starts node {@code i} (again) on its ports, sharing the database and the HTTPS identity. */
  private void startNode(int i) throws Exception {
    nodes[i] = Harness.node(dir, db, NODE_NAMES[i], coapsPorts[i], redis.url());
    webs[i] = nodes[i].startWeb(httpsPorts[i]);
  }

  private static HttpResponse<String> send(SSLContext tls, HttpRequest.Builder request)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(tls).build();
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static boolean works(Enabler enabler, EnablerSecurityState key) {
    return TlsPskChannel.exchange(
            enabler.tlsUri(), key.pskIdentity(), key.pskKey(), false, Duration.ofSeconds(5), "x")
        .success();
  }

  private long count(String sql) throws Exception {
    try (Connection c = db.getConnection();
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static NafId nafId() {
    return nafId(FQDN);
  }

  private static NafId nafId(String fqdn) {
    return new NafId(
        fqdn, UaSecurityProtocolId.omaPskTls(EnablerProfile.TLS_PSK_WITH_AES_128_CCM_8));
  }

  private static EnablerProfile profile(URI uri) {
    return profile(FQDN, uri);
  }

  private static EnablerProfile profile(String fqdn, URI uri) {
    return new EnablerProfile(
        nafId(fqdn), uri, List.of(uri.toString()), List.of(0xC0A8, 0x00A8), Duration.ofDays(1));
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
