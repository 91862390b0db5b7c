package org.keyprov.uicc.applet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import javax.smartcardio.CardChannel;
import javax.smartcardio.CommandAPDU;
import javax.smartcardio.ResponseAPDU;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.keyprov.keys.gba.GbaKdf;
import org.keyprov.keys.gba.NafId;
import org.keyprov.uicc.SimProfile;
import org.keyprov.uicc.SimulatedCard;
import org.keyprov.uicc.Uicc;
import org.keyprov.uicc.UiccReader;

/** The applet at APDU level, in jCardSim, through javax.smartcardio. */
class GbaAppletTest {
  private final SimProfile profile = org.keyprov.uicc.TestProfilesAccess.profile();
  private CardChannel card;

  @BeforeEach
  void givenAPersonalisedCard() throws Exception {
    card = SimulatedCard.personalised(profile).connect("T=1").getBasicChannel();
    assertThat(sw(Uicc.selectApplication())).isEqualTo(0x9000);
  }

  @Test
  void selects_by_aid_and_by_file_id_and_reports_unknown_files() {
    verifyPin();
    assertThat(sw(Uicc.selectFile(Uicc.FID_GBABP))).isEqualTo(0x9000);
    assertThat(sw(Uicc.selectFile(Uicc.FID_GBANL))).isEqualTo(0x9000);
    assertThat(sw(Uicc.selectFile(0x6F07))).isEqualTo(0x6A82);
  }

  @Test
  void reads_ef_gbabp_at_offsets() {
    verifyPin();
    sw(Uicc.selectFile(Uicc.FID_GBABP));
    ResponseAPDU whole = send(Uicc.readBinary(0, 256));
    ResponseAPDU tail = send(Uicc.readBinary(17, 5));

    assertThat(whole.getSW()).isEqualTo(0x9000);
    assertThat(whole.getData()[0]).isEqualTo((byte) 16);
    assertThat(Arrays.copyOfRange(whole.getData(), 1, 17)).isEqualTo(profile.btid().rand());
    assertThat(tail.getData()).isEqualTo(Arrays.copyOfRange(whole.getData(), 17, 22));
    assertThat(new String(whole.getData(), 18, whole.getData()[17], StandardCharsets.US_ASCII))
        .isEqualTo(profile.btid().value());
  }

  @Test
  void an_offset_past_the_end_is_6b00() {
    verifyPin();
    sw(Uicc.selectFile(Uicc.FID_GBABP));
    assertThat(sw(Uicc.readBinary(400, 1))).isEqualTo(0x6B00);
  }

  @Test
  void reads_without_the_pin_are_6982() {
    sw(Uicc.selectFile(Uicc.FID_GBABP));
    assertThat(sw(Uicc.readBinary(0, 16))).isEqualTo(0x6982);
    assertThat(sw(Uicc.readRecord(1))).isEqualTo(0x6982);
  }

  @Test
  void read_binary_on_the_record_file_and_read_record_out_of_range_are_refused() {
    verifyPin();
    sw(Uicc.selectFile(Uicc.FID_GBANL));
    assertThat(sw(Uicc.readBinary(0, 16))).isEqualTo(0x6981);
    assertThat(sw(Uicc.readRecord(1))).isEqualTo(0x9000);
    assertThat(sw(Uicc.readRecord(3))).isEqualTo(0x6A83);
  }

  @Test
  void a_wrong_pin_counts_down_and_blocks_after_three_tries() {
    assertThat(sw(Uicc.verifyPin("9999"))).isEqualTo(0x63C2);
    assertThat(sw(Uicc.verifyPin("9998"))).isEqualTo(0x63C1);
    assertThat(sw(Uicc.verifyPin("9997"))).isEqualTo(0x6983);
    assertThat(sw(Uicc.verifyPin(profile.pin()))).isEqualTo(0x6983);
  }

  @Test
  void derives_ks_ext_naf_exactly_as_the_key_manager_does() {
    verifyPin();
    SimProfile.Naf naf = profile.nafs().get(0);
    NafId nafId = new NafId(naf.fqdn(), naf.ua());

    ResponseAPDU r =
        send(Uicc.nafDerivation(nafId.toBytes(), profile.impi().getBytes(StandardCharsets.UTF_8)));

    assertThat(r.getSW()).isEqualTo(0x9000);
    assertThat(r.getData()[0]).isEqualTo((byte) 0xDB);
    byte[] expected =
        GbaKdf.deriveNafKey(
            profile.ks(), profile.btid().rand(), profile.impi(), nafId, GbaKdf.Variant.GBA_ME);
    assertThat(Arrays.copyOfRange(r.getData(), 2, 34)).isEqualTo(expected);
  }

  @Test
  void derivation_for_a_naf_not_on_the_list_is_6a88() {
    verifyPin();
    NafId stranger = new NafId("stranger.example", profile.nafs().get(0).ua());
    assertThat(sw(Uicc.nafDerivation(stranger.toBytes(), "x".getBytes()))).isEqualTo(0x6A88);
  }

  @Test
  void no_command_gives_out_ks_and_personalisation_is_closed() {
    verifyPin();
    byte[] ks = profile.ks();
    for (CommandAPDU c : List.of(Uicc.readBinary(0, 256), Uicc.readRecord(1), Uicc.readRecord(2))) {
      for (int fid : new int[] {Uicc.FID_IMPI, Uicc.FID_GBABP, Uicc.FID_GBANL}) {
        sw(Uicc.selectFile(fid));
        assertThat(indexOf(send(c).getBytes(), ks)).isEqualTo(-1);
      }
    }
    assertThat(sw(new CommandAPDU(0x80, 0xE2, 0x01, 0x00, new byte[32]))).isEqualTo(0x6985);
  }

  @Test
  void the_reader_gets_every_naf_with_its_derived_key() {
    List<UiccReader.Parameters> read = new UiccReader(card).read(profile.pin());
    assertThat(read).hasSize(2);
    assertThat(read.get(1).record().allowList())
        .containsExactly("tls://127.0.0.1:4433", "tls://127.0.0.1:4434/api");
    assertThat(read.get(1).record().cipherSuites()).containsExactly(0x00A8, 0xC0A8);
    NafId nafId = read.get(1).record().nafId();
    assertThat(read.get(1).key())
        .isEqualTo(
            GbaKdf.deriveNafKey(
                profile.ks(), profile.btid().rand(), profile.impi(), nafId, GbaKdf.Variant.GBA_ME));
  }

  private void verifyPin() {
    assertThat(sw(Uicc.verifyPin(profile.pin()))).isEqualTo(0x9000);
  }

  private ResponseAPDU send(CommandAPDU c) {
    try {
      return card.transmit(c);
    } catch (javax.smartcardio.CardException e) {
      throw new IllegalStateException(e);
    }
  }

  private int sw(CommandAPDU c) {
    return send(c).getSW();
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
