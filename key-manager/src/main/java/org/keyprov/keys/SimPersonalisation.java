package org.keyprov.keys;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.keyprov.keys.gba.BTid;

/**
 * What a SIM/USIM is personalised with: the device's root key Ks (the only export that carries it),
 * its IMPI, one bootstrapping (RAND, B-TID) and, per Enabler, the profile and key record the card's
 * NAF list describes. Ks is copied in and out and never printed.
 */
public final class SimPersonalisation {
  /** One Enabler on the card's NAF list. */
  public record Naf(EnablerProfile enabler, int keyVersion, Instant expiresAt) {}

  private final String endpoint;
  private final String impi;
  private final byte[] ks;
  private final BTid btid;
  private final List<Naf> nafs;

  public SimPersonalisation(String endpoint, String impi, byte[] ks, BTid btid, List<Naf> nafs) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    this.impi = Objects.requireNonNull(impi, "impi");
    this.ks = Objects.requireNonNull(ks, "ks").clone();
    this.btid = Objects.requireNonNull(btid, "btid");
    this.nafs = List.copyOf(nafs);
  }

  public String endpoint() {
    return endpoint;
  }

  public String impi() {
    return impi;
  }

  /** A copy of Ks; the caller wipes it once written to the profile. */
  public byte[] ks() {
    return ks.clone();
  }

  public BTid btid() {
    return btid;
  }

  public byte[] rand() {
    return btid.rand();
  }

  public List<Naf> nafs() {
    return nafs;
  }

  @Override
  public String toString() {
    return "SimPersonalisation[endpoint="
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
