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
    try (Storage store = Storage.open(dir.resolve("data"), "km.test")) {
      assertThat(store.keyManager.operators().authenticate("olga", first.toCharArray())).isEmpty();
      assertThat(store.keyManager.operators().authenticate("olga", second.toCharArray()))
          .isPresent();
    }
    Cli audit = Cli.run("admin", "audit", "--data-dir", data);
    assertThat(audit.out()).contains("operator.password-reset").doesNotContain(second);
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
}
