package org.keyprov.client.planted;

/** Planted for ArchitectureTest: device-client may not import web-ui. */
public final class ImportsTheWebUi {
  public static Class<?> handler() {
    return org.keyprov.web.api.ApiHandler.class;
  }
}
