package org.keyprov.keys.testing;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/** A real {@link SecureRandom} that remembers what it handed out, so tests can hunt for it. */
public final class RecordingRandom extends SecureRandom {
  private static final long serialVersionUID = 1L;
  private final transient List<byte[]> handedOut = new ArrayList<>();

  @Override
  public synchronized void nextBytes(byte[] bytes) {
    super.nextBytes(bytes);
    if (handedOut != null) {
      handedOut.add(bytes.clone());
    }
  }

  /** Every value of exactly {@code length} bytes handed out so far. */
  public synchronized List<byte[]> handedOut(int length) {
    return handedOut.stream().filter(b -> b.length == length).toList();
  }
}
