package org.keyprov.app.architecture.planted.transport;

/** Planted for ArchitectureTest: Bouncy Castle where it belongs. */
public final class UsesBouncyCastleInTransport {
  public static String provider() {
    return org.bouncycastle.jce.provider.BouncyCastleProvider.PROVIDER_NAME;
  }
}
