package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void units_people_type_and_iso_8601_are_read() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
    assertThat(Durations.parse("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse(" 10S ")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("PT30S")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("p1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("PT0S")).isZero();
  }

  @Test
  void a_bad_duration_says_what_is_accepted() {
    for (String bad : new String[] {"30", "", "5 minutes", "1w", "PTxS", "s"}) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .as(bad)
          .hasMessage(
              "'"
                  + bad
                  + "' is not a duration: give a number with a unit, such as 500ms, 30s, 5m, 2h,"
                  + " 1d or 1h30m, or ISO-8601 such as PT30S");
    }
    assertThatThrownBy(() -> Durations.parse("PT-5S")).hasMessageContaining("cannot be negative");
    assertThatThrownBy(() -> Durations.parse("99999999999999999999d"))
        .hasMessageContaining("longer than keyprov can count");
  }

  @Test
  void every_command_reads_them_and_a_bad_one_gets_no_class_name() {
    Cli bad = Cli.run("device", "--endpoint", "ep", "--once", "--timeout", "30");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err())
        .contains("Invalid value for option '--timeout': '30' is not a duration")
        .doesNotContain("java.")
        .doesNotContain("DateTimeParseException");
  }
}
