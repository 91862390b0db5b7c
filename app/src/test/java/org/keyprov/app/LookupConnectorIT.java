package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.keyprov.keys.EnablerParameters;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.zn.RemotePskLookup;
import org.keyprov.web.WebServer;

/**
 * The Enabler lookup API on a connector and threads of its own: with every HTTPS thread taken by
 * slow operator requests, Enablers' lookups on their port are still answered at once; that port
 * serves nothing else.
 */
class LookupConnectorIT {
  private static final InetSocketAddress LOOPBACK =
      new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @TempDir Path dir;
  private Harness h;
  private WebServer web;
  private final CountDownLatch release = new CountDownLatch(1);
  private final java.util.concurrent.atomic.AtomicInteger held =
      new java.util.concurrent.atomic.AtomicInteger();

  @BeforeEach
  void start() throws Exception {
    h = new Harness(dir);
    HttpsIdentity https = h.https();
    web =
        WebServer.builder()
            .lookup(h.km.lookup())
            .credentials(h.km.enablerCredentials())
            .invalidations(h.km.invalidations())
            .audit(h.km.audit())
            .address(LOOPBACK)
            .lookupConnector(LOOPBACK, 8)
            .httpThreads(8)
            .tls(https.keyStore, https.password)
            .handler(new Slow())
            .build();
    web.start();
  }

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    web.close();
    h.close();
  }

  /** An operator request that holds its thread until the test lets go. */
  private final class Slow extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
      if (!Request.getPathInContext(request).equals("/slow")) {
        return false;
      }
      held.incrementAndGet();
      release.await(60, TimeUnit.SECONDS);
      response.setStatus(200);
      callback.succeeded();
      return true;
    }
  }

  @Test
  void lookups_on_their_own_port_are_answered_while_every_https_thread_is_busy() throws Exception {
    h.givenEnabler("pool.enabler.test");
    h.givenDevice("ep-pool", "pool-dm-psk-0001".getBytes(), "pool.enabler.test");
    EnablerParameters p = h.km.admin().currentParameters("ep-pool", "pool.enabler.test");
    NafId nafId = h.nafIdOf("pool.enabler.test");
    String credential = h.km.enablerCredentials().issue("pool.enabler.test", "test").secret();
    HttpClient client = HttpClient.newBuilder().sslContext(h.pinnedTls()).build();

    // more slow requests than the HTTPS port has threads
    List<CompletableFuture<HttpResponse<Void>>> slow = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      slow.add(
          client.sendAsync(
              HttpRequest.newBuilder(URI.create(web.uri() + "/slow")).build(),
              HttpResponse.BodyHandlers.discarding()));
    }
    RemotePskLookup starved =
        RemotePskLookup.builder()
            .keyManager(web.uri())
            .certificate(h.https().certificate)
            .credential(credential)
            .timeout(Duration.ofSeconds(2))
            .build();
    RemotePskLookup own =
        RemotePskLookup.builder()
            .keyManager(web.lookupUri().orElseThrow())
            .certificate(h.https().certificate)
            .credential(credential)
            .timeout(Duration.ofSeconds(5))
            .build();

    // the shared port stops answering once the slow requests hold all its threads ...
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(40))
        .until(() -> lookupFails(starved, p, nafId));
    assertThat(held.get()).as("slow requests in handlers").isLessThan(slow.size());
    // ... while the Enablers' port answers
    assertThat(own.lookup(p.btid().value(), nafId)).isInstanceOf(LookupResult.Granted.class);

    // and serves the lookup API only
    HttpResponse<String> operator =
        client.send(
            HttpRequest.newBuilder(URI.create(web.lookupUri().orElseThrow() + "/api/v1/session"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(operator.statusCode()).isEqualTo(404);

    release.countDown();
    for (CompletableFuture<HttpResponse<Void>> f : slow) {
      assertThat(f.get(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }
  }

  private static boolean lookupFails(RemotePskLookup lookup, EnablerParameters p, NafId nafId) {
    try {
      lookup.lookup(p.btid().value(), nafId);
      return false;
    } catch (RuntimeException e) {
      return true;
    }
  }
}
