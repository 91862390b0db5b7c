package org.keyprov.app.architecture.planted.cycle;

import org.keyprov.app.architecture.planted.cycle.inner.CycleB;

/** Planted for ArchitectureTest: a package cycle with {@link CycleB}'s package. */
public final class CycleA {
  private CycleA() {}

  public static int one() {
    return 1;
  }

  public static int two() {
    return CycleB.twice(one());
  }
}
