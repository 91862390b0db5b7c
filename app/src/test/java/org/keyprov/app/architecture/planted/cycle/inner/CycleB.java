package org.keyprov.app.architecture.planted.cycle.inner;

import org.keyprov.app.architecture.planted.cycle.CycleA;

/** Planted for ArchitectureTest: the other half of the cycle. */
public final class CycleB {
  private CycleB() {}

  public static int twice(int n) {
    return n + n * CycleA.one();
  }
}
