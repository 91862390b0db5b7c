package org.keyprov.keys.gba;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.keyprov.keys.gba.GbaKdf.Variant;

/**
 * Vectors computed outside this code base: Ks = CK || IK and RAND of Milenage test set 1, the
 * expected outputs with {@code openssl dgst -sha256 -mac HMAC -macopt hexkey:<Ks>} over a
 * hand-assembled S (see ../shared/reference/standards.md §1.2 and §1.7).
 */
class GbaKdfTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] KS =
      HEX.parseHex("b40ba9a3c58b2a05bbf0d987b21bf8cbf769bcd751044604127672711c6d3441");
  private static final byte[] RAND = HEX.parseHex("23553cbe9637a89d218ae64dae47bf35");
  private static final String IMPI = "001010000000001@ims.mnc001.mcc001.3gppnetwork.org";

  @ParameterizedTest(name = "Ua {0}, {1}")
  @CsvSource({
    "010001008c, gba-me, 70d117f5d870d13fc7d9fdf8edd383de5169e498f71013369c310aafd5e11547",
    "010001008c, gba-u,  2c2050b25d0b67607cd4b3148609c6d6621cfc5afbe358b274bfffb4d4410788",
    "01000100a8, gba-me, 031075cbf38ff13462641be565e55936893640f5d66725b97fcdccfbafdd4161",
    "0100000007, gba-me, 7a4eb3270a598b6649234f71993b6be1b8ddf7ebb4d077049161339504d1746e",
    "0100000002, gba-me, d3d5b418417eedfff77c5cce9b962bd62a6bbedbff2b309ab15cdc90882b18f2",
    "0000000000, gba-me, 5b61acd13743149fcd78848f4b6caca3227ad7bd62ece696d6708f8e2b426ad0",
    "030001008c, gba-me, 9dc682d6bdb711d0bf71e4283312737e1099ed077aa2decce66c47e108774b6e",
    "010001d001, gba-me, ba58f68cede75b358b994952791b9804530a603fa0262635f1d976c4195010ab",
  })
  void derives_ks_naf_for_each_ua_identifier_form(String ua, String variant, String expected) {
    NafId naf = new NafId("naf.example.org", UaSecurityProtocolId.parse(ua));
    byte[] key = GbaKdf.deriveNafKey(KS, RAND, IMPI, naf, Variant.parse(variant));
    assertThat(HEX.formatHex(key)).isEqualTo(expected);
  }

  @Test
  void factories_build_the_annex_h_identifiers() {
    assertThat(UaSecurityProtocolId.omaPskTls(0xC0A8).toHex()).isEqualTo("030001c0a8");
    assertThat(UaSecurityProtocolId.threeGppTls12(0x008C).toHex()).isEqualTo("010001008c");
    assertThat(UaSecurityProtocolId.threeGppTls13().toHex()).isEqualTo("0100000007");
  }

  @Test
  void encodes_a_non_ascii_impi_as_utf8() {
    NafId naf = new NafId("naf.example.org", UaSecurityProtocolId.omaPskTls(0xC0A8));
    byte[] key = GbaKdf.deriveNafKey(KS, RAND, "Jürgen.Ωmega@ims.example.org", naf, Variant.GBA_ME);
    assertThat(HEX.formatHex(key))
        .isEqualTo("6d9cc5723d5ef44475d0796ec3a98e28105ed11645ca3ee16d81e91c16524560");
  }

  @Test
  void normalises_strings_to_nfkc_before_encoding() {
    NafId naf = new NafId("naf.example.org", UaSecurityProtocolId.omaPskTls(0xC0A8));
    byte[] composed = GbaKdf.deriveNafKey(KS, RAND, "J\u00fcrgen@x", naf, Variant.GBA_ME);
    byte[] decomposed = GbaKdf.deriveNafKey(KS, RAND, "Ju\u0308rgen@x", naf, Variant.GBA_ME);
    assertThat(decomposed).isEqualTo(composed);
  }

  @Test
  void encodes_a_non_ascii_naf_fqdn_as_utf8_for_gba_u() {
    NafId naf = new NafId("bücher.example", UaSecurityProtocolId.threeGppTls13());
    byte[] key = GbaKdf.deriveNafKey(KS, RAND, IMPI, naf, Variant.GBA_U);
    assertThat(HEX.formatHex(key))
        .isEqualTo("c4785b13332ab16de872d6036dde397ef9984802542ad3fb2c342a157e63693e");
  }

  @Test
  void places_each_length_after_its_value() {
    byte[] s = GbaKdf.s((byte) 0x01, new byte[] {0x61, 0x62}, new byte[0]);
    assertThat(HEX.formatHex(s)).isEqualTo("01616200020000");
  }

  @Test
  void does_not_modify_the_caller_key() {
    byte[] ks = KS.clone();
    GbaKdf.deriveNafKey(
        ks,
        RAND,
        IMPI,
        new NafId("a.example", UaSecurityProtocolId.threeGppTls13()),
        Variant.GBA_ME);
    assertThat(ks).isEqualTo(KS);
  }

  @Test
  void rejects_a_rand_of_the_wrong_length() {
    NafId naf = new NafId("a.example", UaSecurityProtocolId.threeGppTls13());
    assertThatThrownBy(() -> GbaKdf.deriveNafKey(KS, new byte[8], IMPI, naf, Variant.GBA_ME))
        .hasMessageContaining("RAND must be 16 bytes");
  }

  @Test
  void rejects_an_unknown_variant_with_the_accepted_ones() {
    assertThatThrownBy(() -> Variant.parse("gba-x")).hasMessageContaining("gba-me");
  }
}
