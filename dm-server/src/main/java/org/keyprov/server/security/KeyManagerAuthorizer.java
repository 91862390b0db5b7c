package org.keyprov.server.security;

import java.util.Map;
import org.eclipse.leshan.core.peer.IpPeer;
import org.eclipse.leshan.core.peer.LwM2mPeer;
import org.eclipse.leshan.core.request.UplinkRequest;
import org.eclipse.leshan.server.registration.Registration;
import org.eclipse.leshan.server.security.Authorization;
import org.eclipse.leshan.server.security.Authorizer;
import org.eclipse.leshan.server.security.DefaultAuthorizer;
import org.keyprov.keys.ThrottledAudit;
import org.keyprov.server.cluster.RedisCluster;

/**
 * Leshan's default check (the DTLS identity must be the one the Key Manager holds for the
 * endpoint), plus: an endpoint the Key Manager never declared is refused, and audited, even over
 * plain CoAP, where Leshan would let it register without any security.
 *
 * <p>A registration over a session with the DM PSK the bootstrap server issued makes that DM PSK
 * the device's only one; one with a DM PSK due for rotation is handed to {@code rotationDue}, which
 * makes the device bootstrap again once registered.
 *
 * <p>On one of several nodes sharing registrations, each registration and update it approves
 * records the node ({@link RedisCluster#NODE_DATA}): the one holding the device's session, the only
 * one that can send it requests.
 */
public final class KeyManagerAuthorizer implements Authorizer {
  private final KeyManagerSecurityStore store;
  private final DefaultAuthorizer leshan;
  private final ThrottledAudit refusals;
  private final Authorization approvedHere;
  private final java.util.function.Consumer<String> rotationDue;

  /** {@code node}: this node's name where registrations are shared, else {@code null}. */
  public KeyManagerAuthorizer(
      KeyManagerSecurityStore store,
      ThrottledAudit refusals,
      String node,
      java.util.function.Consumer<String> rotationDue) {
    this.store = store;
    this.leshan = new DefaultAuthorizer(store);
    this.refusals = refusals;
    this.rotationDue = rotationDue;
    this.approvedHere =
        node == null
            ? Authorization.approved()
            : Authorization.approved(Map.of(RedisCluster.NODE_DATA, node));
  }

  @Override
  public Authorization isAuthorized(
      UplinkRequest<?> request, Registration registration, LwM2mPeer sender) {
    if (!sender.getIdentity().isSecure()
        && store.getByEndpoint(registration.getEndpoint()) == null) {
      refusals.record(
          "dm.registration.refused",
          registration.getEndpoint(),
          "undeclared endpoint over plain CoAP from " + address(sender));
      return Authorization.declined();
    }
    Authorization decision = leshan.isAuthorized(request, registration, sender);
    if (!decision.isApproved()) {
      refusals.record(
          "dm.registration.refused",
          registration.getEndpoint(),
          "the credential presented is not the one the Key Manager holds for this endpoint ("
              + (sender.getIdentity().isSecure() ? "DTLS" : "plain CoAP")
              + " from "
              + address(sender)
              + ")");
      return decision;
    }
    if (sender.getIdentity() instanceof org.eclipse.leshan.core.peer.PskIdentity psk
        && store.registeredWith(registration.getEndpoint(), psk.getPskIdentity())) {
      rotationDue.accept(registration.getEndpoint());
    }
    return approvedHere;
  }

  private static Object address(LwM2mPeer sender) {
    return sender instanceof IpPeer ip ? ip.getSocketAddress() : sender.getIdentity();
  }
}
