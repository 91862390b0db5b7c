package org.keyprov.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.gba.GbaKdf;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Key store lookups: B-TID lookup plus Ks_NAF derivation through the Key Manager's JDBC lookup (H2
 * file, HikariCP, audit line included) at 10k, 100k and 1M stored devices, and the KDF alone.
 * Sample mode gives mean and percentiles (p99). Stores are seeded once under {@code
 * -Dkeyprov.bench.stores} (default {@code target/bench-stores}).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LookupBenchmark {
  private static final byte[] KS =
      HexFormat.of().parseHex("b40ba9a3c58b2a05bbf0d987b21bf8cbf769bcd751044604127672711c6d3441");
  private static final byte[] RAND = HexFormat.of().parseHex("23553cbe9637a89d218ae64dae47bf35");
  private static final NafId NAF =
      new NafId("naf.example.org", UaSecurityProtocolId.threeGppTls12(0x008C));

  @State(Scope.Benchmark)
  public static class Store {
    @Param({"10000", "100000", "1000000"})
    public int devices;

    BenchStore store;
    List<BenchStore.Credential> sample;
    NafId nafId;

    @Setup(Level.Trial)
    public void seed() throws Exception {
      Path dir =
          Path.of(System.getProperty("keyprov.bench.stores", "target/bench-stores"))
              .resolve(devices + "-devices");
      Files.createDirectories(dir);
      BenchStore.seeded(dir, devices, Bench.enabler()).close();
      store = BenchStore.open(dir, 4);
      nafId = Bench.enabler().nafId();
      // identities spread over the whole store, so lookups touch the whole index
      sample = new java.util.ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        int device = (int) ((long) i * devices / 1000);
        var p = store.km.admin().currentParameters(BenchStore.endpoint(device), Bench.FQDN);
        sample.add(new BenchStore.Credential(p.btid().value(), p.key()));
      }
    }

    @TearDown(Level.Trial)
    public void close() {
      store.close();
    }
  }

  @Benchmark
  public LookupResult lookupAndDerive(Store s) {
    BenchStore.Credential c = s.sample.get(ThreadLocalRandom.current().nextInt(s.sample.size()));
    return s.store.km.lookup().lookup(c.identity(), s.nafId);
  }

  /**
   * What the operator API does for one page of the devices table: 50 devices after a random
   * endpoint (keyset paging on the endpoint index), with their assignments in one query.
   */
  @Benchmark
  public int devicePage(Store s) {
    String after = BenchStore.endpoint(ThreadLocalRandom.current().nextInt(s.devices));
    List<String> page =
        s.store.km.admin().devicePage("bench-", after, 50).stream().map(d -> d.endpoint()).toList();
    int rows = 0;
    for (var list : s.store.km.ledger().assignments(page).values()) {
      rows += list.size();
    }
    return rows;
  }

  /** Baseline for {@link #devicePage}: the same page with one assignments query per device. */
  @Benchmark
  public int devicePageQueryPerRow(Store s) {
    String after = BenchStore.endpoint(ThreadLocalRandom.current().nextInt(s.devices));
    int rows = 0;
    for (var d : s.store.km.admin().devicePage("bench-", after, 50)) {
      rows += s.store.km.ledger().assignments(d.endpoint()).size();
    }
    return rows;
  }

  @Benchmark
  public byte[] kdfAlone() {
    return GbaKdf.deriveNafKey(
        KS, RAND, "001010000000001@ims.mnc001.mcc001.3gppnetwork.org", NAF, GbaKdf.Variant.GBA_ME);
  }
}
