package org.keyprov.server.planted;

/** Planted for ArchitectureTest: Scandium outside a transport package. */
public final class UsesScandiumOutsideTransport {
  public static Object maxConnections() {
    return org.eclipse.californium.scandium.config.DtlsConfig.DTLS_MAX_CONNECTIONS;
  }
}
