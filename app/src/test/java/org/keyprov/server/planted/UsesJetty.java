package org.keyprov.server.planted;

/** Planted for ArchitectureTest: Jetty in the DM server. */
public final class UsesJetty {
  public static Object server() {
    return new org.eclipse.jetty.server.Server();
  }
}
