package org.keyprov.server;

import java.time.Instant;
import java.util.List;

/**
 * A device's LwM2M registration as an operator reads it (what the Leshan demo shows), without
 * Leshan types: where it registered from, its lifetime, binding, LwM2M version, when it registered
 * and last updated, the object links it listed, the content formats it supports (by name, as {@link
 * DeviceObjects#formats()} spells them), the node that serves it (null with one node), and how its
 * Enabler connection results reach the server: sent by the device (it registered saying so) or
 * through the server's observation of object 33001.
 */
public record RegistrationInfo(
    String registrationId,
    String address,
    long lifetimeSeconds,
    String binding,
    boolean queueMode,
    String lwm2mVersion,
    Instant registeredAt,
    Instant lastUpdate,
    List<String> objectLinks,
    List<String> contentFormats,
    String node,
    boolean reportsBySend,
    boolean observed) {
  public RegistrationInfo {
    objectLinks = List.copyOf(objectLinks);
    contentFormats = List.copyOf(contentFormats);
  }
}
