package org.keyprov.web.api;

import java.time.Instant;
import java.util.Map;

/**
 * What the console's Server page shows: where devices, Enablers and operators reach this server,
 * its HTTPS certificate (for pinning by Enablers), version, node, database kind and when it
 * started. Holds no secret.
 *
 * @param endpoints label → URI, e.g. "DM server (CoAPs)" → coaps://…
 * @param node this node's name among several, or null
 */
public record ServerInfo(
    String version,
    Map<String, String> endpoints,
    String certificatePem,
    String certificateSha256,
    String node,
    String database,
    Instant startedAt) {
  public ServerInfo {
    endpoints = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(endpoints));
  }
}
