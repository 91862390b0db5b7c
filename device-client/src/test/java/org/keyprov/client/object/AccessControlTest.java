package org.keyprov.client.object;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.eclipse.leshan.client.servers.LwM2mServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LwM2M 1.1 §E.3 Access Control rules, and that they survive a restart. */
class AccessControlTest {
  private static final int OBJECT = 33001;
  private static final LwM2mServer KEY_MANAGER = server(1);
  private static final LwM2mServer VENDOR = server(2);
  private static final LwM2mServer PARTNER = server(3);

  @TempDir Path dir;

  private static LwM2mServer server(long ssid) {
    return new LwM2mServer(null, ssid, URI.create("coap://server-" + ssid));
  }

  @Test
  void the_owner_has_every_right_and_nobody_else_any() {
    AccessControl acl = loaded();
    acl.add(acl.missing(OBJECT, List.of(0, 1), 1));

    for (long right :
        new long[] {
          AccessControl.READ, AccessControl.WRITE, AccessControl.EXECUTE, AccessControl.DELETE
        }) {
      assertThat(acl.allows(KEY_MANAGER, OBJECT, 0, right)).isTrue();
      assertThat(acl.allows(VENDOR, OBJECT, 0, right)).isFalse();
    }
    assertThat(acl.allows(KEY_MANAGER, OBJECT, AccessControl.OBJECT_LEVEL, AccessControl.CREATE))
        .isTrue();
    assertThat(acl.allows(VENDOR, OBJECT, AccessControl.OBJECT_LEVEL, AccessControl.CREATE))
        .isFalse();
    // the device itself and its bootstrap server are not subject to it
    assertThat(acl.allows(LwM2mServer.SYSTEM, OBJECT, 0, AccessControl.WRITE)).isTrue();
    assertThat(
            acl.allows(
                new LwM2mServer(null, URI.create("coaps://bs")), OBJECT, 0, AccessControl.WRITE))
        .isTrue();
    // an instance nobody set up is nobody's: refused
    assertThat(acl.allows(KEY_MANAGER, OBJECT, 7, AccessControl.READ)).isFalse();
  }

  @Test
  void entries_grant_what_they_say_and_entry_zero_is_the_default() {
    AccessControl acl = loaded();
    acl.add(
        List.of(
            new AclEntry(OBJECT, 0, Map.of(2, AccessControl.READ, 0, AccessControl.EXECUTE), 1),
            new AclEntry(OBJECT, 1, Map.of(1, AccessControl.READ), 1)));

    assertThat(acl.allows(VENDOR, OBJECT, 0, AccessControl.READ)).isTrue();
    assertThat(acl.allows(VENDOR, OBJECT, 0, AccessControl.WRITE)).isFalse();
    assertThat(acl.allows(PARTNER, OBJECT, 0, AccessControl.EXECUTE)).isTrue();
    assertThat(acl.allows(PARTNER, OBJECT, 0, AccessControl.READ)).isFalse();
    // an owner with an entry of its own has what the entry says
    assertThat(acl.allows(KEY_MANAGER, OBJECT, 1, AccessControl.READ)).isTrue();
    assertThat(acl.allows(KEY_MANAGER, OBJECT, 1, AccessControl.WRITE)).isFalse();
  }

  @Test
  void the_entries_are_kept_in_the_state_file() {
    AccessControl acl = loaded();
    acl.add(acl.missing(OBJECT, List.of(4), 1));
    assertThat(acl.missing(OBJECT, List.of(4), 1)).isEmpty();

    AccessControl again = loaded();

    assertThat(again.entries()).containsExactlyInAnyOrderElementsOf(acl.entries());
    assertThat(again.allows(VENDOR, OBJECT, 4, AccessControl.READ)).isFalse();
    assertThat(again.allows(KEY_MANAGER, OBJECT, 4, AccessControl.READ)).isTrue();
  }

  private AccessControl loaded() {
    StateFile file = new StateFile(dir.resolve("device.state"));
    file.load();
    return new AccessControl(file);
  }
}
