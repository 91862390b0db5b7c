package org.keyprov.uicc;

import com.licel.jcardsim.smartcardio.CardSimulator;
import com.licel.jcardsim.smartcardio.CardTerminalSimulator;
import com.licel.jcardsim.utils.AIDUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardException;
import javax.smartcardio.CardTerminal;
import javax.smartcardio.CommandAPDU;
import org.keyprov.uicc.applet.GbaApplet;

/**
 * A card in jCardSim running {@link GbaApplet}, personalised from a {@link SimProfile} the way a
 * SIM vendor would (STORE DATA, then LOCK), reached through {@code javax.smartcardio} like a real
 * reader.
 */
public final class SimulatedCard {
  private static final int CHUNK = 200;

  private SimulatedCard() {}

  /** A fresh, unpersonalised card with the applet installed. */
  public static CardTerminal blank() {
    CardSimulator simulator = new CardSimulator();
    simulator.installApplet(AIDUtil.create(Uicc.AID), GbaApplet.class);
    return CardTerminalSimulator.terminal(simulator);
  }

  /** A card personalised from {@code profile} and locked. */
  public static CardTerminal personalised(SimProfile profile) {
    CardTerminal terminal = blank();
    try {
      CardChannel channel = terminal.connect("T=1").getBasicChannel();
      Uicc.expectOk(channel, Uicc.selectApplication(), "SELECT application");
      byte[] ks = profile.ks();
      try {
        store(channel, 0x01, ks);
      } finally {
        Arrays.fill(ks, (byte) 0);
      }
      byte[] pin = new byte[8];
      Arrays.fill(pin, (byte) 0xFF);
      byte[] digits = profile.pin().getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(digits, 0, pin, 0, digits.length);
      store(channel, 0x02, pin);
      store(channel, 0x10, SimFiles.impi(profile.impi()));
      store(
          channel, 0x11, SimFiles.gbabp(profile.btid().rand(), profile.btid(), profile.lifetime()));
      for (SimProfile.Naf naf : profile.nafs()) {
        store(channel, 0x12, SimFiles.gbanlRecord(naf, profile.btid()));
      }
      Uicc.expectOk(channel, new CommandAPDU(0x80, 0xE8, 0x00, 0x00), "LOCK");
      return terminal;
    } catch (CardException e) {
      throw new UiccException("cannot connect to the simulated card: " + e.getMessage(), e);
    }
  }

  private static void store(CardChannel channel, int target, byte[] data) {
    for (int off = 0; off < data.length || off == 0; off += CHUNK) {
      byte[] chunk = Arrays.copyOfRange(data, off, Math.min(data.length, off + CHUNK));
      Uicc.expectOk(
          channel,
          new CommandAPDU(0x80, 0xE2, target, off == 0 ? 0x00 : 0x01, chunk),
          "STORE DATA " + Integer.toHexString(target));
      if (data.length == 0) {
        break;
      }
    }
  }
}
