package org.keyprov.server.security;

/** Names from the network as they may be written to the audit log: cut, no control characters. */
public final class Printable {
  private Printable() {}

  public static String of(String name) {
    if (name == null) {
      return "(none)";
    }
    String cut = name.length() > 100 ? name.substring(0, 100) + "…" : name;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
