package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.client.ConnectionResult;
import org.keyprov.client.DeviceClient;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.enabler.Enabler;
import org.keyprov.enabler.lookup.HandshakeListener;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.LookupResult.Refusal;
import org.keyprov.keys.ProvisioningState;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;
import org.keyprov.keys.zn.RemotePskLookup;
import org.keyprov.web.WebServer;

/**
 * The Enabler as its own service: it reaches the Key Manager only through the HTTPS lookup API with
 * its own credential, and serves devices and third-party stacks over PSK-TLS and DTLS-PSK.
 */
class EnablerServiceIT {
  private static final byte[] DM_PSK = "device-dm-psk-0001".getBytes();
  private static final InetSocketAddress LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  private static final String FQDN = "svc.enabler.test";

  @TempDir Path dir;
  private Harness h;
  private HttpsIdentity https;
  private WebServer web;
  private Enabler enabler;
  private String credential;
  private final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
  private final io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
      new io.micrometer.core.instrument.simple.SimpleMeterRegistry();

  @BeforeEach
  void start() throws Exception {
    h = new Harness(dir);
    https = h.https();
    web = h.startWeb(0);
    // the profile's URIs are fixed once the Enabler's ports are known
    h.km.admin().putEnabler(profile(URI.create("tls://127.0.0.1:1")), "test");
    credential = h.km.enablerCredentials().issue(FQDN, "test").secret();
    enabler = startEnabler(credential, Duration.ofSeconds(30));
    h.km.admin().putEnabler(profile(enabler.tlsUri()), "test");
  }

  private Enabler startEnabler(String credential, Duration cacheTtl) {
    RemotePskLookup remote =
        RemotePskLookup.builder()
            .keyManager(web.uri())
            .certificate(https.certificate)
            .credential(credential)
            .timeout(Duration.ofSeconds(1))
            .build();
    Enabler e =
        Enabler.builder()
            .nafId(nafId())
            .lookup(remote)
            .invalidations(remote.invalidations())
            .coapsAddress(LOOPBACK)
            .tlsAddress(LOOPBACK)
            .lookupTimeout(Duration.ofSeconds(2))
            .cacheTtl(cacheTtl)
            .meters(meters)
            .listener(
                new HandshakeListener() {
                  @Override
                  public void keyGranted(String id, String endpoint, int version) {
                    events.add("granted " + id);
                  }

                  @Override
                  public void keyRefused(String id, Refusal reason, String message) {
                    events.add("refused " + reason + " " + id);
                  }

                  @Override
                  public void lookupFailed(String id, String reason) {
                    events.add("failed " + reason);
                  }

                  @Override
                  public void handshakeFailed(String id, String reason) {
                    events.add("handshake-failed " + id + " " + reason);
                  }
                })
            .build();
    e.start();
    h.onClose(e);
    return e;
  }

  private static NafId nafId() {
    return new NafId(
        FQDN, UaSecurityProtocolId.omaPskTls(EnablerProfile.TLS_PSK_WITH_AES_128_CCM_8));
  }

  private static EnablerProfile profile(URI uri) {
    return new EnablerProfile(
        nafId(), uri, List.of(uri.toString()), List.of(0xC0A8, 0x00A8), Duration.ofDays(1));
  }

  @AfterEach
  void stop() throws Exception {
    h.close();
  }

  private EnablerSecurityState provisionedDevice() {
    h.givenDevice("ep1", DM_PSK, FQDN);
    DeviceClient device = h.startDevice("ep1", "ep1-dm", DM_PSK);
    h.awaitState("ep1", FQDN, ProvisioningState.PROVISIONED);
    await().until(() -> device.enablerParameters().size() == 1);
    return device.enablerParameters().get(0);
  }

  @Test
  void device_connects_over_psk_tls_with_a_key_served_by_the_remote_api() {
    provisionedDevice();
    DeviceClient device = h.deviceClient("ep1");

    ConnectionResult result = device.connector().connect(FQDN);

    assertThat(result.success()).as(result.detail()).isTrue();
    assertThat(result.detail())
        .startsWith("identity=" + device.enablerParameters().get(0).pskIdentity());
    assertThat(h.km.audit().recent(20))
        .anySatisfy(e -> assertThat(e.detail()).startsWith("granted"));
  }

  @Test
  void device_connects_over_dtls_psk_with_a_key_served_by_the_remote_api() {
    EnablerSecurityState p = provisionedDevice();
    DeviceClient device = h.deviceClient("ep1");
    h.km.admin().putEnabler(profile(enabler.coapsUri()), "test");
    h.dm.provisionNow("ep1");
    await().until(() -> device.enablerParameters().get(0).enablerUri().startsWith("coaps"));

    ConnectionResult result = device.connector().connect(FQDN);

    assertThat(result.success()).as(result.detail()).isTrue();
    assertThat(result.detail()).contains("identity=" + p.pskIdentity());
  }

  @Test
  void openssl_completes_tls12_and_tls13_with_the_enabler_and_gets_the_echo() throws Exception {
    EnablerSecurityState p = provisionedDevice();
    String port = String.valueOf(enabler.tlsUri().getPort());
    String key = HexFormat.of().formatHex(p.pskKey());

    String tls12 =
        Peers.run(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-tls1_2",
                "-psk_identity",
                p.pskIdentity(),
                "-psk",
                key,
                "-cipher",
                "PSK-AES128-GCM-SHA256"),
            "ping12\n",
            out -> out.contains("echo=ping12"),
            Duration.ofSeconds(20));
    assertThat(tls12)
        .contains("PSK identity hint: 3GPP-bootstrapping")
        .contains("Cipher is PSK-AES128-GCM-SHA256")
        .contains("identity=" + p.pskIdentity() + " echo=ping12");

    String prefixed =
        Peers.run(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + port,
                "-tls1_3",
                "-psk_identity",
                BTid.PSK_IDENTITY_PREFIX + p.pskIdentity(),
                "-psk",
                key,
                "-ciphersuites",
                "TLS_AES_128_GCM_SHA256"),
            "ping13\n",
            out -> out.contains("echo=ping13"),
            Duration.ofSeconds(20));
    assertThat(prefixed)
        .contains("TLSv1.3")
        .contains("identity=3GPP-bootstrapping." + p.pskIdentity() + " echo=ping13");
  }

  @Test
  void openssl_completes_a_dtls12_handshake_with_the_provisioned_key() throws Exception {
    EnablerSecurityState p = provisionedDevice();
    String out = opensslDtls(p.pskIdentity(), HexFormat.of().formatHex(p.pskKey()));
    assertThat(out).contains("New, TLSv1.2, Cipher is PSK-AES128-CCM8");
  }

  @Test
  void coap_client_gnutls_gets_the_whoami_resource_over_dtls() throws Exception {
    // libcoap takes the key as text: serve a printable key for one test identity
    String identity = "AAECAwQFBgcICQoLDA0ODw==@km.test";
    byte[] textKey = "coap-interop-key".getBytes();
    try (Enabler textEnabler =
        Enabler.builder()
            .nafId(nafId())
            .lookup(new org.keyprov.keys.testing.FakePskLookup(identity, textKey))
            .coapsAddress(LOOPBACK)
            .build()) {
      textEnabler.start();
      String out =
          Peers.run(
              List.of(
                  "coap-client-gnutls",
                  "-u",
                  identity,
                  "-k",
                  new String(textKey),
                  textEnabler.coapsUri() + "/whoami"),
              null,
              o -> o.contains("identity="),
              Duration.ofSeconds(20));
      assertThat(out).contains("identity=" + identity).doesNotContain("ERR");

      String wrong =
          Peers.run(
              List.of(
                  "coap-client-gnutls",
                  "-u",
                  identity,
                  "-k",
                  "not-the-right-key",
                  textEnabler.coapsUri() + "/whoami"),
              null,
              o -> o.contains("ERR"),
              Duration.ofSeconds(30));
      assertThat(wrong).doesNotContain("identity=");
    }
  }

  @Test
  void a_wrong_key_gets_no_session_and_is_logged_and_audited_as_a_failed_handshake()
      throws Exception {
    EnablerSecurityState p = provisionedDevice();
    String wrong = "00112233445566778899aabbccddeeff";
    String tls12 =
        opensslUntilAlert("-tls1_2", p.pskIdentity(), wrong, "-cipher", "PSK-AES128-GCM-SHA256");
    assertThat(tls12).contains("alert").doesNotContain("echo=");
    String tls13 =
        opensslUntilAlert(
            "-tls1_3", p.pskIdentity(), wrong, "-ciphersuites", "TLS_AES_128_GCM_SHA256");
    assertThat(tls13).contains("alert").doesNotContain("echo=");
    var dtls =
        org.keyprov.client.transport.DtlsPskChannel.get(
            URI.create(enabler.coapsUri() + "/whoami"),
            p.pskIdentity(),
            java.util.HexFormat.of().parseHex(wrong),
            List.of(0xC0A8),
            Duration.ofSeconds(3));
    assertThat(dtls.success()).isFalse();

    // the Enabler's listener (and log) name it, and the Key Manager audits it, with the device
    await()
        .untilAsserted(
            () ->
                assertThat(events)
                    .filteredOn(e -> e.startsWith("handshake-failed " + p.pskIdentity()))
                    .anySatisfy(e -> assertThat(e).contains("TLS 1.2: bad_record_mac"))
                    .anySatisfy(e -> assertThat(e).contains("TLS 1.3: decrypt_error"))
                    .anySatisfy(e -> assertThat(e).contains("DTLS")));
    await()
        .untilAsserted(
            () ->
                assertThat(h.km.audit().recent(100))
                    .filteredOn(e -> e.action().equals("handshake.failed"))
                    .hasSize(3)
                    .allSatisfy(
                        e -> {
                          assertThat(e.actor()).isEqualTo(FQDN);
                          assertThat(e.subject()).isEqualTo(p.pskIdentity());
                          assertThat(e.detail())
                              .contains("device ep1, key version 1")
                              .contains("did not match")
                              .doesNotContain(wrong);
                        }));
    // and the Enabler's meters count them, besides the key grants
    await()
        .untilAsserted(
            () -> assertThat(handshakes("key_mismatch", "none")).isGreaterThanOrEqualTo(3));
    assertThat(handshakes("granted", "none")).isGreaterThanOrEqualTo(1);
  }

  private double handshakes(String result, String reason) {
    return meters
        .get("keyprov.enabler.handshakes")
        .tag("enabler", FQDN)
        .tag("result", result)
        .tag("reason", reason)
        .counter()
        .count();
  }

  @Test
  void an_unknown_identity_gets_the_unknown_psk_identity_alert() throws Exception {
    String unknown = "AAAAAAAAAAAAAAAAAAAAAA==@km.test";
    String out =
        Peers.run(
            List.of(
                "openssl",
                "s_client",
                "-connect",
                "127.0.0.1:" + enabler.tlsUri().getPort(),
                "-tls1_2",
                "-psk_identity",
                unknown,
                "-psk",
                "00112233445566778899aabbccddeeff",
                "-cipher",
                "PSK-AES128-GCM-SHA256"),
            "x\n",
            o -> o.contains("alert"),
            Duration.ofSeconds(20));
    assertThat(out).contains("alert unknown psk identity");
    await().until(() -> events.contains("refused UNKNOWN_IDENTITY " + unknown));
    assertThat(handshakes("refused", "UNKNOWN_IDENTITY")).isEqualTo(1);
  }

  @Test
  void tls13_and_dtls_refusals_send_the_unknown_psk_identity_alert_too() throws Exception {
    String unknown = "AAAAAAAAAAAAAAAAAAAAAA==@km.test";
    String tls13 =
        opensslUntilAlert(
            "-tls1_3",
            unknown,
            "00112233445566778899aabbccddeeff",
            "-ciphersuites",
            "TLS_AES_128_GCM_SHA256");
    assertThat(tls13).contains("alert unknown psk identity");

    long started = System.nanoTime();
    String dtls = opensslDtls(unknown, "00112233445566778899aabbccddeeff");
    // an answer, not the client's retransmissions running out
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(dtls).contains("alert unknown psk identity");
  }

  @Test
  void key_manager_down_is_internal_error_on_the_wire_never_unknown_psk_identity()
      throws Exception {
    EnablerSecurityState p = provisionedDevice();
    String key = HexFormat.of().formatHex(p.pskKey());
    web.close();

    String tls12 =
        opensslUntilAlert("-tls1_2", p.pskIdentity(), key, "-cipher", "PSK-AES128-GCM-SHA256");
    String tls13 =
        opensslUntilAlert(
            "-tls1_3", p.pskIdentity(), key, "-ciphersuites", "TLS_AES_128_GCM_SHA256");
    String dtls = opensslDtls(p.pskIdentity(), key);

    assertThat(tls12).contains("alert internal error").doesNotContain("unknown psk identity");
    assertThat(tls13).contains("alert internal error").doesNotContain("unknown psk identity");
    assertThat(dtls).contains("alert internal error").doesNotContain("unknown psk identity");
  }

  @Test
  void gnutls_cli_with_its_default_priorities_plus_psk_completes_tls13() throws Exception {
    EnablerSecurityState p = provisionedDevice();
    String out =
        Peers.run(
            List.of(
                "gnutls-cli",
                // GnuTLS's default priorities plus its PSK key exchanges, which NORMAL leaves out;
                // its TLS 1.3 suites come SHA-384 first
                "--priority",
                "NORMAL:+ECDHE-PSK:+DHE-PSK:+PSK",
                "--pskusername",
                p.pskIdentity(),
                "--pskkey",
                HexFormat.of().formatHex(p.pskKey()),
                "--port",
                String.valueOf(enabler.tlsUri().getPort()),
                "127.0.0.1"),
            "hello-gnutls\n",
            o -> o.contains("echo=hello-gnutls") || o.contains("Error") || o.contains("rror"),
            Duration.ofSeconds(20));
    assertThat(out)
        .contains("TLS1.3")
        .contains("identity=" + p.pskIdentity() + " echo=hello-gnutls");
  }

  /** openssl s_client over TLS to the Enabler, until it prints an alert (or 20 s). */
  private String opensslUntilAlert(
      String version, String identity, String hexKey, String suiteOption, String suite)
      throws Exception {
    return Peers.run(
        List.of(
            "openssl",
            "s_client",
            "-connect",
            "127.0.0.1:" + enabler.tlsUri().getPort(),
            version,
            "-psk_identity",
            identity,
            "-psk",
            hexKey,
            suiteOption,
            suite),
        "x\n",
        o -> o.contains("alert"),
        Duration.ofSeconds(20));
  }

  private String opensslDtls(String identity, String hexKey) throws Exception {
    return Peers.run(
        List.of(
            "openssl",
            "s_client",
            "-dtls1_2",
            "-connect",
            "127.0.0.1:" + enabler.coapsUri().getPort(),
            "-psk_identity",
            identity,
            "-psk",
            hexKey,
            "-cipher",
            "PSK-AES128-CCM8"),
        "",
        o -> o.contains("alert") || o.contains("Cipher is"),
        Duration.ofSeconds(30));
  }

  /** One TLS exchange with the Enabler with exactly this identity and key (a copy of both). */
  private boolean works(EnablerSecurityState key) {
    return org.keyprov.client.transport.TlsPskChannel.exchange(
            enabler.tlsUri(), key.pskIdentity(), key.pskKey(), false, Duration.ofSeconds(5), "x")
        .success();
  }

  @Test
  void a_revocation_reaches_a_remote_enabler_within_two_seconds_despite_a_long_cache_ttl() {
    EnablerSecurityState p = provisionedDevice();
    assertThat(works(p)).isTrue();
    assertThat(works(p)).isTrue();
    assertThat(enabler.cacheHitsAndMisses()[0]).as("served from the cache").isPositive();

    h.km.admin().revoke(new BTid(p.pskIdentity()), "test");
    long revoked = System.nanoTime();

    // the device itself gets a new key at once; the old one, tried on purpose, must stop working
    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !works(p));
    assertThat(Duration.ofNanos(System.nanoTime() - revoked)).isLessThan(Duration.ofSeconds(2));
    await().until(() -> events.stream().anyMatch(e -> e.startsWith("refused REVOKED")));
  }

  @Test
  void deleting_a_device_stops_its_cached_key_at_the_enabler_at_once() {
    EnablerSecurityState p = provisionedDevice();
    assertThat(works(p)).isTrue();

    h.km.admin().deleteDevice("ep1", "test");

    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !works(p));
  }

  @Test
  void unassigning_the_enabler_stops_its_key_at_once_and_deletes_the_instance_on_the_device() {
    EnablerSecurityState p = provisionedDevice();
    assertThat(works(p)).isTrue();

    h.km.admin().unassign("ep1", FQDN, "operator");

    await()
        .atMost(Duration.ofSeconds(2))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> !works(p));
    await().until(() -> h.deviceClient("ep1").enablerParameters().isEmpty());
    assertThat(h.km.ledger().assignments("ep1")).isEmpty();
    assertThat(h.km.audit().recent(20))
        .anySatisfy(
            e -> {
              assertThat(e.action()).isEqualTo("enabler.unassigned");
              assertThat(e.actor()).isEqualTo("operator");
            });
  }

  @Test
  void keyprov_enabler_refuses_to_start_with_a_wrong_url_certificate_or_credential()
      throws Exception {
    Path cert = https.certificateFile;
    Path good = java.nio.file.Files.writeString(dir.resolve("good.cred"), credential);
    Path bad = java.nio.file.Files.writeString(dir.resolve("bad.cred"), "kpe_not-a-credential");
    java.nio.file.Files.createDirectories(dir.resolve("other"));
    HttpsIdentity other =
        HttpsIdentity.loadOrCreate(
            dir.resolve("other"),
            org.keyprov.keys.store.testing.TestKeyManagers.MASTER_KEY,
            List.of());
    String[] base = {"enabler", "--fqdn", FQDN, "--coaps-port", "0", "--tls-port", "-1"};

    Cli nobody = enablerCli(base, "https://127.0.0.1:1", cert, good);
    Cli wrongCert = enablerCli(base, web.uri().toString(), other.certificateFile, good);
    Cli wrongCredential = enablerCli(base, web.uri().toString(), cert, bad);

    assertThat(nobody.exitCode()).isNotZero();
    assertThat(nobody.err()).contains("cannot reach the Key Manager").doesNotContain("\tat ");
    assertThat(wrongCert.exitCode()).isNotZero();
    assertThat(wrongCert.err()).contains("does not present the pinned Key Manager certificate");
    assertThat(wrongCredential.exitCode()).isNotZero();
    assertThat(wrongCredential.err()).contains("refused this Enabler's credential (401)");
  }

  private static Cli enablerCli(String[] base, String url, Path cert, Path credentialFile) {
    List<String> args = new java.util.ArrayList<>(List.of(base));
    args.addAll(
        List.of(
            "--key-manager",
            url,
            "--key-manager-cert",
            cert.toString(),
            "--credential-file",
            credentialFile.toString()));
    return Cli.run(args.toArray(new String[0]));
  }

  @Test
  void another_enablers_identity_is_refused() throws Exception {
    EnablerSecurityState p = provisionedDevice();
    String otherCredential;
    h.km
        .admin()
        .putEnabler(
            EnablerProfile.dtls(
                "other.enabler.test", URI.create("coaps://127.0.0.1:9"), Duration.ofDays(1)),
            "test");
    otherCredential = h.km.enablerCredentials().issue("other.enabler.test", "test").secret();
    RemotePskLookup other =
        RemotePskLookup.builder()
            .keyManager(web.uri())
            .certificate(https.certificate)
            .credential(otherCredential)
            .build();

    var answer =
        other.lookup(
            p.pskIdentity(), h.km.admin().enabler("other.enabler.test").orElseThrow().nafId());

    assertThat(answer).isInstanceOf(org.keyprov.keys.LookupResult.Refused.class);
    assertThat(((org.keyprov.keys.LookupResult.Refused) answer).reason())
        .isEqualTo(Refusal.OTHER_NAF);
    // and a credential cannot ask under someone else's NAF_Id
    var borrowed = other.lookup(p.pskIdentity(), nafId());
    assertThat(((org.keyprov.keys.LookupResult.Refused) borrowed).message())
        .contains("issued for other.enabler.test, not for " + FQDN);
  }

  @Test
  void a_revoked_enabler_credential_fails_handshakes_with_a_clear_reason() throws Exception {
    EnablerSecurityState p = provisionedDevice();
    String label = h.km.enablerCredentials().list().get(0).label();
    h.km.enablerCredentials().revoke(label, "test");

    ConnectionResult result = h.deviceClient("ep1").connector().connect(FQDN);

    assertThat(result.success()).isFalse();
    await()
        .until(
            () ->
                events.stream()
                    .anyMatch(
                        e ->
                            e.startsWith(
                                "failed the Key Manager refused this Enabler's credential (401)")));
    assertThat(p.pskIdentity()).isNotEmpty();
  }

  @Test
  void key_manager_down_fails_fast_and_recovers_when_it_is_back() throws Exception {
    provisionedDevice();
    DeviceClient device = h.deviceClient("ep1");
    int port = web.uri().getPort();
    web.close();

    long started = System.nanoTime();
    ConnectionResult down = device.connector().connect(FQDN);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(down.success()).isFalse();
    assertThat(took).isLessThan(Duration.ofSeconds(5));
    await()
        .until(
            () ->
                events.stream().anyMatch(e -> e.startsWith("failed cannot reach the Key Manager")));

    web = h.startWeb(port);
    await().atMost(Duration.ofSeconds(20)).until(() -> device.connector().connect(FQDN).success());
  }

  @Test
  void repeated_handshakes_hit_the_cache_and_a_revoked_key_stops_within_the_ttl() {
    EnablerSecurityState p = provisionedDevice();
    DeviceClient device = h.deviceClient("ep1");
    Enabler shortCache = startEnabler(credential, Duration.ofSeconds(1));
    h.km.admin().putEnabler(profile(shortCache.tlsUri()), "test");
    h.dm.provisionNow("ep1");
    await()
        .until(
            () ->
                device
                    .enablerParameters()
                    .get(0)
                    .enablerUri()
                    .equals(shortCache.tlsUri().toString()));

    for (int i = 0; i < 3; i++) {
      assertThat(device.connector().connect(FQDN).success()).isTrue();
    }
    assertThat(shortCache.cacheHitsAndMisses()).containsExactly(2, 1);

    EnablerSecurityState held = device.enablerParameters().get(0);
    h.km.admin().revoke(new BTid(held.pskIdentity()), "test");
    // the revoked key itself (the device gets a new one at once)
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                !org.keyprov.client.transport.TlsPskChannel.exchange(
                        shortCache.tlsUri(),
                        held.pskIdentity(),
                        held.pskKey(),
                        false,
                        Duration.ofSeconds(5),
                        "x")
                    .success());
    await().until(() -> events.stream().anyMatch(e -> e.startsWith("refused REVOKED")));
    assertThat(p.pskIdentity()).isNotEmpty();
  }
}
