package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Every option from the environment or the settings file, flags first. */
class OptionDefaultsTest {
  @TempDir Path dir;

  @AfterEach
  void forget() {
    SettingsFile.use(null);
  }

  private ServerCommand server(Map<String, String> env, String... args) throws Exception {
    CommandLine cli = new CommandLine(new KeyprovCommand());
    cli.setDefaultValueProvider(OptionDefaults.of(cli, args, env));
    cli.parseArgs(args);
    return cli.getSubcommands().get("server").getCommand();
  }

  @Test
  void a_flag_wins_then_the_environment_then_the_file_each_scoped_before_bare() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Files.writeString(
        data.resolve(SettingsFile.NAME),
        "server.coaps.port=6001\ncoaps.port=6002\nbind=0.0.0.0\ndtls.sessions=1000\n");
    String[] args = {"server", "--data-dir", data.toString()};

    ServerCommand fromFile = server(Map.of(), args);
    assertThat(fromFile.coapsPort).isEqualTo(6001);
    assertThat(fromFile.bind).isEqualTo("0.0.0.0");
    assertThat(fromFile.dtlsSessions).isEqualTo(1000);
    assertThat(fromFile.httpsPort).as("the option's own default").isEqualTo(8443);

    assertThat(server(Map.of("KEYPROV_COAPS_PORT", "7002"), args).coapsPort).isEqualTo(7002);
    assertThat(
            server(Map.of("KEYPROV_COAPS_PORT", "7002", "KEYPROV_SERVER_COAPS_PORT", "7001"), args)
                .coapsPort)
        .isEqualTo(7001);
    assertThat(
            server(
                    Map.of("KEYPROV_SERVER_COAPS_PORT", "7001"),
                    "server",
                    "--data-dir",
                    data.toString(),
                    "--coaps-port",
                    "9000")
                .coapsPort)
        .isEqualTo(9000);
  }

  @Test
  void the_data_directory_comes_from_its_flag_or_the_environment_and_config_names_another_file()
      throws Exception {
    Path elsewhere = dir.resolve("elsewhere");
    Files.createDirectories(elsewhere);
    Files.writeString(elsewhere.resolve(SettingsFile.NAME), "coaps.port=6100\n");
    assertThat(
            server(Map.of(OptionDefaults.DATA_DIR_ENV, elsewhere.toString()), "server").coapsPort)
        .isEqualTo(6100);
    Path config = dir.resolve("node.properties");
    Files.writeString(config, "coaps.port=6200\n");
    assertThat(server(Map.of(), "server", "--config", config.toString()).coapsPort).isEqualTo(6200);
    assertThat(SettingsFile.at(elsewhere)).as("read instead of the data dir's").isEqualTo(config);
  }

  @Test
  void the_domain_in_the_file_is_the_one_admin_commands_use() {
    String data = dir.resolve("data").toString();
    assertThat(
            Cli.run("admin", "list-devices", "--data-dir", data, "--domain", "km.example.org")
                .exitCode())
        .isZero();
    Path settings = dir.resolve("data").resolve(SettingsFile.NAME);
    try {
      Files.writeString(settings, "domain=km.example.org\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Cli added = Cli.run("admin", "add-device", "--data-dir", data, "--endpoint", "ep1");
    assertThat(added.exitCode()).as(added.err()).isZero();
    assertThat(Cli.run("admin", "list-devices", "--data-dir", data).out())
        .contains("ep1@km.example.org");
  }

  @Test
  void bad_settings_say_what_is_wrong_and_where() throws Exception {
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    Path settings = data.resolve(SettingsFile.NAME);
    Files.writeString(settings, "coaps.prot=5684\n");
    Cli typo = Cli.run("server", "--data-dir", data.toString());
    assertThat(typo.exitCode()).isEqualTo(2);
    assertThat(typo.err())
        .contains("unknown setting 'coaps.prot'")
        .contains("every option is a setting")
        .doesNotContain("\tat ");

    Files.writeString(settings, "server.coaps.port=many\n");
    Cli bad = Cli.run("server", "--data-dir", data.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("--coaps-port").contains("many");

    Cli missing = Cli.run("server", "--config", dir.resolve("nope.properties").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("no such readable file");
  }

  @Test
  void secrets_per_call_are_not_settings() {
    assertThat(OptionDefaults.settingKeys(new CommandLine(new KeyprovCommand()).getCommandSpec()))
        .contains("coaps.port", "server.coaps.port", "enabler.bind", "domain", "management.port")
        .doesNotContain("dm.psk", "admin.add-device.dm.psk", "config", "data.dir");
  }
}
