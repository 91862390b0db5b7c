package org.keyprov.uicc;

/** Lets tests in sub-packages use {@link TestProfiles}. */
public final class TestProfilesAccess {
  private TestProfilesAccess() {}

  public static SimProfile profile() {
    return TestProfiles.profile();
  }
}
