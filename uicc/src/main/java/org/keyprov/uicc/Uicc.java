package org.keyprov.uicc;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CardException;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;

/** APDUs of keyprov's UICC application (see {@code uicc/UICC.md}). */
public final class Uicc {
  /** Proprietary AID: F0 (unregistered RID) "keyprov" 01. */
  public static final byte[] AID = HexFormat.of().parseHex("F06B657970726F7601");

  public static final int FID_IMPI = 0x6F02;
  public static final int FID_GBABP = 0x6FD6;
  public static final int FID_GBANL = 0x6FDA;

  private Uicc() {}

  static ResponseAPDU transmit(CardChannel channel, CommandAPDU command, String what) {
    try {
      return channel.transmit(command);
    } catch (CardException e) {
      throw new UiccException("the card did not answer " + what + ": " + e.getMessage(), e);
    }
  }

  static byte[] expectOk(CardChannel channel, CommandAPDU command, String what) {
    ResponseAPDU r = transmit(channel, command, what);
    if (r.getSW() != 0x9000) {
      throw new UiccException(what, r.getSW());
    }
    return r.getData();
  }

  public static CommandAPDU selectApplication() {
    return new CommandAPDU(0x00, 0xA4, 0x04, 0x00, AID, 256);
  }

  public static CommandAPDU selectFile(int fid) {
    return new CommandAPDU(0x00, 0xA4, 0x00, 0x0C, new byte[] {(byte) (fid >>> 8), (byte) fid});
  }

  public static CommandAPDU readBinary(int offset, int le) {
    return new CommandAPDU(0x00, 0xB0, (offset >>> 8) & 0x7F, offset & 0xFF, le);
  }

  public static CommandAPDU readRecord(int number) {
    return new CommandAPDU(0x00, 0xB2, number, 0x04, 256);
  }

  /** VERIFY PIN 1: the digits, padded to 8 bytes with FF. */
  public static CommandAPDU verifyPin(String pin) {
    byte[] data = new byte[8];
    Arrays.fill(data, (byte) 0xFF);
    byte[] digits = pin.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digits, 0, data, 0, Math.min(8, digits.length));
    return new CommandAPDU(0x00, 0x20, 0x00, 0x01, data);
  }

  /**
   * AUTHENTICATE in GBA context, NAF derivation mode: DE L | L NAF_Id | L IMPI (TS 31.102 7.1.2).
   */
  public static CommandAPDU nafDerivation(byte[] nafId, byte[] impi) {
    byte[] data = new byte[4 + nafId.length + impi.length];
    data[0] = (byte) 0xDE;
    data[1] = (byte) (data.length - 2);
    data[2] = (byte) nafId.length;
    System.arraycopy(nafId, 0, data, 3, nafId.length);
    data[3 + nafId.length] = (byte) impi.length;
    System.arraycopy(impi, 0, data, 4 + nafId.length, impi.length);
    return new CommandAPDU(0x00, 0x88, 0x00, 0x84, data, 256);
  }
}
