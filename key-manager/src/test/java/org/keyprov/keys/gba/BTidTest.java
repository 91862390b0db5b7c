package org.keyprov.keys.gba;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class BTidTest {
  private static final byte[] RAND = HexFormat.of().parseHex("23553cbe9637a89d218ae64dae47bf35");

  @Test
  void is_base64_of_rand_at_domain() {
    // base64 computed with `openssl base64`
    assertThat(BTid.of(RAND, "bsf.mnc001.mcc001.pub.3gppnetwork.org").value())
        .isEqualTo("I1U8vpY3qJ0hiuZNrke/NQ==@bsf.mnc001.mcc001.pub.3gppnetwork.org");
  }

  @Test
  void accepts_the_bare_and_the_prefixed_psk_identity() {
    BTid btid = BTid.of(RAND, "km.example");
    assertThat(BTid.fromPskIdentity(btid.value())).contains(btid);
    assertThat(BTid.fromPskIdentity("3GPP-bootstrapping." + btid.value())).contains(btid);
  }

  @Test
  void decodes_rand_back() {
    assertThat(BTid.of(RAND, "km.example").rand()).isEqualTo(RAND);
  }

  @Test
  void refuses_identities_that_cannot_be_a_btid() {
    assertThat(BTid.fromPskIdentity("device-1")).isEmpty();
    assertThat(BTid.fromPskIdentity("not-base64-at-all-xxxxxx@km")).isEmpty();
    assertThat(BTid.fromPskIdentity("I1U8vpY3qJ0hiuZNrke/NQ==@")).isEmpty();
    assertThat(BTid.fromPskIdentity(null)).isEmpty();
  }
}
