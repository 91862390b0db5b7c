package org.keyprov.client;

import java.util.Arrays;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import org.keyprov.client.object.EnablerSecurityInstances;
import org.keyprov.client.object.EnablerSecurityState;
import org.keyprov.models.EnablerSecurityObject;
import org.keyprov.uicc.SimFiles;
import org.keyprov.uicc.UiccException;
import org.keyprov.uicc.UiccReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The alternative flow: the DM client bootstraps its Enabler Security Parameters from the SIM/USIM
 * (provisioning source SIM), exactly as if the DM server had written them.
 */
final class SimBootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(SimBootstrap.class);

  private SimBootstrap() {}

  static void populate(EnablerSecurityInstances instances, CardTerminal terminal, String pin) {
    javax.smartcardio.Card card;
    try {
      card = terminal.connect("*");
    } catch (CardException e) {
      throw new UiccExceptionWrapper(
          "cannot connect to the SIM in " + terminal.getName() + ": " + e.getMessage());
    }
    try {
      for (UiccReader.Parameters p : new UiccReader(card.getBasicChannel()).read(pin)) {
        SimFiles.NafRecord r = p.record();
        byte[] key = p.key();
        try {
          instances.populate(
              EnablerSecurityState.builder()
                  .enablerUri(r.uri().toString())
                  .nafFqdn(r.nafId().fqdn())
                  .uaSecurityProtocolId(r.nafId().ua().toBytes())
                  .pskIdentity(r.btid().value())
                  .pskKey(key)
                  .keyExpiry(r.keyExpiry())
                  .allowList(r.allowList())
                  .cipherSuites(r.cipherSuites())
                  .keyVersion(r.keyVersion())
                  .source(EnablerSecurityObject.SOURCE_SIM)
                  .build());
          LOG.info("Enabler {} bootstrapped from the SIM (B-TID {})", r.nafId().fqdn(), r.btid());
        } finally {
          Arrays.fill(key, (byte) 0);
        }
      }
    } catch (UiccException e) {
      throw new UiccExceptionWrapper("reading the SIM failed: " + e.getMessage());
    } finally {
      try {
        card.disconnect(false);
      } catch (CardException ignored) {
        // the card is gone already
      }
    }
  }

  /** A SIM problem, as an {@link IllegalStateException} with the card's reason. */
  static final class UiccExceptionWrapper extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    UiccExceptionWrapper(String message) {
      super(message);
    }
  }
}
