package org.keyprov.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LogSettingsTest {
  @AfterEach
  void clear() {
    System.clearProperty("keyprov.log.level");
    System.clearProperty("keyprov.log.format");
  }

  @Test
  void services_log_at_info_and_other_commands_at_warn_unless_told() {
    assertThat(LogSettings.apply(new String[] {"server", "--data-dir", "x"}, Map.of())).isNull();
    assertThat(System.getProperty("keyprov.log.level")).isEqualTo("INFO");
    assertThat(System.getProperty("keyprov.log.format")).isEqualTo("text");
    clear();
    assertThat(LogSettings.apply(new String[] {"admin", "audit"}, Map.of())).isNull();
    assertThat(System.getProperty("keyprov.log.level")).isEqualTo("WARN");
    clear();
    assertThat(
            LogSettings.apply(
                new String[] {"enabler"},
                Map.of(LogSettings.LEVEL_ENV, "debug", LogSettings.FORMAT_ENV, "JSON")))
        .isNull();
    assertThat(System.getProperty("keyprov.log.level")).isEqualTo("DEBUG");
    assertThat(System.getProperty("keyprov.log.format")).isEqualTo("json");
  }

  @Test
  void a_level_or_format_that_is_not_one_says_what_is_accepted() {
    assertThat(LogSettings.apply(new String[] {"server"}, Map.of(LogSettings.LEVEL_ENV, "loud")))
        .isEqualTo("KEYPROV_LOG_LEVEL=loud: give one of TRACE, DEBUG, INFO, WARN, ERROR, OFF");
    assertThat(LogSettings.apply(new String[] {"server"}, Map.of(LogSettings.FORMAT_ENV, "xml")))
        .isEqualTo("KEYPROV_LOG_FORMAT=xml: give text or json");
    assertThat(System.getProperty("keyprov.log.level")).isNull();
  }
}
