package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keyprov admin} on a data directory, as an operator at the console uses it. */
class AdminCommandIT {
  @TempDir Path dir;

  @Test
  void a_lost_operator_password_is_reset_from_the_console_and_shown_once() throws Exception {
    String data = dir.resolve("data").toString();
    Cli created =
        Cli.run(
            "admin", "add-operator", "--data-dir", data, "--username", "olga", "--role", "admin");
    assertThat(created.exitCode()).as(created.err()).isZero();
    String first = created.out().substring(created.out().lastIndexOf(' ') + 1).trim();

    Cli reset = Cli.run("admin", "reset-password", "--data-dir", data, "--username", "olga");

    assertThat(reset.exitCode()).as(reset.err()).isZero();
    assertThat(reset.out()).startsWith("new password for olga (shown once): ");
    String second = reset.out().substring(reset.out().lastIndexOf(' ') + 1).trim();
    assertThat(second).isNotEqualTo(first);
    try (Storage store = Storage.open(dir.resolve("data"), "km.keyprov.local")) {
      assertThat(store.keyManager.operators().authenticate("olga", first.toCharArray())).isEmpty();
      assertThat(store.keyManager.operators().authenticate("olga", second.toCharArray()))
          .isPresent();
    }
    Cli audit = Cli.run("admin", "audit", "--data-dir", data);
    assertThat(audit.out()).contains("operator.password-reset").doesNotContain(second);
  }

  @Test
  void commands_use_the_databases_own_domain_and_refuse_another_one() {
    String data = dir.resolve("data").toString();
    Cli created =
        Cli.run(
            "admin",
            "add-operator",
            "--data-dir",
            data,
            "--domain",
            "km.example.org",
            "--username",
            "olga",
            "--role",
            "admin");
    assertThat(created.exitCode()).as(created.err()).isZero();

    Cli withoutDomain = Cli.run("admin", "audit", "--data-dir", data);
    Cli otherDomain = Cli.run("admin", "audit", "--data-dir", data, "--domain", "km.other.org");

    assertThat(withoutDomain.exitCode()).as(withoutDomain.err()).isZero();
    assertThat(withoutDomain.out()).contains("olga");
    assertThat(otherDomain.exitCode()).isNotZero();
    assertThat(otherDomain.err())
        .contains("belongs to Key Manager domain 'km.example.org', not 'km.other.org'")
        .contains("--domain km.example.org")
        .doesNotContain("\tat ");
  }

  @Test
  void resetting_an_unknown_operator_says_so_without_a_stack_trace() {
    Cli reset =
        Cli.run(
            "admin",
            "reset-password",
            "--data-dir",
            dir.resolve("data").toString(),
            "--username",
            "nobody");

    assertThat(reset.exitCode()).isNotZero();
    assertThat(reset.err()).contains("no operator 'nobody'").doesNotContain("\tat ");
  }

  @Test
  void unassign_and_change_dm_psk_work_from_the_console_and_say_what_they_did() throws Exception {
    String data = dir.resolve("data").toString();
    Cli.run(
        "admin",
        "add-enabler",
        "--data-dir",
        data,
        "--fqdn",
        "e.test",
        "--uri",
        "tls://127.0.0.1:1");
    Cli.run(
        "admin",
        "add-device",
        "--data-dir",
        data,
        "--endpoint",
        "ep1",
        "--dm-psk",
        "00112233445566778899aabbccddeeff");
    Cli.run("admin", "assign", "--data-dir", data, "--endpoint", "ep1", "--enabler", "e.test");

    Cli unassign =
        Cli.run(
            "admin", "unassign", "--data-dir", data, "--endpoint", "ep1", "--enabler", "e.test");
    assertThat(unassign.exitCode()).as(unassign.err()).isZero();
    assertThat(unassign.out()).contains("Enabler e.test taken off ep1");
    Cli again =
        Cli.run(
            "admin", "unassign", "--data-dir", data, "--endpoint", "ep1", "--enabler", "e.test");
    assertThat(again.exitCode()).isNotZero();
    assertThat(again.err()).contains("not assigned to device ep1").doesNotContain("\tat ");

    Cli change = Cli.run("admin", "change-dm-psk", "--data-dir", data, "--endpoint", "ep1");
    assertThat(change.exitCode()).as(change.err()).isZero();
    String psk = change.out().substring(change.out().lastIndexOf(' ') + 1).trim();
    assertThat(psk).matches("[0-9a-f]{32}");
    try (Storage store = Storage.open(dir.resolve("data"), "km.keyprov.local")) {
      assertThat(store.keyManager.dmCredentials().byEndpoint("ep1").orElseThrow().key())
          .isEqualTo(java.util.HexFormat.of().parseHex(psk));
      assertThat(store.keyManager.ledger().assignments("ep1")).isEmpty();
    }
    Cli unknown = Cli.run("admin", "change-dm-psk", "--data-dir", data, "--endpoint", "nope");
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.err()).contains("no device has endpoint 'nope'").doesNotContain("\tat ");
    assertThat(Cli.run("admin", "audit", "--data-dir", data).out())
        .contains("enabler.unassigned")
        .contains("device.dm_psk_changed")
        .doesNotContain(psk);
    try (Storage store = Storage.open(dir.resolve("data"), "km.keyprov.local")) {
      // every change made from the console names the OS user who made it
      assertThat(store.keyManager.audit().recent(50))
          .filteredOn(
              e ->
                  java.util.List.of(
                          "enabler.added",
                          "device.added",
                          "enabler.assigned",
                          "enabler.unassigned",
                          "device.dm_psk_changed")
                      .contains(e.action()))
          .hasSize(5)
          .allSatisfy(
              e -> assertThat(e.actor()).isEqualTo("cli:" + System.getProperty("user.name")));
    }
  }

  @Test
  void listings_print_json_for_scripts_and_delete_device_says_what_it_did() throws Exception {
    String data = dir.resolve("data").toString();
    Cli.run("admin", "add-enabler", "--data-dir", data, "--fqdn", "e.test", "--uri", "tls://h:1");
    Cli.run(
        "admin",
        "add-device",
        "--data-dir",
        data,
        "--endpoint",
        "ep1",
        "--dm-psk",
        "00112233445566778899aabbccddeeff");
    Cli.run("admin", "add-device", "--data-dir", data, "--endpoint", "ep2");
    Cli.run("admin", "assign", "--data-dir", data, "--endpoint", "ep1", "--enabler", "e.test");
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();

    Cli status = Cli.run("admin", "status", "--data-dir", data, "--json");
    assertThat(status.exitCode()).as(status.err()).isZero();
    com.fasterxml.jackson.databind.JsonNode rows = json.readTree(status.out());
    assertThat(rows).hasSize(2);
    assertThat(rows.get(0).get("endpoint").asText()).isEqualTo("ep1");
    assertThat(rows.get(0).get("enabler").asText()).isEqualTo("e.test");
    assertThat(rows.get(0).get("state").asText()).isEqualTo("PENDING");
    assertThat(rows.get(1).get("enabler").isNull()).isTrue();

    com.fasterxml.jackson.databind.JsonNode devices =
        json.readTree(Cli.run("admin", "list-devices", "--data-dir", data, "--json").out());
    assertThat(devices.findValuesAsText("endpoint")).containsExactly("ep1", "ep2");
    assertThat(devices.toString()).doesNotContain("00112233445566778899aabbccddeeff");
    com.fasterxml.jackson.databind.JsonNode enablers =
        json.readTree(Cli.run("admin", "list-enablers", "--data-dir", data, "--json").out());
    assertThat(enablers.get(0).get("fqdn").asText()).isEqualTo("e.test");
    assertThat(enablers.get(0).get("cipherSuites").get(0).asText()).isEqualTo("0xC0A8");
    Cli.run("admin", "add-operator", "--data-dir", data, "--username", "olga", "--role", "auditor");
    com.fasterxml.jackson.databind.JsonNode operators =
        json.readTree(Cli.run("admin", "list-operators", "--data-dir", data, "--json").out());
    assertThat(operators.findValuesAsText("username")).contains("olga");
    assertThat(json.readTree(Cli.run("admin", "audit", "--data-dir", data, "--json").out()))
        .isNotEmpty();

    Cli deleted = Cli.run("admin", "delete-device", "--data-dir", data, "--endpoint", "ep2");
    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    assertThat(deleted.out()).contains("device ep2 deleted");
    assertThat(Cli.run("admin", "list-devices", "--data-dir", data).out()).doesNotContain("ep2");
    Cli enablerGone = Cli.run("admin", "delete-enabler", "--data-dir", data, "--fqdn", "e.test");
    assertThat(enablerGone.exitCode()).as(enablerGone.err()).isZero();
    assertThat(enablerGone.out()).contains("Enabler e.test deleted; taken off 1 device(s)");
    assertThat(Cli.run("admin", "list-enablers", "--data-dir", data).out())
        .doesNotContain("e.test");
    assertThat(Cli.run("admin", "delete-enabler", "--data-dir", data, "--fqdn", "e.test").err())
        .contains("no Enabler has NAF FQDN 'e.test'")
        .doesNotContain("\tat ");
    Cli again = Cli.run("admin", "delete-device", "--data-dir", data, "--endpoint", "ep2");
    assertThat(again.exitCode()).isEqualTo(2);
    assertThat(again.err()).contains("no device has endpoint 'ep2'").doesNotContain("\tat ");
  }

  @Test
  void import_follows_the_ui_rules_all_or_nothing_or_the_valid_lines() throws Exception {
    String data = dir.resolve("data").toString();
    Cli.run("admin", "add-enabler", "--data-dir", data, "--fqdn", "e.test", "--uri", "tls://h:1");
    java.nio.file.Path csv = dir.resolve("devices.csv");
    java.nio.file.Files.writeString(
        csv,
        "endpoint,dm_psk_identity,dm_psk_hex,enablers\n"
            + "ep1,,00112233445566778899aabbccddeeff,e.test\n"
            + "ep2,,not-hex,e.test\n"
            + "ep3,id3,00112233445566778899aabbccddeeff,nope.test\n"
            + "ep4,,00112233445566778899aabbccddeeff\n");

    Cli all = Cli.run("admin", "import", "--data-dir", data, csv.toString());
    assertThat(all.exitCode()).isEqualTo(1);
    assertThat(all.out()).contains("0 devices imported");
    assertThat(all.err())
        .contains(csv + ":3: dm_psk_hex must be 32 to 128 hex digits")
        .contains(csv + ":4: unknown Enabler(s): nope.test")
        .doesNotContain("\tat ");
    assertThat(Cli.run("admin", "list-devices", "--data-dir", data).out()).doesNotContain("ep1");

    Cli valid =
        Cli.run("admin", "import", "--data-dir", data, "--mode", "valid", "--json", csv.toString());
    assertThat(valid.exitCode()).as(valid.err()).isZero();
    com.fasterxml.jackson.databind.JsonNode answer =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(valid.out());
    assertThat(answer.get("imported").asInt()).isEqualTo(2);
    assertThat(answer.get("errors").findValuesAsText("line")).containsExactly("3", "4");
    assertThat(Cli.run("admin", "status", "--data-dir", data).out())
        .contains("ep1")
        .contains("e.test")
        .contains("ep4");
    Cli none = Cli.run("admin", "import", "--data-dir", data, dir.resolve("nope.csv").toString());
    assertThat(none.exitCode()).isEqualTo(2);
    assertThat(none.err()).contains("no such readable file");
  }

  @Test
  void an_api_token_is_issued_once_listed_without_its_secret_and_revoked() throws Exception {
    String data = dir.resolve("data").toString();
    Cli.run("admin", "add-operator", "--data-dir", data, "--username", "aud", "--role", "auditor");

    Cli tooStrong =
        Cli.run(
            "admin",
            "issue-token",
            "--data-dir",
            data,
            "--username",
            "aud",
            "--name",
            "ci",
            "--scope",
            "operator");
    assertThat(tooStrong.exitCode()).isEqualTo(2);
    assertThat(tooStrong.err()).contains("aud is auditor").doesNotContain("Exception");
    Cli issued =
        Cli.run("admin", "issue-token", "--data-dir", data, "--username", "aud", "--name", "ci");
    assertThat(issued.exitCode()).as(issued.err()).isZero();
    assertThat(issued.out()).contains("scope auditor").containsPattern("kpt_[A-Za-z0-9_-]{43}");
    String secret = issued.out().replaceAll("(?s).*(kpt_[A-Za-z0-9_-]{43}).*", "$1");

    Cli listed = Cli.run("admin", "list-tokens", "--data-dir", data, "--json");
    com.fasterxml.jackson.databind.JsonNode rows =
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(listed.out());
    assertThat(rows.get(0).get("name").asText()).isEqualTo("ci");
    assertThat(rows.get(0).get("revokedAt").isNull()).isTrue();
    assertThat(listed.out()).doesNotContain(secret);

    Cli revoked =
        Cli.run(
            "admin", "revoke-token", "--data-dir", data, "--id", rows.get(0).get("id").asText());
    assertThat(revoked.exitCode()).as(revoked.err()).isZero();
    Cli again = Cli.run("admin", "list-tokens", "--data-dir", data);
    assertThat(again.out()).contains("ci").containsPattern("20\\d\\d-");
    Cli twice =
        Cli.run(
            "admin", "revoke-token", "--data-dir", data, "--id", rows.get(0).get("id").asText());
    assertThat(twice.exitCode()).isEqualTo(2);
    assertThat(twice.err()).contains("no active API token");
  }
}
