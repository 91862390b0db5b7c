package org.keyprov.enabler.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.tls.PSKTlsClient;
import org.bouncycastle.tls.TlsClientProtocol;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.junit.jupiter.api.Test;
import org.keyprov.enabler.Enabler;
import org.keyprov.enabler.lookup.StaticPskTable;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;

class TlsEchoTest {
  private static final String IDENTITY = "AAAAAAAAAAAAAAAAAAAAAA==@km.test";
  private static final byte[] KEY = new byte[16];

  @Test
  void an_endless_line_is_cut_at_4096_bytes_and_the_next_line_still_answered() throws Exception {
    StaticPskTable table =
        new StaticPskTable().put(IDENTITY, KEY, Instant.now().plus(Duration.ofDays(1)));
    try (Enabler enabler =
            Enabler.builder()
                .nafId(new NafId("echo.enabler.test", UaSecurityProtocolId.omaPskTls(0xC0A8)))
                .lookup(table)
                .coapsAddress(null)
                .tlsAddress(new InetSocketAddress("127.0.0.1", 0))
                .build();
        Socket socket = new Socket()) {
      enabler.start();
      socket.connect(new InetSocketAddress("127.0.0.1", enabler.tlsUri().getPort()), 5_000);
      socket.setSoTimeout(10_000);
      TlsClientProtocol tls =
          new TlsClientProtocol(socket.getInputStream(), socket.getOutputStream());
      tls.connect(
          new PSKTlsClient(
              new BcTlsCrypto(new SecureRandom()),
              IDENTITY.getBytes(StandardCharsets.UTF_8),
              KEY.clone()));
      OutputStream out = tls.getOutputStream();
      byte[] megabyte = new byte[1 << 20];
      java.util.Arrays.fill(megabyte, (byte) 'x');
      out.write(megabyte);
      out.write("\nping\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.UTF_8));

      assertThat(in.readLine()).isEqualTo("identity=" + IDENTITY + " echo=" + "x".repeat(4096));
      assertThat(in.readLine()).isEqualTo("identity=" + IDENTITY + " echo=ping");
      tls.close();
    }
  }
}
