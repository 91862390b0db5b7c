package org.keyprov.uicc;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;

/**
 * The byte layout of the card's files (see {@code uicc/UICC.md}): EF_IMPI after TS 31.103, EF_GBABP
 * after TS 31.102 4.2.79, EF_GBANL records after TS 31.102 4.2.83 with keyprov's extension tags.
 * Encoding and decoding are pure.
 */
public final class SimFiles {
  static final int TAG_IMPI = 0x80;
  static final int TAG_NAF_ID = 0x80;
  static final int TAG_BTID = 0x81;
  static final int TAG_URI = 0xC0;
  static final int TAG_ALLOW = 0xC1;
  static final int TAG_SUITES = 0xC2;
  static final int TAG_EXPIRY = 0xC3;
  static final int TAG_VERSION = 0xC4;
  static final int RECORD_SIZE = 255;

  /** One decoded EF_GBANL record. */
  public record NafRecord(
      NafId nafId,
      BTid btid,
      URI uri,
      List<String> allowList,
      List<Integer> cipherSuites,
      Instant keyExpiry,
      int keyVersion) {}

  /** The bootstrapping parameters of EF_GBABP. */
  public record Bootstrapping(byte[] rand, BTid btid, String lifetime) {}

  private SimFiles() {}

  static byte[] impi(String impi) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    tlv(out, TAG_IMPI, impi.getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  static String parseImpi(byte[] file) {
    if (file.length < 2 || (file[0] & 0xFF) != TAG_IMPI || (file[1] & 0xFF) > file.length - 2) {
      throw new IllegalArgumentException("EF_IMPI: expected tag 80 with the IMPI");
    }
    return new String(file, 2, file[1] & 0xFF, StandardCharsets.UTF_8);
  }

  static byte[] gbabp(byte[] rand, BTid btid, Instant lifetime) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    lv(out, rand);
    lv(out, btid.value().getBytes(StandardCharsets.US_ASCII));
    lv(out, lifetime.toString().getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }

  static Bootstrapping parseGbabp(byte[] file) {
    int[] pos = {0};
    byte[] rand = lv(file, pos, "EF_GBABP RAND");
    String btid = new String(lv(file, pos, "EF_GBABP B-TID"), StandardCharsets.US_ASCII);
    String lifetime = new String(lv(file, pos, "EF_GBABP lifetime"), StandardCharsets.US_ASCII);
    return new Bootstrapping(rand, new BTid(btid), lifetime);
  }

  static byte[] gbanlRecord(SimProfile.Naf naf, BTid btid) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    tlv(out, TAG_NAF_ID, new NafId(naf.fqdn(), naf.ua()).toBytes());
    tlv(out, TAG_BTID, btid.value().getBytes(StandardCharsets.US_ASCII));
    tlv(out, TAG_URI, naf.uri().toString().getBytes(StandardCharsets.UTF_8));
    for (String allowed : naf.allowList()) {
      tlv(out, TAG_ALLOW, allowed.getBytes(StandardCharsets.UTF_8));
    }
    ByteArrayOutputStream suites = new ByteArrayOutputStream();
    for (int s : naf.cipherSuites()) {
      suites.write(s >>> 8);
      suites.write(s & 0xFF);
    }
    tlv(out, TAG_SUITES, suites.toByteArray());
    tlv(out, TAG_EXPIRY, naf.keyExpiry().toString().getBytes(StandardCharsets.US_ASCII));
    tlv(out, TAG_VERSION, new byte[] {(byte) Math.min(255, naf.keyVersion())});
    if (out.size() > RECORD_SIZE) {
      throw new IllegalArgumentException(
          "NAF "
              + naf.fqdn()
              + ": its EF_GBANL record would be "
              + out.size()
              + " bytes; at most "
              + RECORD_SIZE
              + " fit (shorten the allow-list)");
    }
    return out.toByteArray();
  }

  static NafRecord parseGbanlRecord(byte[] record) {
    NafId nafId = null;
    BTid btid = null;
    URI uri = null;
    List<String> allow = new ArrayList<>();
    List<Integer> suites = new ArrayList<>();
    Instant expiry = null;
    int version = 0;
    int i = 0;
    while (i + 2 <= record.length && (record[i] & 0xFF) != 0xFF) {
      int tag = record[i] & 0xFF;
      int len = record[i + 1] & 0xFF;
      if (i + 2 + len > record.length) {
        throw new IllegalArgumentException(
            "EF_GBANL: tag " + Integer.toHexString(tag) + " runs past the record");
      }
      byte[] v = Arrays.copyOfRange(record, i + 2, i + 2 + len);
      switch (tag) {
        case TAG_NAF_ID -> {
          if (v.length <= UaSecurityProtocolId.LENGTH) {
            throw new IllegalArgumentException("EF_GBANL: NAF_Id shorter than a Ua id");
          }
          String fqdn =
              new String(v, 0, v.length - UaSecurityProtocolId.LENGTH, StandardCharsets.UTF_8);
          nafId =
              new NafId(
                  fqdn, UaSecurityProtocolId.of(Arrays.copyOfRange(v, v.length - 5, v.length)));
        }
        case TAG_BTID -> btid = new BTid(new String(v, StandardCharsets.US_ASCII));
        case TAG_URI -> uri = URI.create(new String(v, StandardCharsets.UTF_8));
        case TAG_ALLOW -> allow.add(new String(v, StandardCharsets.UTF_8));
        case TAG_SUITES -> {
          for (int j = 0; j + 1 < v.length; j += 2) {
            suites.add(((v[j] & 0xFF) << 8) | (v[j + 1] & 0xFF));
          }
        }
        case TAG_EXPIRY -> expiry = Instant.parse(new String(v, StandardCharsets.US_ASCII));
        case TAG_VERSION -> version = v.length == 1 ? v[0] & 0xFF : 0;
        default -> {
          // unknown tags are skipped, as BER-TLV readers do
        }
      }
      i += 2 + len;
    }
    if (nafId == null || btid == null || uri == null || expiry == null) {
      throw new IllegalArgumentException("EF_GBANL: a record lacks NAF_Id, B-TID, URI or expiry");
    }
    return new NafRecord(nafId, btid, uri, allow, suites, expiry, version);
  }

  private static void tlv(ByteArrayOutputStream out, int tag, byte[] value) {
    if (value.length > 255) {
      throw new IllegalArgumentException(
          "a value of tag " + Integer.toHexString(tag) + " is over 255 bytes");
    }
    out.write(tag);
    out.write(value.length);
    out.writeBytes(value);
  }

  private static void lv(ByteArrayOutputStream out, byte[] value) {
    out.write(value.length);
    out.writeBytes(value);
  }

  private static byte[] lv(byte[] file, int[] pos, String what) {
    if (pos[0] >= file.length) {
      throw new IllegalArgumentException(what + ": missing");
    }
    int len = file[pos[0]] & 0xFF;
    if (pos[0] + 1 + len > file.length) {
      throw new IllegalArgumentException(what + ": length " + len + " runs past the file");
    }
    byte[] v = Arrays.copyOfRange(file, pos[0] + 1, pos[0] + 1 + len);
    pos[0] += 1 + len;
    return v;
  }
}
