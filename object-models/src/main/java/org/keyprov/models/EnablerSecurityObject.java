package org.keyprov.models;

/**
 * Identifiers of the <em>Enabler Security Parameters</em> object ({@code 33001.xml}), shared by the
 * DM server that writes it and the device client that holds it.
 */
public final class EnablerSecurityObject {
  /** Vendor-private object ID (OMNA range 32769–42768). */
  public static final int ID = 33001;

  public static final int ENABLER_URI = 0;
  public static final int NAF_FQDN = 1;
  public static final int UA_SECURITY_PROTOCOL_ID = 2;
  public static final int PSK_IDENTITY = 3;

  /** Write-only: a Read answers 4.05 Method Not Allowed. */
  public static final int PSK_SECRET_KEY = 4;

  public static final int KEY_EXPIRY = 5;
  public static final int URL_ALLOW_LIST = 6;
  public static final int CIPHER_SUITES = 7;
  public static final int KEY_VERSION = 8;
  public static final int PROVISIONING_SOURCE = 9;
  public static final int LAST_CONNECTION_RESULT = 10;
  public static final int LAST_CONNECTION_TIME = 11;
  public static final int INVALIDATE = 12;

  /** Value of {@link #PROVISIONING_SOURCE} for parameters written by the DM server. */
  public static final int SOURCE_DM_SERVER = 0;

  /** Value of {@link #PROVISIONING_SOURCE} for parameters bootstrapped from the SIM/USIM. */
  public static final int SOURCE_SIM = 1;

  /**
   * A registration attribute ({@code ?ep=…&keyprov-reports=send}): the client sends its connection
   * results (resources 1, 10, 11 of each instance) with an LwM2M Send when they change and after
   * each registration, so the DM server need not observe the object. A client without it is
   * observed.
   */
  public static final String REPORTS_ATTRIBUTE = "keyprov-reports";

  /** The value of {@link #REPORTS_ATTRIBUTE} that says the client reports with Send. */
  public static final String REPORTS_BY_SEND = "send";

  private EnablerSecurityObject() {}
}
