package org.keyprov.server.transport;

import java.util.OptionalInt;
import org.eclipse.californium.core.coap.Response;

/** What the object browser reads of a device's CoAP answer beyond what Leshan decodes. */
public final class CoapAnswers {
  private CoapAnswers() {}

  /**
   * The content format of {@code coapResponse} (Leshan's {@code LwM2mResponse.getCoapResponse()}),
   * if it is a Californium response with a payload and says one; empty otherwise (an answer that
   * came through another node has none).
   */
  public static OptionalInt contentFormat(Object coapResponse) {
    if (coapResponse instanceof Response coap
        && coap.getPayloadSize() > 0
        && coap.getOptions().hasContentFormat()) {
      return OptionalInt.of(coap.getOptions().getContentFormat());
    }
    return OptionalInt.empty();
  }
}
