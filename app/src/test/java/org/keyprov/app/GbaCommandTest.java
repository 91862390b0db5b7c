package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GbaCommandTest {
  private static final String KS =
      "b40ba9a3c58b2a05bbf0d987b21bf8cbf769bcd751044604127672711c6d3441";
  private static final String RAND = "23553cbe9637a89d218ae64dae47bf35";
  private static final String IMPI = "001010000000001@ims.mnc001.mcc001.3gppnetwork.org";

  @Test
  void derive_prints_ks_naf_as_one_lower_case_hex_line() {
    Cli cli =
        Cli.run(
            "gba",
            "derive",
            "--ks",
            KS,
            "--rand",
            RAND,
            "--impi",
            IMPI,
            "--naf-fqdn",
            "naf.example.org",
            "--ua",
            "010001008c");
    assertThat(cli.exitCode()).isZero();
    assertThat(cli.out())
        .isEqualTo(
            "70d117f5d870d13fc7d9fdf8edd383de5169e498f71013369c310aafd5e11547"
                + System.lineSeparator());
  }

  @Test
  void derive_gba_u_variant() {
    Cli cli =
        Cli.run(
            "gba",
            "derive",
            "--ks",
            KS,
            "--rand",
            RAND,
            "--impi",
            IMPI,
            "--naf-fqdn",
            "naf.example.org",
            "--ua",
            "01 00 01 00 8c",
            "--variant",
            "gba-u");
    assertThat(cli.out().trim())
        .isEqualTo("2c2050b25d0b67607cd4b3148609c6d6621cfc5afbe358b274bfffb4d4410788");
  }

  @Test
  void btid_prints_base64_rand_at_domain() {
    Cli cli = Cli.run("gba", "btid", "--rand", RAND, "--domain", "bsf.example.org");
    assertThat(cli.out().trim()).isEqualTo("I1U8vpY3qJ0hiuZNrke/NQ==@bsf.example.org");
  }

  @Test
  void bad_hex_gets_a_sentence_and_exit_code_2() {
    Cli cli =
        Cli.run(
            "gba",
            "derive",
            "--ks",
            "xyz",
            "--rand",
            RAND,
            "--impi",
            IMPI,
            "--naf-fqdn",
            "n",
            "--ua",
            "010001008c");
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).startsWith("keyprov: --ks must be an even number of hex digits");
    assertThat(cli.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void a_short_ua_id_names_the_option() {
    Cli cli =
        Cli.run(
            "gba",
            "derive",
            "--ks",
            KS,
            "--rand",
            RAND,
            "--impi",
            IMPI,
            "--naf-fqdn",
            "n",
            "--ua",
            "0100");
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("--ua: a Ua security protocol id is 10 hex digits");
  }

  @Test
  void unknown_variant_lists_the_accepted_ones() {
    Cli cli =
        Cli.run(
            "gba",
            "derive",
            "--ks",
            KS,
            "--rand",
            RAND,
            "--impi",
            IMPI,
            "--naf-fqdn",
            "n",
            "--ua",
            "010001008c",
            "--variant",
            "gba-x");
    assertThat(cli.exitCode()).isEqualTo(2);
    assertThat(cli.err()).contains("use gba-me");
  }
}
