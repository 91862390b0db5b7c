package org.keyprov.client.object;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * URL allow-list matching. An entry allows a target when scheme, host and port are equal (case
 * insensitive for scheme and host) and the target's path starts with the entry's path at a segment
 * boundary. An entry that does not parse as an absolute URI allows nothing. Pure.
 */
public final class AllowList {
  private AllowList() {}

  public static boolean allows(List<String> entries, URI target) {
    if (target == null || target.getScheme() == null || target.getHost() == null) {
      return false;
    }
    for (String entry : entries) {
      if (matches(entry, target)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(String entry, URI target) {
    URI allowed;
    try {
      allowed = new URI(entry.trim());
    } catch (URISyntaxException e) {
      return false;
    }
    if (allowed.getScheme() == null || allowed.getHost() == null) {
      return false;
    }
    if (!allowed.getScheme().equalsIgnoreCase(target.getScheme())
        || !allowed
            .getHost()
            .toLowerCase(Locale.ROOT)
            .equals(target.getHost().toLowerCase(Locale.ROOT))
        || allowed.getPort() != target.getPort()) {
      return false;
    }
    String prefix = allowed.getPath() == null ? "" : allowed.getPath();
    String path = target.getPath() == null ? "" : target.getPath();
    if (prefix.isEmpty() || prefix.equals("/")) {
      return true;
    }
    String base = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return path.equals(base) || path.startsWith(base + "/");
  }
}
