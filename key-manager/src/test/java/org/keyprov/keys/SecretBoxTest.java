package org.keyprov.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  private static byte[] key(int fill) {
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) fill);
    return key;
  }

  @Test
  void a_box_opens_under_its_key_and_context_only() {
    byte[] key = key(7);
    SecretBox box = new SecretBox(key, new SecureRandom());
    Arrays.fill(key, (byte) 0); // the box kept its own copy
    byte[] secret = "a key".getBytes(StandardCharsets.UTF_8);
    byte[] sealed = box.seal(secret, "device.ks:ep1");

    assertThat(box.open(sealed, "device.ks:ep1")).isEqualTo(secret);
    assertThat(box.seal(secret, "device.ks:ep1"))
        .as("a fresh nonce each time")
        .isNotEqualTo(sealed);
    assertThatThrownBy(() -> box.open(sealed, "device.ks:ep2"))
        .isInstanceOf(SecretBox.NotOpened.class)
        .hasMessage("a sealed device.ks:ep2 does not open: sealed under another key, or changed");
    assertThatThrownBy(
            () -> new SecretBox(key(8), new SecureRandom()).open(sealed, "device.ks:ep1"))
        .isInstanceOf(SecretBox.NotOpened.class);
    byte[] changed = sealed.clone();
    changed[changed.length - 1] ^= 1;
    assertThatThrownBy(() -> box.open(changed, "device.ks:ep1"))
        .isInstanceOf(SecretBox.NotOpened.class);
    assertThatThrownBy(() -> box.open(Arrays.copyOf(sealed, 20), "device.ks:ep1"))
        .isInstanceOf(SecretBox.NotOpened.class);
  }

  @Test
  void a_key_that_is_not_32_bytes_is_refused() {
    assertThatThrownBy(() -> new SecretBox(new byte[16], new SecureRandom()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an AES-256 key has 32 bytes, not 16");
  }
}
