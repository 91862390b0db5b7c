package org.keyprov.keys.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.keyprov.keys.KeyManager;
import org.keyprov.keys.OperatorEvents.Event;
import org.keyprov.keys.OperatorEvents.Numbered;
import org.keyprov.keys.store.testing.TestDatabase;
import org.keyprov.keys.store.testing.TestKeyManagers;

@ParameterizedClass
@EnumSource(TestDatabase.class)
class OperatorEventsTest {
  @Parameter TestDatabase database;
  @TempDir Path dir;
  private DataSource ds;

  @BeforeEach
  void openTheDatabase() {
    ds = database.create(dir);
  }

  @Test
  void events_of_both_nodes_are_read_in_order_after_any_id_and_pruned_by_age() {
    KeyManager nodeA = TestKeyManagers.started(ds);
    KeyManager nodeB = TestKeyManagers.started(ds);
    assertThat(nodeA.events().latest()).isZero();

    nodeA.events().append(List.of(event("a1"), event("a2")));
    nodeB.events().append(List.of(event("b1")));
    nodeA.events().append(List.of());

    List<Numbered> all = nodeB.events().after(0, 10);
    assertThat(all).extracting(n -> n.event().endpoint()).containsExactly("a1", "a2", "b1");
    assertThat(all).extracting(Numbered::id).isSorted().doesNotHaveDuplicates();
    assertThat(nodeA.events().latest()).isEqualTo(all.get(2).id());
    assertThat(nodeA.events().after(all.get(0).id(), 1))
        .extracting(n -> n.event().endpoint())
        .containsExactly("a2");

    assertThat(nodeA.events().pruneBefore(Instant.now().minusSeconds(3600))).isZero();
    assertThat(nodeA.events().pruneBefore(Instant.now().plusSeconds(1))).isEqualTo(3);
    assertThat(nodeA.events().after(0, 10)).isEmpty();
  }

  @Test
  void a_long_detail_is_cut_not_refused() {
    KeyManager km = TestKeyManagers.started(ds);

    km.events().append(List.of(new Event("failed", "ep1", "a.enabler.test", "x".repeat(5000))));

    String detail = km.events().after(0, 1).get(0).event().detail();
    assertThat(detail).hasSize(1024).endsWith("…");
  }

  private static Event event(String endpoint) {
    return new Event("provisioned", endpoint, "a.enabler.test", "key version 1");
  }
}
