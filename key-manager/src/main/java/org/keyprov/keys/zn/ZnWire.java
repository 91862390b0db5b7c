package org.keyprov.keys.zn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import org.keyprov.keys.LookupResult;
import org.keyprov.keys.LookupResult.Granted;
import org.keyprov.keys.LookupResult.Refusal;
import org.keyprov.keys.LookupResult.Refused;
import org.keyprov.keys.NafKey;
import org.keyprov.keys.gba.BTid;
import org.keyprov.keys.gba.NafId;
import org.keyprov.keys.gba.UaSecurityProtocolId;

/**
 * The JSON of the Zn-like lookup, shared by the Key Manager's endpoint and the Enablers' client.
 * Field names follow the Zn Bootstrapping-Info-Request/Answer AVPs (TS 29.109) so a Diameter or SBI
 * mapping stays straightforward. Pure.
 *
 * <pre>
 * POST {@value #PATH}   Authorization: Bearer kpe_…
 * {"transactionIdentifier": "&lt;B-TID or 3GPP-bootstrapping.B-TID&gt;",
 *  "nafId": {"fqdn": "enabler.example", "uaSecurityProtocolId": "030001c0a8"}}
 *
 * 200 {"transactionIdentifier", "meKeyMaterial" (base64), "keyExpiryTime", "impi",
 *      "endpoint", "keyVersion"}
 * 404 {"resultCode": 5403, "reason": "UNKNOWN_IDENTITY|EXPIRED|REVOKED", "message"}
 * 403 {"resultCode": 5402, "reason": "OTHER_NAF", "message"}
 * 401 {"resultCode": 401, "reason": "CREDENTIAL", "message"}
 * </pre>
 */
public final class ZnWire {
  public static final String PATH = "/zn/v1/bootstrapping-info";

  /**
   * The invalidation feed (a long poll): {@code GET ?after=<cursor>&wait=<seconds>} answers {@code
   * 200 {"cursor": n, "invalidated": ["<B-TID>", …]}} with the caller's keys invalidated after the
   * cursor, as soon as there is one or after {@code wait} (at most 30) seconds; {@code after=-1}
   * answers the current cursor at once.
   */
  public static final String INVALIDATIONS_PATH = "/zn/v1/invalidations";

  /**
   * The Enabler's report of a handshake that failed after its key was granted: {@code POST
   * {"transactionIdentifier": "<PSK identity>", "nafId": {…}, "reason": "…"}} answers {@code 204}.
   */
  public static final String HANDSHAKE_FAILURES_PATH = "/zn/v1/handshake-failures";

  /** The longest reason a handshake failure report may carry. */
  public static final int MAX_REASON = 200;

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  public record WireNafId(String fqdn, String uaSecurityProtocolId) {}

  public record Request(String transactionIdentifier, WireNafId nafId) {
    /** The NAF_Id, or an {@link IllegalArgumentException} that says which field is wrong. */
    public NafId toNafId() {
      if (nafId == null || nafId.fqdn() == null || nafId.uaSecurityProtocolId() == null) {
        throw new IllegalArgumentException(
            "nafId needs fqdn and uaSecurityProtocolId (10 hex digits)");
      }
      return new NafId(nafId.fqdn(), UaSecurityProtocolId.parse(nafId.uaSecurityProtocolId()));
    }
  }

  public record Answer(
      String transactionIdentifier,
      String meKeyMaterial,
      String keyExpiryTime,
      String impi,
      String endpoint,
      int keyVersion) {
    @Override
    public String toString() {
      return "Answer[" + transactionIdentifier + ", endpoint=" + endpoint + "]";
    }
  }

  public record Error(int resultCode, String reason, String message) {}

  public record HandshakeFailure(String transactionIdentifier, WireNafId nafId, String reason) {
    public NafId toNafId() {
      return new Request(transactionIdentifier, nafId).toNafId();
    }
  }

  public record Invalidations(long cursor, java.util.List<String> invalidated) {}

  private ZnWire() {}

  public static String request(String pskIdentity, NafId nafId) {
    return write(new Request(pskIdentity, new WireNafId(nafId.fqdn(), nafId.ua().toHex())));
  }

  /** Parses a request body; {@link IllegalArgumentException} with a field-level message if bad. */
  public static Request parseRequest(byte[] body) {
    Request r = read(body, Request.class);
    if (r.transactionIdentifier() == null || r.transactionIdentifier().isEmpty()) {
      throw new IllegalArgumentException("transactionIdentifier is missing");
    }
    r.toNafId();
    return r;
  }

  public static String handshakeFailure(String pskIdentity, NafId nafId, String reason) {
    String cut = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
    return write(
        new HandshakeFailure(pskIdentity, new WireNafId(nafId.fqdn(), nafId.ua().toHex()), cut));
  }

  /** Parses a failure report; {@link IllegalArgumentException} naming the field if bad. */
  public static HandshakeFailure parseHandshakeFailure(byte[] body) {
    HandshakeFailure f = read(body, HandshakeFailure.class);
    if (f.transactionIdentifier() == null || f.transactionIdentifier().isEmpty()) {
      throw new IllegalArgumentException("transactionIdentifier is missing");
    }
    if (f.reason() == null || f.reason().isBlank() || f.reason().length() > MAX_REASON) {
      throw new IllegalArgumentException("reason must be 1 to " + MAX_REASON + " characters");
    }
    f.toNafId();
    return f;
  }

  public static String answer(NafKey key) {
    byte[] material = key.key();
    try {
      return write(
          new Answer(
              key.btid().value(),
              Base64.getEncoder().encodeToString(material),
              key.expiresAt().toString(),
              key.impi(),
              key.endpoint(),
              key.keyVersion()));
    } finally {
      java.util.Arrays.fill(material, (byte) 0);
    }
  }

  public static String invalidations(org.keyprov.keys.InvalidationFeed.Batch batch) {
    return write(new Invalidations(batch.cursor(), batch.btids()));
  }

  /**
   * Parses an invalidations answer; {@link IllegalArgumentException} if it is not one. The wire
   * carries only B-TIDs: an Enabler has no use for the device or the reason.
   */
  public static org.keyprov.keys.InvalidationFeed.Batch parseInvalidations(byte[] body) {
    Invalidations i = read(body, Invalidations.class);
    java.util.List<org.keyprov.keys.InvalidationFeed.Invalidation> list =
        new java.util.ArrayList<>();
    for (String btid : i.invalidated() == null ? java.util.List.<String>of() : i.invalidated()) {
      list.add(new org.keyprov.keys.InvalidationFeed.Invalidation(btid, "", "", ""));
    }
    return new org.keyprov.keys.InvalidationFeed.Batch(i.cursor(), list);
  }

  public static String error(int resultCode, String reason, String message) {
    return write(new Error(resultCode, reason, message));
  }

  /** HTTP status for a refusal: 404 for 5403, 403 for 5402. */
  public static int status(Refusal reason) {
    return reason.znResultCode() == 5402 ? 403 : 404;
  }

  /** The lookup result an HTTP answer stands for; empty if it is neither a key nor a refusal. */
  public static Optional<LookupResult> result(int status, byte[] body) {
    if (status == 200) {
      Answer a = read(body, Answer.class);
      byte[] key = Base64.getDecoder().decode(a.meKeyMaterial());
      try {
        return Optional.of(
            new Granted(
                new NafKey(
                    new BTid(a.transactionIdentifier()),
                    key,
                    Instant.parse(a.keyExpiryTime()),
                    a.impi(),
                    a.endpoint(),
                    a.keyVersion())));
      } finally {
        java.util.Arrays.fill(key, (byte) 0);
      }
    }
    if (status == 403 || status == 404) {
      Error e = read(body, Error.class);
      for (Refusal r : Refusal.values()) {
        if (r.name().equals(e.reason())) {
          return Optional.of(new Refused(r, e.message() == null ? "" : e.message()));
        }
      }
    }
    return Optional.empty();
  }

  /** The message of an error body, or a generic sentence if it has none. */
  public static String errorMessage(byte[] body) {
    try {
      Error e = read(body, Error.class);
      return e.message() == null ? "no message" : e.message();
    } catch (IllegalArgumentException notJson) {
      return "no message";
    }
  }

  private static String write(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  private static <T> T read(byte[] body, Class<T> type) {
    try {
      return JSON.readValue(body, type);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "the body is not a valid " + type.getSimpleName() + " JSON object");
    }
  }
}
