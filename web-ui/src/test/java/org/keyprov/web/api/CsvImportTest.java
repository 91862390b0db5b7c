package org.keyprov.web.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The device CSVs operators' spreadsheets write. */
class CsvImportTest {
  private static final String PSK = "00112233445566778899aabbccddeeff";

  @Test
  void excel_csv_utf8_with_its_byte_order_mark_and_quoted_fields_is_read() {
    CsvImport.Parsed p =
        CsvImport.parse(
            "\uFEFFendpoint,dm_psk_identity,dm_psk_hex,enablers\r\n"
                + "\"ep1\",\"id, with comma\","
                + PSK
                + ",\"a.test;b.test\"\r\n"
                + "ep2,\"say \"\"hi\"\"\","
                + PSK
                + ",a.test\r\n");
    assertThat(p.errors()).isEmpty();
    assertThat(p.rows()).hasSize(2);
    assertThat(p.rows().get(0).device().dmPskIdentity()).isEqualTo("id, with comma");
    assertThat(p.rows().get(0).enablers()).containsExactly("a.test", "b.test");
    assertThat(p.rows().get(1).device().dmPskIdentity()).isEqualTo("say \"hi\"");
  }

  @Test
  void semicolon_separated_files_are_read_with_their_enablers_separated_by_commas() {
    CsvImport.Parsed p =
        CsvImport.parse(
            "endpoint;dm_psk_identity;dm_psk_hex;enablers\nep1;;" + PSK + ";a.test,b.test\n");
    assertThat(p.errors()).isEmpty();
    assertThat(p.rows().get(0).device().dmPskIdentity()).isEqualTo("ep1");
    assertThat(p.rows().get(0).enablers()).containsExactly("a.test", "b.test");
  }

  @Test
  void a_file_of_factory_bootstrap_credentials_is_read_as_such() {
    CsvImport.Parsed p =
        CsvImport.parse(
            "endpoint,bs_psk_identity,bs_psk_hex,enablers\nep1,ep1-factory,"
                + PSK
                + ",a.test\nep2,,"
                + PSK
                + "\nep3,x,abc\n");
    assertThat(p.rows()).hasSize(2);
    assertThat(p.rows().get(0).device().factoryBootstrap()).isTrue();
    assertThat(p.rows().get(0).device().dmPskIdentity()).isEqualTo("ep1-factory");
    assertThat(p.rows().get(1).device().dmPskIdentity()).isEqualTo("ep2");
    assertThat(p.errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).startsWith("bs_psk_hex must be"));
    assertThat(CsvImport.parse("endpoint,dm_psk_identity,dm_psk_hex\nep1,," + PSK).rows())
        .allSatisfy(r -> assertThat(r.device().factoryBootstrap()).isFalse());
  }

  @Test
  void a_wrong_header_or_an_open_quote_says_what_was_found() {
    CsvImport.Parsed header = CsvImport.parse("device," + PSK + "\nep1," + PSK + "\n");
    assertThat(header.errors())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.line()).isEqualTo(1);
              assertThat(e.message())
                  .contains("endpoint,dm_psk_identity,dm_psk_hex[,enablers]")
                  .contains("it begins 'device'")
                  .doesNotContain(PSK);
            });
    CsvImport.Parsed open =
        CsvImport.parse("endpoint,dm_psk_identity,dm_psk_hex\n\"ep1,," + PSK + "\n");
    assertThat(open.errors())
        .singleElement()
        .satisfies(e -> assertThat(e.message()).contains("quoted field is not closed"));
  }
}
