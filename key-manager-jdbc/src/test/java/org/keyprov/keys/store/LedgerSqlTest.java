package org.keyprov.keys.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The SQL every provisioning pass runs stays cheap to execute again. */
class LedgerSqlTest {
  @Test
  void the_shown_state_has_no_like_which_h2_parses_again_at_every_execution() {
    assertThat(JdbcLedger.SHOWN_STATE.toUpperCase(java.util.Locale.ROOT)).doesNotContain("LIKE");
    assertThat(JdbcLedger.SHOWN_STATE).contains("'FAILED'");
  }
}
