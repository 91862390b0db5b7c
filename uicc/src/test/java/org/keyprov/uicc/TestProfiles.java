package org.keyprov.uicc;

import java.net.URI;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.UaSecurityProtocolId;

final class TestProfiles {
  static final byte[] KS =
      HexFormat.of().parseHex("b40ba9a3c58b2a05bbf0d987b21bf8cbf769bcd751044604127672711c6d3441");
  static final byte[] RAND = HexFormat.of().parseHex("23553cbe9637a89d218ae64dae47bf35");
  static final String IMPI = "001010000000001@ims.mnc001.mcc001.3gppnetwork.org";

  private TestProfiles() {}

  static SimProfile profile() {
    return new SimProfile(
        "ep1",
        IMPI,
        KS,
        BTid.of(RAND, "km.test"),
        Instant.parse("2026-12-31T00:00:00Z"),
        "1234",
        List.of(
            new SimProfile.Naf(
                "naf.example.org",
                UaSecurityProtocolId.threeGppTls12(0x008C),
                URI.create("coaps://127.0.0.1:5784"),
                List.of("coaps://127.0.0.1:5784"),
                List.of(0xC0A8),
                Instant.parse("2026-12-31T00:00:00Z"),
                1),
            new SimProfile.Naf(
                "tls.example.org",
                UaSecurityProtocolId.omaPskTls(0xC0A8),
                URI.create("tls://127.0.0.1:4433"),
                List.of("tls://127.0.0.1:4433", "tls://127.0.0.1:4434/api"),
                List.of(0x00A8, 0xC0A8),
                Instant.parse("2026-12-30T00:00:00Z"),
                2)));
  }
}
