package org.keyprov.uicc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SimProfileTest {
  private final String text = TestProfiles.profile().format();

  @Test
  void round_trips_through_its_text_form() {
    SimProfile parsed = SimProfile.parse(text);
    assertThat(parsed.ks()).isEqualTo(TestProfiles.KS);
    assertThat(parsed.nafs()).isEqualTo(TestProfiles.profile().nafs());
    assertThat(parsed.btid()).isEqualTo(TestProfiles.profile().btid());
    assertThat(parsed.toString()).doesNotContain("b40ba9a3");
  }

  @Test
  void says_it_carries_ks() {
    assertThat(text).contains("CONTAINS THE ROOT KEY Ks");
  }

  @Test
  void a_truncated_profile_names_the_missing_field() {
    String truncated =
        String.join(
            "\n",
            text.lines()
                .filter(l -> !l.startsWith("naf.1.") || l.startsWith("naf.1.fqdn"))
                .toList());
    assertThatThrownBy(() -> SimProfile.parse(truncated)).hasMessage("naf.1.ua: missing");
    assertThatThrownBy(() -> SimProfile.parse(text.replaceAll("(?m)^pin=.*$", "")))
        .hasMessage("pin: missing");
    assertThatThrownBy(() -> SimProfile.parse(""))
        .hasMessage("format: missing; expected keyprov-sim-profile/1");
  }

  @Test
  void a_key_of_the_wrong_length_names_the_field() {
    assertThatThrownBy(() -> SimProfile.parse(text.replaceAll("(?m)^ks=(.*)..$", "ks=$1")))
        .hasMessage("ks: must be 64 hex digits (32 bytes)");
  }

  @Test
  void a_ua_id_of_the_wrong_length_names_the_naf() {
    assertThatThrownBy(
            () -> SimProfile.parse(text.replaceAll("(?m)^naf\\.1\\.ua=.*$", "naf.1.ua=0100")))
        .hasMessageStartingWith("naf.1.ua: a Ua security protocol id is 10 hex digits");
  }

  @Test
  void an_unknown_version_is_refused() {
    assertThatThrownBy(
            () -> SimProfile.parse(text.replace(SimProfile.FORMAT, "keyprov-sim-profile/9")))
        .hasMessage(
            "format: unknown version 'keyprov-sim-profile/9'; expected keyprov-sim-profile/1");
  }

  @Test
  void a_bad_pin_is_refused() {
    assertThatThrownBy(() -> SimProfile.parse(text.replaceAll("(?m)^pin=.*$", "pin=12a4")))
        .hasMessage("pin: a PIN is 4 to 8 digits");
  }
}
