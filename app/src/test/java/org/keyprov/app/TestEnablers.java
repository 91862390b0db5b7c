package org.keyprov.app;

import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;

final class TestEnablers {
  private TestEnablers() {}

  /** The NAF_Id {@link EnablerProfile#dtls} gives an Enabler. */
  static NafId nafId(String fqdn) {
    return new NafId(
        fqdn, UaSecurityProtocolId.omaPskTls(EnablerProfile.TLS_PSK_WITH_AES_128_CCM_8));
  }
}
