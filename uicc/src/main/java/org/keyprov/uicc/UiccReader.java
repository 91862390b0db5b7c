package org.keyprov.uicc;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import javax.smartcardio.CardChannel;
import javax.smartcardio.ResponseAPDU;

/**
 * What a device reads from keyprov's UICC application over ISO 7816-4: the IMPI, the bootstrapping
 * parameters, the NAF list, and for each NAF the Ks_ext_NAF the card derives. The card never gives
 * out Ks, and neither does this class.
 */
public final class UiccReader {
  /** One Enabler's parameters as read from the card, with the key it derived. */
  public static final class Parameters {
    private final SimFiles.NafRecord record;
    private final byte[] key;

    Parameters(SimFiles.NafRecord record, byte[] key) {
      this.record = record;
      this.key = key.clone();
    }

    public SimFiles.NafRecord record() {
      return record;
    }

    /** A copy of Ks_ext_NAF. */
    public byte[] key() {
      return key.clone();
    }

    @Override
    public String toString() {
      return "Parameters[" + record.nafId() + ", " + record.btid() + "]";
    }
  }

  private final CardChannel channel;

  public UiccReader(CardChannel channel) {
    this.channel = Objects.requireNonNull(channel, "channel");
  }

  /** Selects the application and verifies the PIN; reads and derives for every NAF on the list. */
  public List<Parameters> read(String pin) {
    Uicc.expectOk(channel, Uicc.selectApplication(), "SELECT application");
    Uicc.expectOk(channel, Uicc.verifyPin(pin), "VERIFY PIN");
    String impi = SimFiles.parseImpi(readTransparent(Uicc.FID_IMPI, "EF_IMPI"));
    SimFiles.parseGbabp(readTransparent(Uicc.FID_GBABP, "EF_GBABP"));
    Uicc.expectOk(channel, Uicc.selectFile(Uicc.FID_GBANL), "SELECT EF_GBANL");
    List<Parameters> out = new ArrayList<>();
    for (int n = 1; ; n++) {
      ResponseAPDU r = Uicc.transmit(channel, Uicc.readRecord(n), "READ RECORD " + n);
      if (r.getSW() == 0x6A83) {
        break;
      }
      if (r.getSW() != 0x9000) {
        throw new UiccException("READ RECORD " + n + " of EF_GBANL", r.getSW());
      }
      SimFiles.NafRecord record = SimFiles.parseGbanlRecord(r.getData());
      byte[] answer =
          Uicc.expectOk(
              channel,
              Uicc.nafDerivation(record.nafId().toBytes(), impi.getBytes(StandardCharsets.UTF_8)),
              "AUTHENTICATE (NAF derivation) for " + record.nafId().fqdn());
      if (answer.length != 34 || (answer[0] & 0xFF) != 0xDB || answer[1] != 32) {
        throw new UiccException("AUTHENTICATE answered an unexpected layout", null);
      }
      byte[] key = Arrays.copyOfRange(answer, 2, 34);
      out.add(new Parameters(record, key));
      Arrays.fill(key, (byte) 0);
      Arrays.fill(answer, (byte) 0);
    }
    return out;
  }

  private byte[] readTransparent(int fid, String name) {
    Uicc.expectOk(channel, Uicc.selectFile(fid), "SELECT " + name);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      ResponseAPDU r =
          Uicc.transmit(channel, Uicc.readBinary(out.size(), 256), "READ BINARY " + name);
      if (r.getSW() == 0x6B00 && out.size() > 0) {
        return out.toByteArray();
      }
      if (r.getSW() != 0x9000) {
        throw new UiccException("READ BINARY " + name, r.getSW());
      }
      out.writeBytes(r.getData());
      if (r.getData().length < 256) {
        return out.toByteArray();
      }
    }
  }
}
