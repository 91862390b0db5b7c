package org.keyprov.uicc;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import org.keyprov.keys.EnablerProfile;
import org.keyprov.keys.Secrets;
import org.keyprov.keys.SimPersonalisation;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.UaSecurityProtocolId;

/**
 * The personalisation profile a SIM vendor loads onto a card: IMPI, the root key Ks, one
 * bootstrapping (RAND, B-TID, lifetime), the PIN, and the NAF list with each Enabler's URI,
 * allow-list, cipher suites, key expiry and version. A text file of {@code key=value} lines, format
 * {@value #FORMAT}; the only file keyprov writes that carries Ks. Parsing names the field that is
 * wrong. Ks is copied in and out and never printed.
 */
public final class SimProfile {
  public static final String FORMAT = "keyprov-sim-profile/1";
  private static final int PIN_MIN = 4;
  private static final int PIN_MAX = 8;

  /** One NAF on the card's list. */
  public record Naf(
      String fqdn,
      UaSecurityProtocolId ua,
      URI uri,
      List<String> allowList,
      List<Integer> cipherSuites,
      Instant keyExpiry,
      int keyVersion) {
    public Naf {
      allowList = List.copyOf(allowList);
      cipherSuites = List.copyOf(cipherSuites);
    }
  }

  private final String endpoint;
  private final String impi;
  private final byte[] ks;
  private final BTid btid;
  private final Instant lifetime;
  private final String pin;
  private final List<Naf> nafs;

  public SimProfile(
      String endpoint,
      String impi,
      byte[] ks,
      BTid btid,
      Instant lifetime,
      String pin,
      List<Naf> nafs) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.impi = Objects.requireNonNull(impi, "impi");
    this.ks = Objects.requireNonNull(ks, "ks").clone();
    this.btid = Objects.requireNonNull(btid, "btid");
    this.lifetime = Objects.requireNonNull(lifetime, "lifetime");
    this.pin = checkPin(Objects.requireNonNull(pin, "pin"), "pin");
    this.nafs = List.copyOf(nafs);
    if (nafs.isEmpty()) {
      throw new IllegalArgumentException("naf: a profile needs at least one NAF");
    }
  }

  /** The profile of a personalisation the Key Manager made. */
  public static SimProfile of(SimPersonalisation p, String pin) {
    List<Naf> nafs = new ArrayList<>();
    Instant lifetime = null;
    for (SimPersonalisation.Naf n : p.nafs()) {
      EnablerProfile e = n.enabler();
      nafs.add(
          new Naf(
              e.fqdn(),
              e.nafId().ua(),
              e.uri(),
              e.allowList(),
              e.cipherSuites(),
              n.expiresAt(),
              n.keyVersion()));
      lifetime = lifetime == null || n.expiresAt().isBefore(lifetime) ? n.expiresAt() : lifetime;
    }
    byte[] ks = p.ks();
    try {
      return new SimProfile(p.endpoint(), p.impi(), ks, p.btid(), lifetime, pin, nafs);
    } finally {
      Arrays.fill(ks, (byte) 0);
    }
  }

  public String endpoint() {
    return endpoint;
  }

  public String impi() {
    return impi;
  }

  /** A copy of Ks; for the card's personalisation only. */
  public byte[] ks() {
    return ks.clone();
  }

  public BTid btid() {
    return btid;
  }

  public Instant lifetime() {
    return lifetime;
  }

  public String pin() {
    return pin;
  }

  public List<Naf> nafs() {
    return nafs;
  }

  /** The profile as text. It carries Ks: write it owner-only. */
  public String format() {
    Properties p = new Properties();
    p.setProperty("format", FORMAT);
    p.setProperty("endpoint", endpoint);
    p.setProperty("impi", impi);
    p.setProperty("ks", HexFormat.of().formatHex(ks));
    p.setProperty("btid", btid.value());
    p.setProperty("lifetime", lifetime.toString());
    p.setProperty("pin", pin);
    for (int i = 0; i < nafs.size(); i++) {
      Naf n = nafs.get(i);
      String k = "naf." + i + ".";
      p.setProperty(k + "fqdn", n.fqdn());
      p.setProperty(k + "ua", n.ua().toHex());
      p.setProperty(k + "uri", n.uri().toString());
      for (int j = 0; j < n.allowList().size(); j++) {
        p.setProperty(k + "allow." + j, n.allowList().get(j));
      }
      p.setProperty(
          k + "suites", String.join(",", n.cipherSuites().stream().map(String::valueOf).toList()));
      p.setProperty(k + "expiry", n.keyExpiry().toString());
      p.setProperty(k + "version", String.valueOf(n.keyVersion()));
    }
    StringWriter out = new StringWriter();
    try {
      p.store(
          out,
          "keyprov SIM personalisation profile. CONTAINS THE ROOT KEY Ks: load it into the card, then destroy it.");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * Parses a profile; an {@link IllegalArgumentException} names the field that is missing or wrong.
   */
  public static SimProfile parse(String text) {
    Properties p = new Properties();
    try {
      p.load(new StringReader(text));
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("the profile is not a properties text: " + e.getMessage());
    }
    String format = p.getProperty("format");
    if (format == null) {
      throw new IllegalArgumentException("format: missing; expected " + FORMAT);
    }
    if (!FORMAT.equals(format)) {
      throw new IllegalArgumentException(
          "format: unknown version '" + format + "'; expected " + FORMAT);
    }
    byte[] ks = hex(p, "ks", 32);
    try {
      String btidText = required(p, "btid");
      BTid btid =
          BTid.fromPskIdentity(btidText)
              .filter(b -> b.value().equals(btidText))
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "btid: '" + btidText + "' is not base64(16-byte RAND)@domain"));
      List<Naf> nafs = new ArrayList<>();
      for (int i = 0; p.getProperty("naf." + i + ".fqdn") != null; i++) {
        nafs.add(naf(p, "naf." + i + "."));
      }
      if (nafs.isEmpty()) {
        throw new IllegalArgumentException("naf.0.fqdn: missing; a profile needs at least one NAF");
      }
      return new SimProfile(
          required(p, "endpoint"),
          required(p, "impi"),
          ks,
          btid,
          instant(p, "lifetime"),
          checkPin(required(p, "pin"), "pin"),
          nafs);
    } finally {
      Arrays.fill(ks, (byte) 0);
    }
  }

  private static Naf naf(Properties p, String k) {
    String fqdn = required(p, k + "fqdn");
    String uaText = required(p, k + "ua");
    UaSecurityProtocolId ua;
    try {
      ua = UaSecurityProtocolId.parse(uaText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(k + "ua: " + e.getMessage());
    }
    String uriText = required(p, k + "uri");
    URI uri;
    try {
      uri = URI.create(uriText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(k + "uri: not a URI");
    }
    TreeMap<Integer, String> allow = new TreeMap<>();
    for (String name : p.stringPropertyNames()) {
      if (name.startsWith(k + "allow.")) {
        try {
          allow.put(Integer.parseInt(name.substring((k + "allow.").length())), p.getProperty(name));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(name + ": the index after 'allow.' must be a number");
        }
      }
    }
    List<Integer> suites = new ArrayList<>();
    String suiteText = p.getProperty(k + "suites", "");
    for (String s : suiteText.isBlank() ? new String[0] : suiteText.split(",")) {
      try {
        int v = Integer.parseInt(s.trim());
        if (v < 0 || v > 0xFFFF) {
          throw new NumberFormatException();
        }
        suites.add(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            k + "suites: '" + s.trim() + "' is not a cipher suite code 0..65535");
      }
    }
    int version;
    try {
      version = Integer.parseInt(required(p, k + "version"));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(k + "version: not a number");
    }
    return new Naf(
        fqdn, ua, uri, new ArrayList<>(allow.values()), suites, instant(p, k + "expiry"), version);
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(key + ": missing");
    }
    return v.trim();
  }

  private static byte[] hex(Properties p, String key, int length) {
    String v = required(p, key);
    if (!v.matches("[0-9a-fA-F]*") || v.length() != 2 * length) {
      throw new IllegalArgumentException(
          key + ": must be " + 2 * length + " hex digits (" + length + " bytes)");
    }
    return HexFormat.of().parseHex(v);
  }

  private static Instant instant(Properties p, String key) {
    try {
      return Instant.parse(required(p, key));
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          key + ": not an ISO-8601 instant such as 2026-12-31T00:00:00Z");
    }
  }

  private static String checkPin(String pin, String field) {
    if (pin.length() < PIN_MIN
        || pin.length() > PIN_MAX
        || !pin.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException(field + ": a PIN is 4 to 8 digits");
    }
    return pin;
  }

  @Override
  public String toString() {
    return "SimProfile[endpoint="
        + endpoint
        + ", btid="
        + btid
        + ", nafs="
        + nafs.size()
        + ", ks="
        + Secrets.fingerprint(ks)
        + "]";
  }
}
