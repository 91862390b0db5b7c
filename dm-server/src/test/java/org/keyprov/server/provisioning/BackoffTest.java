package org.keyprov.server.provisioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = new Backoff(Duration.ofSeconds(5), Duration.ofMinutes(1));

  @Test
  void doubles_from_the_initial_delay_up_to_the_cap() {
    assertThat(backoff.delayAfter(1)).isEqualTo(Duration.ofSeconds(5));
    assertThat(backoff.delayAfter(2)).isEqualTo(Duration.ofSeconds(10));
    assertThat(backoff.delayAfter(4)).isEqualTo(Duration.ofSeconds(40));
    assertThat(backoff.delayAfter(5)).isEqualTo(Duration.ofMinutes(1));
    assertThat(backoff.delayAfter(1000)).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void refuses_a_cap_below_the_initial_delay() {
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(5), Duration.ofSeconds(1)))
        .hasMessageContaining("initial <= max");
  }
}
