package org.keyprov.web.zn;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.keyprov.keys.AuditLog;
import org.keyprov.keys.EnablerCredentials;
import org.keyprov.keys.InvalidationFeed;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.PskLookup;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.zn.ZnWire;

/**
 * The Key Manager's Zn-like endpoint ({@value ZnWire#PATH}): an authenticated Enabler asks for the
 * key of a PSK identity under its own NAF_Id. A credential only asks for its own NAF FQDN. Every
 * call is audited (by the lookup itself, or here when refused before it).
 */
public final class ZnHandler extends Handler.Abstract {
  private static final int MAX_BODY = 8 * 1024;
  private static final long MAX_WAIT_S = 30;

  private final PskLookup lookup;
  private final EnablerCredentials credentials;
  private final AuditLog audit;

  private final InvalidationFeed invalidations;

  public ZnHandler(
      PskLookup lookup,
      EnablerCredentials credentials,
      AuditLog audit,
      InvalidationFeed invalidations) {
    this.lookup = lookup;
    this.credentials = credentials;
    this.audit = audit;
    this.invalidations = invalidations;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = Request.getPathInContext(request);
    boolean lookupPath = ZnWire.PATH.equals(path);
    boolean reportPath = ZnWire.HANDSHAKE_FAILURES_PATH.equals(path);
    if (!lookupPath && !reportPath && !ZnWire.INVALIDATIONS_PATH.equals(path)) {
      return false;
    }
    String method = lookupPath || reportPath ? "POST" : "GET";
    if (!method.equals(request.getMethod())) {
      response.getHeaders().put(HttpHeader.ALLOW, method);
      return send(response, callback, 405, ZnWire.error(405, "METHOD", "use " + method));
    }
    String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    Optional<String> fqdn =
        auth != null && auth.startsWith("Bearer ")
            ? credentials.authenticate(auth.substring("Bearer ".length()).trim())
            : Optional.empty();
    if (fqdn.isEmpty()) {
      audit.record(
          Request.getRemoteAddr(request),
          "zn.unauthorized",
          path,
          auth == null ? "no credential" : "bad or revoked credential");
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      return send(
          response,
          callback,
          401,
          ZnWire.error(401, "CREDENTIAL", "missing, unknown or revoked Enabler credential"));
    }
    if (reportPath) {
      return handshakeFailed(request, response, callback, fqdn.get());
    }
    return lookupPath
        ? lookup(request, response, callback, fqdn.get())
        : invalidations(request, response, callback, fqdn.get());
  }

  /** An Enabler's report of a handshake that failed after its key was granted: audited. */
  private boolean handshakeFailed(
      Request request, Response response, Callback callback, String fqdn) throws Exception {
    byte[] body = body(request);
    if (body.length > MAX_BODY) {
      return send(
          response, callback, 413, ZnWire.error(413, "TOO_LARGE", "request body over 8 KiB"));
    }
    ZnWire.HandshakeFailure report;
    NafId nafId;
    try {
      report = ZnWire.parseHandshakeFailure(body);
      nafId = report.toNafId();
    } catch (IllegalArgumentException e) {
      return send(response, callback, 400, ZnWire.error(400, "BAD_REQUEST", e.getMessage()));
    }
    if (!nafId.fqdn().equals(fqdn)) {
      return send(
          response,
          callback,
          403,
          ZnWire.error(
              5402,
              "OTHER_NAF",
              "this credential was issued for " + fqdn + ", not " + nafId.fqdn()));
    }
    lookup.handshakeFailed(report.transactionIdentifier(), nafId, report.reason());
    response.setStatus(204);
    callback.succeeded();
    return true;
  }

  private static byte[] body(Request request) throws java.io.IOException {
    try (InputStream in = Content.Source.asInputStream(request)) {
      return in.readNBytes(MAX_BODY + 1);
    }
  }

  /**
   * A long poll: answers as soon as a key of this Enabler is invalidated after {@code after}, or
   * with none after {@code wait} seconds (at most {@value #MAX_WAIT_S}).
   */
  private boolean invalidations(Request request, Response response, Callback callback, String fqdn)
      throws Exception {
    Fields query = Request.extractQueryParameters(request);
    long after;
    long waitS;
    try {
      after = Long.parseLong(query.getValue("after") == null ? "-1" : query.getValue("after"));
      waitS = Long.parseLong(query.getValue("wait") == null ? "20" : query.getValue("wait"));
    } catch (NumberFormatException e) {
      return send(
          response,
          callback,
          400,
          ZnWire.error(400, "BAD_REQUEST", "after and wait must be whole numbers"));
    }
    InvalidationFeed.Batch batch;
    try {
      // in slices of a second, so that stopping the server never waits for a poll to run out
      long deadline = System.nanoTime() + Math.max(0, Math.min(waitS, MAX_WAIT_S)) * 1_000_000_000L;
      do {
        long leftMs = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
        batch =
            invalidations.next(after, fqdn, java.time.Duration.ofMillis(Math.min(1000, leftMs)));
      } while (after != InvalidationFeed.NOW
          && batch.btids().isEmpty()
          && System.nanoTime() < deadline
          && isRunning());
    } catch (InterruptedException stopping) {
      Thread.currentThread().interrupt();
      return send(
          response,
          callback,
          503,
          ZnWire.error(503, "STOPPING", "the Key Manager is stopping; ask again"));
    }
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    return send(response, callback, 200, ZnWire.invalidations(batch));
  }

  private boolean lookup(Request request, Response response, Callback callback, String fqdn)
      throws Exception {
    byte[] body = body(request);
    if (body.length > MAX_BODY) {
      return send(
          response, callback, 413, ZnWire.error(413, "TOO_LARGE", "request body over 8 KiB"));
    }
    ZnWire.Request parsed;
    NafId nafId;
    try {
      parsed = ZnWire.parseRequest(body);
      nafId = parsed.toNafId();
    } catch (IllegalArgumentException e) {
      return send(response, callback, 400, ZnWire.error(400, "BAD_REQUEST", e.getMessage()));
    }
    if (!nafId.fqdn().equals(fqdn)) {
      String message = "this credential was issued for " + fqdn + ", not for " + nafId.fqdn();
      audit.record(
          fqdn, "key.lookup", parsed.transactionIdentifier(), "refused (5402): " + message);
      return send(response, callback, 403, ZnWire.error(5402, "OTHER_NAF", message));
    }
    LookupResult result = lookup.lookup(parsed.transactionIdentifier(), nafId);
    if (result instanceof LookupResult.Granted granted) {
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      return send(response, callback, 200, ZnWire.answer(granted.key()));
    }
    LookupResult.Refused refused = (LookupResult.Refused) result;
    return send(
        response,
        callback,
        ZnWire.status(refused.reason()),
        ZnWire.error(refused.reason().znResultCode(), refused.reason().name(), refused.message()));
  }

  private static boolean send(Response response, Callback callback, int status, String json) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, java.nio.ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
    return true;
  }
}
