package org.keyprov.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchSummaryTest {
  @Test
  void the_median_of_an_even_count_is_the_mean_of_the_two_middle_values() {
    assertThat(Bench.summary(List.of(1.33, 1.00, 1.07, 1.02))).isEqualTo("1.00 / 1.05 / 1.33");
    assertThat(Bench.summary(List.of(3.0, 1.0, 2.0))).isEqualTo("1.00 / 2.00 / 3.00");
    assertThat(Bench.summary(List.of(0.5))).isEqualTo("0.50 / 0.50 / 0.50");
  }
}
