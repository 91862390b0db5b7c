package org.keyprov.uicc.applet;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;
import javacard.framework.JCSystem;
import javacard.framework.OwnerPIN;
import javacard.framework.Util;
import javacard.security.MessageDigest;

/**
 * keyprov's UICC application (Java Card 3, written in the card's own idiom: shorts, no collections,
 * no allocation after personalisation). It holds the GBA files a device reads with ISO 7816-4
 * commands and the root key Ks, which no command returns; instead it derives Ks_ext_NAF = KDF(Ks,
 * "gba-me", RAND, IMPI, NAF_Id) (TS 33.220 B.3) for NAFs on its NAF list. The byte layout of every
 * file and command is in {@code uicc/UICC.md}.
 */
public final class GbaApplet extends Applet {
  static final short FID_IMPI = 0x6F02;
  static final short FID_GBABP = 0x6FD6;
  static final short FID_GBANL = 0x6FDA;

  static final byte INS_SELECT = (byte) 0xA4;
  static final byte INS_READ_BINARY = (byte) 0xB0;
  static final byte INS_READ_RECORD = (byte) 0xB2;
  static final byte INS_VERIFY = 0x20;
  static final byte INS_AUTHENTICATE = (byte) 0x88;
  static final byte INS_STORE_DATA = (byte) 0xE2;
  static final byte INS_LOCK = (byte) 0xE8;

  static final byte P2_GBA_NAF_DERIVATION = (byte) 0x84;
  static final byte TAG_NAF_DERIVATION = (byte) 0xDE;
  static final byte TAG_SUCCESS = (byte) 0xDB;
  static final byte TAG_NAF_ID = (byte) 0x80;

  static final byte TARGET_KS = 0x01;
  static final byte TARGET_PIN = 0x02;
  static final byte TARGET_IMPI = 0x10;
  static final byte TARGET_GBABP = 0x11;
  static final byte TARGET_GBANL_RECORD = 0x12;

  static final short SW_PIN_BLOCKED = 0x6983;
  static final short SW_NAF_NOT_ON_LIST = 0x6A88;

  private static final byte PIN_TRIES = 3;
  private static final byte PIN_LENGTH = 8;
  private static final short MAX_TRANSPARENT = 512;
  private static final short MAX_RECORDS = 16;
  private static final short RECORD_SIZE = 255;
  private static final byte[] GBA_ME = {'g', 'b', 'a', '-', 'm', 'e'};

  private final byte[] ks = new byte[32];
  private final OwnerPIN pin = new OwnerPIN(PIN_TRIES, PIN_LENGTH);
  private final byte[] impi = new byte[MAX_TRANSPARENT];
  private final byte[] gbabp = new byte[MAX_TRANSPARENT];
  private final byte[] gbanl = new byte[(short) (MAX_RECORDS * RECORD_SIZE)];
  private final byte[] pinBuffer = new byte[PIN_LENGTH];
  private final MessageDigest sha256 = MessageDigest.getInstance(MessageDigest.ALG_SHA_256, false);
  private final byte[] work =
      JCSystem.makeTransientByteArray((short) 1024, JCSystem.CLEAR_ON_DESELECT);
  private final short[] state =
      JCSystem.makeTransientShortArray((short) 1, JCSystem.CLEAR_ON_DESELECT);
  private short impiLength;
  private short gbabpLength;
  private short records;

  /** Bytes written so far into the record being personalised. */
  private short recordFill;

  private boolean locked;
  private boolean pinSet;

  private GbaApplet() {
    register();
  }

  public static void install(byte[] bArray, short bOffset, byte bLength) {
    new GbaApplet();
  }

  @Override
  public boolean select() {
    state[0] = 0;
    return true;
  }

  @Override
  public void process(APDU apdu) {
    if (selectingApplet()) {
      return;
    }
    byte[] buf = apdu.getBuffer();
    byte cla = buf[ISO7816.OFFSET_CLA];
    byte ins = buf[ISO7816.OFFSET_INS];
    if (cla == (byte) 0x80) {
      personalise(apdu, ins);
      return;
    }
    if (cla != 0x00) {
      ISOException.throwIt(ISO7816.SW_CLA_NOT_SUPPORTED);
    }
    switch (ins) {
      case INS_SELECT:
        selectFile(apdu);
        return;
      case INS_VERIFY:
        verify(apdu);
        return;
      case INS_READ_BINARY:
        requirePin();
        readBinary(apdu);
        return;
      case INS_READ_RECORD:
        requirePin();
        readRecord(apdu);
        return;
      case INS_AUTHENTICATE:
        requirePin();
        authenticate(apdu);
        return;
      default:
        ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
  }

  private void requirePin() {
    if (!pin.isValidated()) {
      ISOException.throwIt(ISO7816.SW_SECURITY_STATUS_NOT_SATISFIED);
    }
  }

  private void selectFile(APDU apdu) {
    byte[] buf = apdu.getBuffer();
    if (buf[ISO7816.OFFSET_P1] != 0x00) {
      ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
    }
    short lc = apdu.setIncomingAndReceive();
    if (lc != 2) {
      ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
    }
    short fid = Util.getShort(buf, ISO7816.OFFSET_CDATA);
    if (fid != FID_IMPI && fid != FID_GBABP && fid != FID_GBANL) {
      ISOException.throwIt(ISO7816.SW_FILE_NOT_FOUND);
    }
    state[0] = fid;
  }

  private void verify(APDU apdu) {
    byte[] buf = apdu.getBuffer();
    if (buf[ISO7816.OFFSET_P2] != 0x01) {
      ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
    }
    if (pin.getTriesRemaining() == 0) {
      ISOException.throwIt(SW_PIN_BLOCKED);
    }
    short lc = apdu.setIncomingAndReceive();
    if (lc == 0) {
      if (pin.isValidated()) {
        return;
      }
      ISOException.throwIt((short) (0x63C0 | pin.getTriesRemaining()));
    }
    if (lc != PIN_LENGTH) {
      ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
    }
    if (!pin.check(buf, ISO7816.OFFSET_CDATA, PIN_LENGTH)) {
      byte left = pin.getTriesRemaining();
      ISOException.throwIt(left == 0 ? SW_PIN_BLOCKED : (short) (0x63C0 | left));
    }
  }

  private void readBinary(APDU apdu) {
    byte[] buf = apdu.getBuffer();
    short fid = state[0];
    if (fid == 0) {
      ISOException.throwIt(ISO7816.SW_COMMAND_NOT_ALLOWED);
    }
    if (fid == FID_GBANL) {
      ISOException.throwIt((short) 0x6981); // incompatible file structure: use READ RECORD
    }
    if ((buf[ISO7816.OFFSET_P1] & 0x80) != 0) {
      ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2); // SFI addressing not supported
    }
    byte[] file = fid == FID_IMPI ? impi : gbabp;
    short size = fid == FID_IMPI ? impiLength : gbabpLength;
    short offset = Util.getShort(buf, ISO7816.OFFSET_P1);
    if (offset >= size) {
      ISOException.throwIt(ISO7816.SW_WRONG_P1P2);
    }
    short le = apdu.setOutgoing();
    short available = (short) (size - offset);
    short n = le == 0 || le > available ? available : le;
    apdu.setOutgoingLength(n);
    apdu.sendBytesLong(file, offset, n);
  }

  private void readRecord(APDU apdu) {
    byte[] buf = apdu.getBuffer();
    if (state[0] != FID_GBANL) {
      ISOException.throwIt(state[0] == 0 ? ISO7816.SW_COMMAND_NOT_ALLOWED : (short) 0x6981);
    }
    short number = (short) (buf[ISO7816.OFFSET_P1] & 0xFF);
    if (buf[ISO7816.OFFSET_P2] != 0x04) {
      ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
    }
    if (number < 1 || number > records) {
      ISOException.throwIt(ISO7816.SW_RECORD_NOT_FOUND);
    }
    short le = apdu.setOutgoing();
    short n = le == 0 || le > RECORD_SIZE ? RECORD_SIZE : le;
    apdu.setOutgoingLength(n);
    apdu.sendBytesLong(gbanl, (short) ((number - 1) * RECORD_SIZE), n);
  }

  /** AUTHENTICATE, GBA context, NAF derivation mode: DE L | L NAF_Id | L IMPI. */
  private void authenticate(APDU apdu) {
    byte[] buf = apdu.getBuffer();
    if (buf[ISO7816.OFFSET_P1] != 0x00 || buf[ISO7816.OFFSET_P2] != P2_GBA_NAF_DERIVATION) {
      ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
    }
    short lc = apdu.setIncomingAndReceive();
    short off = ISO7816.OFFSET_CDATA;
    short end = (short) (off + lc);
    if (lc < 4
        || buf[off] != TAG_NAF_DERIVATION
        || (short) (buf[(short) (off + 1)] & 0xFF) != (short) (lc - 2)) {
      ISOException.throwIt(ISO7816.SW_WRONG_DATA);
    }
    short nafOff = (short) (off + 3);
    short nafLen = (short) (buf[(short) (off + 2)] & 0xFF);
    short impiLenOff = (short) (nafOff + nafLen);
    if (nafLen < 6 || impiLenOff >= end) {
      ISOException.throwIt(ISO7816.SW_WRONG_DATA);
    }
    short impiLen = (short) (buf[impiLenOff] & 0xFF);
    short impiOff = (short) (impiLenOff + 1);
    if ((short) (impiOff + impiLen) != end || impiLen == 0) {
      ISOException.throwIt(ISO7816.SW_WRONG_DATA);
    }
    if (!onNafList(buf, nafOff, nafLen)) {
      ISOException.throwIt(SW_NAF_NOT_ON_LIST);
    }
    short randLen = (short) (gbabp[0] & 0xFF);
    // S = FC || P0 || L0 || P1 || L1 || P2 || L2 || P3 || L3
    short s = 0;
    work[s++] = 0x01;
    s = Util.arrayCopyNonAtomic(GBA_ME, (short) 0, work, s, (short) GBA_ME.length);
    s = Util.setShort(work, s, (short) GBA_ME.length);
    s = Util.arrayCopyNonAtomic(gbabp, (short) 1, work, s, randLen);
    s = Util.setShort(work, s, randLen);
    s = Util.arrayCopyNonAtomic(buf, impiOff, work, s, impiLen);
    s = Util.setShort(work, s, impiLen);
    s = Util.arrayCopyNonAtomic(buf, nafOff, work, s, nafLen);
    s = Util.setShort(work, s, nafLen);
    short out = (short) 512;
    hmacSha256(work, (short) 0, s, work, out);
    buf[0] = TAG_SUCCESS;
    buf[1] = 32;
    Util.arrayCopyNonAtomic(work, out, buf, (short) 2, (short) 32);
    Util.arrayFillNonAtomic(work, (short) 0, (short) work.length, (byte) 0);
    apdu.setOutgoingAndSend((short) 0, (short) 34);
  }

  /** Whether a record of EF_GBANL carries this NAF_Id (tag 80 first in every record). */
  private boolean onNafList(byte[] buf, short nafOff, short nafLen) {
    for (short r = 0; r < records; r++) {
      short base = (short) (r * RECORD_SIZE);
      if (gbanl[base] == TAG_NAF_ID
          && (short) (gbanl[(short) (base + 1)] & 0xFF) == nafLen
          && Util.arrayCompare(gbanl, (short) (base + 2), buf, nafOff, nafLen) == 0) {
        return true;
      }
    }
    return false;
  }

  /** HMAC-SHA-256 (RFC 2104) keyed with Ks; the 32-byte result goes to {@code out[outOff]}. */
  private void hmacSha256(byte[] msg, short msgOff, short msgLen, byte[] out, short outOff) {
    short pad = (short) 768;
    Util.arrayFillNonAtomic(work, pad, (short) 64, (byte) 0x36);
    for (short i = 0; i < 32; i++) {
      work[(short) (pad + i)] ^= ks[i];
    }
    sha256.reset();
    sha256.update(work, pad, (short) 64);
    sha256.doFinal(msg, msgOff, msgLen, out, outOff);
    Util.arrayFillNonAtomic(work, pad, (short) 64, (byte) 0x5C);
    for (short i = 0; i < 32; i++) {
      work[(short) (pad + i)] ^= ks[i];
    }
    sha256.reset();
    sha256.update(work, pad, (short) 64);
    sha256.doFinal(out, outOff, (short) 32, out, outOff);
    Util.arrayFillNonAtomic(work, pad, (short) 64, (byte) 0);
  }

  /** STORE DATA (CLA 80): P1 target, P2 0 = first block, 1 = continuation; LOCK ends it. */
  private void personalise(APDU apdu, byte ins) {
    if (locked) {
      ISOException.throwIt(ISO7816.SW_CONDITIONS_NOT_SATISFIED);
    }
    byte[] buf = apdu.getBuffer();
    if (ins == INS_LOCK) {
      if (!pinSet || gbabpLength == 0 || impiLength == 0 || records == 0) {
        ISOException.throwIt(ISO7816.SW_CONDITIONS_NOT_SATISFIED);
      }
      locked = true;
      return;
    }
    if (ins != INS_STORE_DATA) {
      ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
    }
    byte target = buf[ISO7816.OFFSET_P1];
    boolean first = buf[ISO7816.OFFSET_P2] == 0;
    short lc = apdu.setIncomingAndReceive();
    short off = ISO7816.OFFSET_CDATA;
    switch (target) {
      case TARGET_KS:
        if (lc != 32) {
          ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        Util.arrayCopy(buf, off, ks, (short) 0, lc);
        return;
      case TARGET_PIN:
        if (lc != PIN_LENGTH) {
          ISOException.throwIt(ISO7816.SW_WRONG_LENGTH);
        }
        pin.update(buf, off, PIN_LENGTH);
        pinSet = true;
        return;
      case TARGET_IMPI:
        impiLength = append(impi, first ? 0 : impiLength, buf, off, lc, MAX_TRANSPARENT);
        return;
      case TARGET_GBABP:
        gbabpLength = append(gbabp, first ? 0 : gbabpLength, buf, off, lc, MAX_TRANSPARENT);
        return;
      case TARGET_GBANL_RECORD:
        if (first) {
          if (records == MAX_RECORDS) {
            ISOException.throwIt(ISO7816.SW_FILE_FULL);
          }
          records++;
          recordFill = 0;
          Util.arrayFillNonAtomic(
              gbanl, (short) ((records - 1) * RECORD_SIZE), RECORD_SIZE, (byte) 0xFF);
        }
        short base = (short) ((records - 1) * RECORD_SIZE);
        recordFill =
            (short)
                (append(
                        gbanl,
                        (short) (base + recordFill),
                        buf,
                        off,
                        lc,
                        (short) (base + RECORD_SIZE))
                    - base);
        return;
      default:
        ISOException.throwIt(ISO7816.SW_INCORRECT_P1P2);
    }
  }

  private static short append(byte[] file, short at, byte[] buf, short off, short lc, short limit) {
    if ((short) (at + lc) > limit) {
      ISOException.throwIt(ISO7816.SW_FILE_FULL);
    }
    Util.arrayCopy(buf, off, file, at, lc);
    return (short) (at + lc);
  }
}
